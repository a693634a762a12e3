import { Hono } from 'hono';
import type { Runtime } from '../../runtime.js';
import { getWorktree, listWorktrees, mergeWorker, removeWorker, worktreeDiff } from '../../worktree/operations.js';
import { diffQuerySchema, listQuerySchema, mergeSchema, removeQuerySchema } from '../../worktree/schema.js';
import { body, query, terminalId } from '../http.js';

export function worktreeRoutes(rt: Runtime): Hono {
  const store = rt.worktrees;
  return new Hono()
    .get('/', async (c) => c.json({ worktrees: await listWorktrees(store, { all: query(c, listQuerySchema).all === 'true' }) }))
    .get('/:id', async (c) => c.json(await getWorktree(store, terminalId(c))))
    .get('/:id/diff', async (c) => c.json(await worktreeDiff(store, terminalId(c), { stat: query(c, diffQuerySchema).stat === 'true' })))
    .post('/:id/merge', async (c) => {
      const deps = { store, terminals: rt.terminals, profilesDir: rt.layout.profiles, clock: rt.clock };
      return c.json(await mergeWorker(deps, terminalId(c), await body(c, mergeSchema)));
    })
    .delete('/:id', async (c) => c.json(await removeWorker({ store, clock: rt.clock }, terminalId(c), { force: query(c, removeQuerySchema).force === 'true' })));
}
