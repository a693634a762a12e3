import { Hono } from 'hono';
import { ConductorError } from '../errors.js';
import { moduleLogger } from '../logger.js';
import type { Runtime } from '../runtime.js';
import { VERSION } from '../version.js';
import { approvalRoutes } from './routes/approvals.js';
import { eventRoutes } from './routes/events.js';
import { flowRoutes } from './routes/flows.js';
import { handoffRoutes } from './routes/handoffs.js';
import { messageRoutes } from './routes/messages.js';
import { profileRoutes } from './routes/profiles.js';
import { providerRoutes } from './routes/providers.js';
import { sessionRoutes } from './routes/sessions.js';
import { terminalRoutes } from './routes/terminals.js';
import { worktreeRoutes } from './routes/worktrees.js';
import { guard } from './security.js';

const log = moduleLogger('http');

export interface AppHooks {
  /** Registers an open event stream so a daemon stop can end it; returns the unregister function. */
  onStream: (close: () => void) => () => void;
}

export function createApp(rt: Runtime, token: string, hooks: AppHooks): Hono {
  const app = new Hono();
  app.use('*', guard(token));
  app.get('/health', (c) => c.json({ ok: true, service: 'conductor', version: VERSION, pid: process.pid }));
  app.route('/sessions', sessionRoutes(rt));
  app.route('/terminals', terminalRoutes(rt));
  app.route('/providers', providerRoutes(rt));
  app.route('/profiles', profileRoutes(rt));
  app.route('/flows', flowRoutes(rt));
  app.route('/approvals', approvalRoutes(rt));
  app.route('/worktrees', worktreeRoutes(rt));
  app.route('/', messageRoutes(rt));
  app.route('/', handoffRoutes(rt));
  app.route('/events', eventRoutes(rt, hooks.onStream));
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}: see docs/api.md` } }, 404));
  app.onError((err, c) => {
    if (err instanceof ConductorError) return c.json(err.toJSON(), err.httpStatus as 400);
    log.error({ err: err.message, stack: err.stack, path: c.req.path }, 'unhandled error');
    return c.json({ error: { code: 'internal', message: `internal error: ${err.message}` } }, 500);
  });
  return app;
}
