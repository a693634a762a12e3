import { Hono } from 'hono';
import { resume } from '../../resume/operations.js';
import { resumeSchema } from '../../resume/schema.js';
import type { Runtime } from '../../runtime.js';
import { body } from '../http.js';

/** `POST /resume`: one lost terminal, a session's or all (see docs/resume.md). */
export function resumeRoutes(rt: Runtime): Hono {
  return new Hono().post('/', async (c) => c.json({ resumed: await resume(rt, await body(c, resumeSchema)) }));
}
