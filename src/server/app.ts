import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ConductorError, diskFullError, PayloadTooLargeError } from '../errors.js';
import { moduleLogger } from '../logger.js';
import type { Runtime } from '../runtime.js';
import { VERSION } from '../version.js';
import { DashboardLogins } from '../dashboard/logins.js';
import { approvalRoutes } from './routes/approvals.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { eventRoutes } from './routes/events.js';
import { flowRoutes } from './routes/flows.js';
import { handoffRoutes } from './routes/handoffs.js';
import { hookRoutes } from './routes/hooks.js';
import { messageRoutes } from './routes/messages.js';
import { notifyRoutes } from './routes/notify.js';
import { profileRoutes } from './routes/profiles.js';
import { providerRoutes } from './routes/providers.js';
import { resumeRoutes } from './routes/resume.js';
import { sessionRoutes } from './routes/sessions.js';
import { terminalRoutes } from './routes/terminals.js';
import { usageRoutes } from './routes/usage.js';
import { worktreeRoutes } from './routes/worktrees.js';
import { guard } from './security.js';

const log = moduleLogger('http');

export interface AppHooks {
  /** Registers an open event stream so a daemon stop can end it; returns the unregister function. */
  onStream: (close: () => void) => () => void;
}

/**
 * The largest request body accepted (input text is at most 1 MiB, and JSON escaping can double it).
 * Larger ones are refused from their Content-Length, or as soon as a chunked body passes it.
 */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

const tooLarge = new PayloadTooLargeError(
  `the request body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB: send less (terminal input is at most 1 MiB)`,
);

export function createApp(rt: Runtime, token: string, hooks: AppHooks): Hono {
  const app = new Hono();
  const dashboard = { logins: new DashboardLogins(rt.clock), port: () => rt.port };
  app.use('*', guard(token, dashboard));
  app.use('*', bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => c.json(tooLarge.toJSON(), 413) }));
  app.get('/health', (c) => c.json({ ok: true, service: 'conductor', version: VERSION, pid: process.pid }));
  app.route('/sessions', sessionRoutes(rt));
  app.route('/terminals', terminalRoutes(rt));
  app.route('/providers', providerRoutes(rt));
  app.route('/profiles', profileRoutes(rt));
  app.route('/flows', flowRoutes(rt));
  app.route('/approvals', approvalRoutes(rt));
  app.route('/usage', usageRoutes(rt));
  app.route('/notify', notifyRoutes({ store: rt.notifyTargets, worker: rt.notify, clock: rt.clock }));
  app.route('/worktrees', worktreeRoutes(rt));
  app.route('/resume', resumeRoutes(rt));
  app.route('/', messageRoutes(rt));
  app.route('/', handoffRoutes(rt));
  app.route('/events', eventRoutes(rt, hooks.onStream));
  app.route('/hooks', hookRoutes({ secrets: rt.hookSecrets, monitor: rt.monitor }));
  app.route('/', dashboardRoutes(rt, dashboard, hooks.onStream));
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}: see docs/api.md` } }, 404));
  app.onError((err, c) => {
    if (err instanceof ConductorError) return c.json(err.toJSON(), err.httpStatus as 400);
    const full = diskFullError(err);
    if (full) {
      log.error({ err: err.message, path: c.req.path }, 'disk full');
      return c.json(full.toJSON(), 507);
    }
    log.error({ err: err.message, stack: err.stack, path: c.req.path }, 'unhandled error');
    return c.json({ error: { code: 'internal', message: `internal error: ${err.message}` } }, 500);
  });
  return app;
}
