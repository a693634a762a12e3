import { Hono } from 'hono';
import { addTarget, removeTarget, testTargets, type NotifyOps } from '../../notify/operations.js';
import { addTargetSchema, notifyTargetIdSchema, testTargetSchema } from '../../notify/schema.js';
import { body, validate } from '../http.js';

export function notifyRoutes(ops: NotifyOps): Hono {
  const id = (raw: string | undefined) => validate(notifyTargetIdSchema, raw, 'target id');
  return new Hono()
    .get('/', async (c) => c.json({ targets: await ops.store.list() }))
    .post('/', async (c) => c.json(await addTarget(ops, await body(c, addTargetSchema)), 201))
    .post('/test', async (c) => c.json({ results: await testTargets(ops, (await body(c, testTargetSchema)).id) }))
    .delete('/:id', async (c) => c.json(await removeTarget(ops, id(c.req.param('id')))));
}
