import { Hono } from 'hono';
import { sendMessage } from '../../inbox/operations.js';
import { inboxQuerySchema, sendMessageSchema } from '../../inbox/schema.js';
import type { Runtime } from '../../runtime.js';
import { body, query, terminalId } from '../http.js';

export function messageRoutes(rt: Runtime): Hono {
  return new Hono()
    .post('/messages', async (c) => c.json(await sendMessage(rt, await body(c, sendMessageSchema)), 201))
    .get('/terminals/:id/messages', async (c) => {
      const id = (await rt.terminals.get(terminalId(c))).id;
      const q = query(c, inboxQuerySchema);
      return c.json({ messages: await rt.messages.list(id, q.direction, q.state) });
    });
}
