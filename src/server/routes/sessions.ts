import { Hono } from 'hono';
import type { Runtime } from '../../runtime.js';
import { addTerminal, createSession, getSession, listSessions, shutdownSession } from '../../session/operations.js';
import { createSessionSchema, createTerminalSchema } from '../../terminal/schema.js';
import { body } from '../http.js';

export function sessionRoutes(rt: Runtime): Hono {
  return new Hono()
    .get('/', async (c) => c.json({ sessions: await listSessions(rt, { all: c.req.query('all') === 'true' }) }))
    .post('/', async (c) => c.json(await createSession(rt, await body(c, createSessionSchema)), 201))
    .get('/:id', async (c) => c.json(await getSession(rt, c.req.param('id'))))
    .post('/:id/terminals', async (c) =>
      c.json(await addTerminal(rt, c.req.param('id'), await body(c, createTerminalSchema)), 201))
    .delete('/:id', async (c) => c.json({ shutdown: await shutdownSession(rt, c.req.param('id')) }));
}
