import { Hono } from 'hono';
import { checkToolCall, decideApproval, requestApproval, toCsv, waitForApproval } from '../../approval/operations.js';
import { approvalIdSchema, approvalListSchema, approvalWaitSchema, decideSchema, requestApprovalSchema, toolCheckSchema } from '../../approval/schema.js';
import type { Runtime } from '../../runtime.js';
import { body, query, validate } from '../http.js';

export function approvalRoutes(rt: Runtime): Hono {
  const id = (raw: string) => validate(approvalIdSchema, raw, 'approval id');
  return new Hono()
    .get('/', async (c) => c.json({ approvals: await rt.approvals.list(query(c, approvalListSchema).all === 'true') }))
    .get('/export.csv', async (c) => c.body(toCsv(await rt.approvals.list(true)), 200, { 'content-type': 'text/csv; charset=utf-8' }))
    .post('/', async (c) => c.json(await requestApproval(rt, await body(c, requestApprovalSchema)), 201))
    .post('/check', async (c) => c.json(await checkToolCall(rt, await body(c, toolCheckSchema))))
    .get('/:id', async (c) => {
      const q = query(c, approvalWaitSchema);
      return c.json(await waitForApproval(rt, id(c.req.param('id')), q.wait, q.inbox === 'true'));
    })
    .post('/:id/decision', async (c) => c.json(await decideApproval(rt, id(c.req.param('id')), await body(c, decideSchema))));
}
