import { Hono } from 'hono';
import { DaemonUnavailableError } from '../../errors.js';
import type { Runtime } from '../../runtime.js';
import { usageQuerySchema } from '../../usage/schema.js';
import { query } from '../http.js';

export function usageRoutes(rt: Runtime): Hono {
  return new Hono().get('/', async (c) => {
    if (!rt.usage) throw new DaemonUnavailableError('this daemon does not track usage: restart it with `conductor daemon stop`, then any command');
    return c.json(await rt.usage.report(query(c, usageQuerySchema)));
  });
}
