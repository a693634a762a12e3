import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { DaemonClient } from '../../src/cli/client.js';
import { TestEnv } from '../helpers/env.js';
import { logIn, openBrowser, screenshot, type TestBrowser } from './browser.js';

/**
 * A page on another 127.0.0.1 port is same-site with the dashboard (SameSite ignores ports), so
 * the browser sends it the session cookie: these tests show that cookie reaching the daemon from
 * such a page, and the daemon refusing every one of those requests.
 */
let env: TestEnv;
let client: DaemonClient;
let browser: TestBrowser;
let page: Page;
let attacker: Server;
let attackerOrigin: string;
let daemon: string;

const attackPage = (target: string) => `<!doctype html><html><body><h1>another local page</h1>
<iframe id="frame" src="${target}/"></iframe>
<img src="${target}/sessions">
<form id="form" method="POST" action="${target}/sessions" enctype="text/plain" target="sink">
  <input name='{"provider":"shell","name":"evil-form","env":{"X":"' value='"}}'>
</form>
<iframe name="sink"></iframe>
<script>
  const results = {};
  window.results = results;
  const attempt = async (name, work) => {
    try { results[name] = 'succeeded: ' + (await work()); } catch (err) { results[name] = 'failed: ' + err.message; }
  };
  window.attack = async () => {
    await attempt('read sessions', async () => (await fetch('${target}/sessions', { credentials: 'include' })).status);
    await attempt('read events', async () => (await fetch('${target}/events', { credentials: 'include' })).status);
    await attempt('launch (no-cors)', async () => {
      const r = await fetch('${target}/sessions', { method: 'POST', mode: 'no-cors', credentials: 'include',
        headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ provider: 'shell', name: 'evil-fetch' }) });
      return r.type;
    });
    await attempt('login code', async () => {
      const r = await fetch('${target}/dashboard/codes', { method: 'POST', mode: 'no-cors', credentials: 'include' });
      return r.type;
    });
    document.getElementById('form').submit();
    return results;
  };
</script></body></html>`;

beforeAll(async () => {
  env = new TestEnv();
  client = await env.client();
  daemon = `http://127.0.0.1:${client.state.port}`;
  attacker = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(attackPage(daemon)));
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  browser = await openBrowser();
  page = await browser.context.newPage();
  await logIn(env, page);
});

afterAll(async () => {
  await browser?.close();
  attacker?.close();
  await env?.cleanup();
});

interface Refusal {
  method: string;
  path: string;
  origin: string | null;
  site: string | null;
}

/** The daemon's log lines for refused cookie requests. */
function refusals(): Refusal[] {
  const text = existsSync(env.layout.daemonLog) ? readFileSync(env.layout.daemonLog, 'utf8') : '';
  return text
    .split('\n')
    .filter((l) => l.includes('cookie request refused'))
    .map((l) => JSON.parse(l) as Refusal);
}

async function sessionCookie(): Promise<string> {
  const c = (await browser.context.cookies(daemon)).find((k) => k.name === `conductor_session_${client.state.port}`);
  if (!c) throw new Error('the browser holds no session cookie');
  return `${c.name}=${c.value}`;
}

const csrf = () => page.evaluate(() => localStorage.getItem('conductor.csrf') ?? '');

describe('a page on another local port, in the logged-in browser', () => {
  it('sends the session cookie along, and the daemon refuses every request: nothing is read, nothing launched', async () => {
    const evil = await browser.context.newPage();
    const answered: Array<{ label: string; status: number }> = [];
    evil.on('response', (r) => {
      if (r.url().startsWith(daemon)) answered.push({ label: `${r.request().method()} ${new URL(r.url()).pathname}`, status: r.status() });
    });
    try {
      await evil.goto(attackerOrigin);
      const results = await evil.evaluate(() => (window as unknown as { attack: () => Promise<Record<string, string>> }).attack());
      expect(results['read sessions']).toMatch(/^failed/);
      expect(results['read events']).toMatch(/^failed/);
      // Each request reached the daemon with the session cookie (only those are logged so) and was refused.
      const expected = ['GET /sessions', 'GET /sessions', 'GET /events', 'POST /sessions', 'POST /dashboard/codes', 'POST /sessions'];
      await expect.poll(() => refusals().map((r) => `${r.method} ${r.path}`).sort(), { timeout: 10_000 }).toEqual(expected.sort());
      for (const r of refusals()) expect(r.origin === attackerOrigin || r.site === 'same-site', JSON.stringify(r)).toBe(true);
      // What the browser could see of the answers to its no-cors and form requests: refusals.
      for (const a of answered.filter((x) => x.label !== 'GET /')) expect([401, 403], a.label).toContain(a.status);
      await screenshot(evil, 'cross-origin-page');
      // Framing is refused: the dashboard never renders inside another page.
      expect(await evil.frameLocator('#frame').locator('[data-testid=app], [data-testid=login-help]').count()).toBe(0);
      const names = (await env.sessions(true)).map((s) => s.name);
      expect(names).not.toContain('evil-fetch');
      expect(names).not.toContain('evil-form');
    } finally {
      await evil.close();
    }
  });

  it('the cookie alone reads nothing: the CSRF token, the own origin and same-origin fetch metadata are each required', async () => {
    const cookie = await sessionCookie();
    const token = await csrf();
    const call = (headers: Record<string, string>) => fetch(`${daemon}/sessions`, { headers: { cookie, ...headers } });
    expect((await call({ 'x-conductor-csrf': token, origin: daemon, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    const noToken = await call({ origin: daemon });
    expect(noToken.status).toBe(401);
    expect(((await noToken.json()) as { error: { message: string } }).error.message).toMatch(/x-conductor-csrf/);
    const otherPort = await call({ 'x-conductor-csrf': token, origin: attackerOrigin });
    expect(otherPort.status).toBe(403);
    expect(((await otherPort.json()) as { error: { message: string } }).error.message).toContain(attackerOrigin);
    expect((await call({ 'x-conductor-csrf': token, 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await fetch(`${daemon}/sessions`, { headers: { 'x-conductor-csrf': token } })).status).toBe(401);
    // No response ever allows another origin to read it.
    for (const r of [noToken, otherPort]) expect(r.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('the page forbids framing and foreign scripts; login links come only from the CLI; the bearer path is unchanged', async () => {
    const res = await fetch(`${daemon}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const minted = await fetch(`${daemon}/dashboard/codes`, {
      method: 'POST',
      headers: { cookie: await sessionCookie(), 'x-conductor-csrf': await csrf(), origin: daemon },
    });
    expect(minted.status).toBe(403);
    expect((await client.get<{ sessions: unknown[] }>('/sessions')).sessions).toBeInstanceOf(Array);
    const viaLogin = await fetch(`${daemon}/dashboard/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: attackerOrigin },
      body: JSON.stringify({ code: 'a'.repeat(43) }),
    });
    expect(viaLogin.status).toBe(403);
  });
});
