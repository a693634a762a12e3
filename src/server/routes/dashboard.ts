import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import { loadAssets, PAGE_HEADERS } from '../../dashboard/assets.js';
import { assertOwnPage, sessionCookieName, type DashboardAuth } from '../../dashboard/guard.js';
import { SESSION_TTL_MS } from '../../dashboard/logins.js';
import { paneFeed } from '../../dashboard/paneFeed.js';
import { auditQuerySchema, loginSchema, type LoginLink } from '../../dashboard/schema.js';
import { ForbiddenError } from '../../errors.js';
import type { Runtime } from '../../runtime.js';
import { body, query, terminalId } from '../http.js';

const NOT_BUILT = '<!doctype html><title>conductor</title><p>The dashboard is not built: run <code>npm run build</code> in the conductor checkout, then reload.</p>';

/** The page, the login that trades a one-time code for a session, and the live pane stream (docs/dashboard.md). */
export function dashboardRoutes(rt: Runtime, auth: DashboardAuth, onStream: (close: () => void) => () => void): Hono {
  const assets = loadAssets();
  const page = (c: Context, path: string) => {
    const asset = assets?.get(path);
    if (!asset) return path === '/index.html' ? c.html(NOT_BUILT, 503, PAGE_HEADERS) : c.notFound();
    const cache = asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache';
    return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, { ...PAGE_HEADERS, 'content-type': asset.type, 'cache-control': cache });
  };
  const cookie = () => sessionCookieName(auth.port());

  return new Hono()
    .get('/', (c) => page(c, '/index.html'))
    .get('/login', (c) => page(c, '/index.html'))
    .get('/index.html', (c) => page(c, '/index.html'))
    .get('/favicon.svg', (c) => page(c, '/favicon.svg'))
    .get('/assets/*', (c) => page(c, c.req.path))
    .post('/dashboard/codes', (c) => {
      if (!c.req.header('authorization')) throw new ForbiddenError('login links are made by `conductor dashboard`, not by the page');
      const { code, expiresAt } = auth.logins.issueCode();
      const link: LoginLink = { url: `http://127.0.0.1:${auth.port()}/login#code=${code}`, expiresAt: new Date(expiresAt).toISOString() };
      return c.json(link, 201);
    })
    .post('/dashboard/session', async (c) => {
      if (c.req.header('origin') === undefined) throw new ForbiddenError('log in from the dashboard page: open the link `conductor dashboard` prints');
      assertOwnPage(c, auth.port());
      const session = auth.logins.redeem((await body(c, loginSchema)).code);
      setCookie(c, cookie(), session.sessionId, { httpOnly: true, sameSite: 'Strict', path: '/', maxAge: SESSION_TTL_MS / 1000 });
      return c.json({ csrf: session.csrf, expiresAt: new Date(session.expiresAt).toISOString() }, 201);
    })
    .get('/dashboard/session', (c) => c.json({ loggedIn: true, port: auth.port() }))
    .delete('/dashboard/session', (c) => {
      const id = getCookie(c, cookie());
      if (id) auth.logins.end(id);
      deleteCookie(c, cookie(), { path: '/' });
      return c.json({ loggedIn: false });
    })
    .get('/dashboard/audit', (c) => c.json({ entries: rt.audit.recent(query(c, auditQuerySchema).limit) }))
    .get('/dashboard/handoffs', async (c) => {
      const running = await rt.handoffs.running();
      return c.json({ handoffs: await Promise.all(running.map((h) => rt.handoffs.get(h.id))) });
    })
    .get('/terminals/:id/stream', async (c) => {
      const terminal = await rt.terminals.get(terminalId(c));
      return streamSSE(c, async (stream) => {
        const abort = new AbortController();
        const forget = onStream(() => abort.abort());
        stream.onAbort(() => abort.abort());
        try {
          for await (const item of paneFeed(rt, terminal, abort.signal)) {
            const { type, ...data } = item;
            await stream.writeSSE({ event: type, data: JSON.stringify(type === 'output' ? item.data : data) });
          }
        } finally {
          forget();
        }
      });
    });
}
