import { Hono, type Context } from 'hono';
import { addFlow, listFlows, removeFlow, runFlowNow, setFlowEnabled, showFlow } from '../../flow/operations.js';
import { addFlowSchema, flowNameSchema } from '../../flow/schema.js';
import type { Runtime } from '../../runtime.js';
import { body, validate } from '../http.js';

const name = (c: Context) => validate(flowNameSchema, c.req.param('name'), 'flow name');

export function flowRoutes(rt: Runtime): Hono {
  return new Hono()
    .get('/', async (c) => c.json({ flows: await listFlows(rt) }))
    .post('/', async (c) => c.json(await addFlow(rt, await body(c, addFlowSchema)), 201))
    .get('/:name', async (c) => c.json(await showFlow(rt, name(c))))
    .post('/:name/run', async (c) => c.json(await runFlowNow(rt, name(c)), 201))
    .post('/:name/enable', async (c) => c.json(await setFlowEnabled(rt, name(c), true)))
    .post('/:name/disable', async (c) => c.json(await setFlowEnabled(rt, name(c), false)))
    .delete('/:name', async (c) => c.json(await removeFlow(rt, name(c))));
}
