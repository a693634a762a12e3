import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { cookieSession, isPublicDashboardPath, type DashboardAuth } from '../dashboard/guard.js';
import { ConductorError } from '../errors.js';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function hostname(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  return hostHeader.replace(/:\d+$/, '').toLowerCase();
}

export function isLoopbackHost(hostHeader: string | undefined): boolean {
  return hostHeader !== undefined && LOOPBACK_NAMES.has(hostname(hostHeader));
}

export function isLoopbackOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_NAMES.has(url.hostname);
  } catch {
    return false;
  }
}

function tokenMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const refuse = (code: 'forbidden' | 'unauthorized', message: string) => ({ error: { code, message } });

/**
 * Only local programs that hold the token may drive the daemon. A web page can reach 127.0.0.1
 * too, so requests carrying a foreign Host (DNS rebinding) or a foreign Origin are refused before
 * anything else, and every route but /health and the agents' hooks needs the bearer token.
 */
export function guard(token: string, dashboard?: DashboardAuth): MiddlewareHandler {
  return async (c, next) => {
    if (!isLoopbackHost(c.req.header('host'))) {
      return c.json(refuse('forbidden', `Host '${c.req.header('host') ?? ''}' is not a loopback name`), 403);
    }
    const origin = c.req.header('origin');
    if (origin !== undefined && !isLoopbackOrigin(origin)) {
      return c.json(refuse('forbidden', `cross-origin requests are refused (Origin '${origin}')`), 403);
    }
    if (c.req.header('sec-fetch-site') === 'cross-site') {
      return c.json(refuse('forbidden', 'cross-site requests are refused'), 403);
    }
    if (c.req.path === '/health') return next();
    // An agent's hook holds its terminal's own secret, not the token; the hook route checks it.
    if (c.req.method === 'POST' && c.req.path.startsWith('/hooks/')) return next();
    if (dashboard && isPublicDashboardPath(c.req.method, c.req.path)) return next();
    const auth = c.req.header('authorization') ?? '';
    // The dashboard page has no token: its session cookie and CSRF header stand in (docs/dashboard.md).
    if (dashboard && auth === '') {
      try {
        if (cookieSession(c, dashboard)) return next();
      } catch (err) {
        if (err instanceof ConductorError) return c.json(err.toJSON(), err.httpStatus as 401);
        throw err;
      }
    }
    const given = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (!tokenMatches(given, token)) {
      return c.json(refuse('unauthorized', 'missing or wrong bearer token: read it from daemon.json in CONDUCTOR_HOME'), 401);
    }
    return next();
  };
}
