import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { ConductorError, ForbiddenError } from '../errors.js';
import { moduleLogger } from '../logger.js';
import type { DashboardLogins } from './logins.js';

const log = moduleLogger('dashboard');

export const CSRF_HEADER = 'x-conductor-csrf';

export interface DashboardAuth {
  logins: DashboardLogins;
  /** The daemon's port, known once it listens. */
  port: () => number;
}

/** Cookies ignore ports, so each daemon names its own: two daemons never overwrite each other's. */
export function sessionCookieName(port: number): string {
  return `conductor_session_${port}`;
}

export function ownOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

/** What the browser may fetch without a session: the page itself, its assets, and the login. */
export function isPublicDashboardPath(method: string, path: string): boolean {
  if (method === 'POST') return path === '/dashboard/session';
  if (method !== 'GET' && method !== 'HEAD') return false;
  return path === '/' || path === '/index.html' || path === '/login' || path === '/favicon.svg' || path.startsWith('/assets/');
}

/**
 * Refuses a browser request that does not come from the dashboard's own page. SameSite ignores
 * ports, so a page on another 127.0.0.1 port is same-site and its requests carry the cookie:
 * the Origin must be this daemon's own, exactly, and the fetch metadata must say same-origin.
 */
export function assertOwnPage(c: Context, port: number): void {
  const origin = c.req.header('origin');
  const own = ownOrigins(port);
  if (origin !== undefined && !own.includes(origin)) {
    throw new ForbiddenError(`cross-origin request refused: the dashboard API answers only its own page at ${own[0]}, not '${origin}'`);
  }
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') {
    throw new ForbiddenError(`request refused: it came from another page (Sec-Fetch-Site: ${site}); open the dashboard at ${own[0]}`);
  }
}

/**
 * A cookie-authenticated request: undefined when it carries no session cookie (the bearer token
 * decides then). Throws when the cookie is there but the request is not the page's own or lacks
 * its CSRF token. Every method needs the token, reads included, so a stolen cookie alone reads nothing.
 */
export function cookieSession(c: Context, auth: DashboardAuth): { expiresAt: number } | undefined {
  const port = auth.port();
  const sessionId = getCookie(c, sessionCookieName(port));
  if (sessionId === undefined) return undefined;
  try {
    assertOwnPage(c, port);
    return auth.logins.verify(sessionId, c.req.header(CSRF_HEADER));
  } catch (err) {
    // A request with the cookie that is not the page's own is worth a line: another page tried.
    if (err instanceof ConductorError) {
      log.warn(
        { method: c.req.method, path: c.req.path, origin: c.req.header('origin') ?? null, site: c.req.header('sec-fetch-site') ?? null, code: err.code },
        'cookie request refused',
      );
    }
    throw err;
  }
}
