import { Hono } from 'hono';
import { assignTask, startHandoff, waitForHandoff } from '../../handoff/operations.js';
import { assignSchema, handoffIdSchema, handoffSchema, handoffWaitSchema } from '../../handoff/schema.js';
import type { Runtime } from '../../runtime.js';
import { body, query, validate } from '../http.js';

export function handoffRoutes(rt: Runtime): Hono {
  return new Hono()
    .post('/handoffs', async (c) => c.json(await startHandoff(rt, await body(c, handoffSchema)), 201))
    .get('/handoffs/:id', async (c) => {
      const { wait, inbox } = query(c, handoffWaitSchema);
      return c.json(await waitForHandoff(rt, validate(handoffIdSchema, c.req.param('id'), 'handle'), wait, inbox === 'true'));
    })
    .post('/assign', async (c) => c.json(await assignTask(rt, await body(c, assignSchema)), 201));
}
