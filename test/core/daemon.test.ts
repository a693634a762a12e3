import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findDaemon } from '../../src/cli/client.js';
import { TestEnv } from '../helpers/env.js';

describe('the daemon', () => {
  const env = new TestEnv();
  afterAll(() => env.cleanup());

  it('starts on demand, says so on stderr, and writes daemon.json with mode 0600', async () => {
    const r = await env.cli(['ls']);
    expect(r.exitCode).toBe(0);
    expect(String(r.stderr)).toContain('starting the daemon');
    const file = join(env.home, 'daemon.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const state = JSON.parse(readFileSync(file, 'utf8'));
    expect(state.port).toBeGreaterThan(0);
    const again = await env.cli(['ls']);
    expect(String(again.stderr)).not.toContain('starting the daemon');
  });

  it('answers /health without a token and without secrets', async () => {
    const c = (await findDaemon(env.layout))!;
    const res = await fetch(`${c.baseUrl}/health`);
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(body).not.toContain(c.state.token);
  });

  it('refuses requests without the token, with a foreign Host or a foreign Origin', async () => {
    const c = (await findDaemon(env.layout))!;
    expect((await fetch(`${c.baseUrl}/sessions`)).status).toBe(401);
    expect((await fetch(`${c.baseUrl}/sessions`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    const auth = { authorization: `Bearer ${c.state.token}` };
    expect((await fetch(`${c.baseUrl}/sessions`, { headers: auth })).status).toBe(200);
    // DNS rebinding: a page on evil.example resolves its name to 127.0.0.1.
    const rebound = await rawRequest(c.state.port, '/sessions', { ...auth, host: `evil.example:${c.state.port}` });
    expect(rebound.status).toBe(403);
    const foreign = await fetch(`${c.baseUrl}/sessions`, { headers: { ...auth, origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    const local = await fetch(`${c.baseUrl}/sessions`, { headers: { ...auth, origin: `http://localhost:${c.state.port}` } });
    expect(local.status).toBe(200);
    const health = await rawRequest(c.state.port, '/health', { host: 'evil.example' });
    expect(health.status).toBe(403);
  });

  it('answers bad input with a 4xx that says what is wrong, never a 500', async () => {
    const c = (await findDaemon(env.layout))!;
    const call = async (method: string, path: string, body?: string) => {
      const res = await fetch(`${c.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${c.state.token}`, 'content-type': 'application/json' },
        body,
      });
      return { status: res.status, body: (await res.json()) as { error: { message: string } } };
    };
    const bad = [
      await call('POST', '/sessions', '{not json'),
      await call('POST', '/sessions', JSON.stringify({ provider: 'nope' })),
      await call('POST', '/sessions', JSON.stringify({ cwd: '/definitely/not/here' })),
      await call('POST', '/sessions', JSON.stringify({ cwd: 'relative/path' })),
      await call('POST', '/sessions', JSON.stringify({ name: '../etc' })),
      await call('POST', '/sessions', JSON.stringify({ unknownField: 1 })),
      await call('GET', '/terminals/XYZ'),
      await call('GET', '/terminals/deadbeef'),
      await call('POST', '/terminals/deadbeef/input', JSON.stringify({ text: 'hi' })),
      await call('POST', '/terminals/deadbeef/input', JSON.stringify({})),
      await call('GET', '/terminals/deadbeef/output?mode=sideways'),
      await call('GET', '/no/such/route'),
    ];
    for (const r of bad) {
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.body.error.message.length).toBeGreaterThan(10);
    }
    expect(bad[1].body.error.message).toMatch(/provider 'nope' not found: known providers: shell/);
    expect(bad[7].status).toBe(404);
  });

  it('gives the CLI a one-line reason and a non-zero exit for unknown terminals', async () => {
    for (const args of [['send', 'deadbeef', 'hi'], ['output', 'deadbeef'], ['shutdown', 'deadbeef'], ['logs', 'deadbeef']]) {
      const r = await env.cli(args);
      expect(r.exitCode).toBe(3);
      expect(String(r.stderr).trim()).toBe("conductor: terminal 'deadbeef' not found: run `conductor ls` to see what exists");
    }
    const usage = await env.cli(['shutdown']);
    expect(usage.exitCode).toBe(2);
  });

  it('refuses a second daemon for the same home and replaces a stale daemon.json', async () => {
    const second = await env.cli(['daemon', 'run']);
    expect(second.exitCode).not.toBe(0);
    expect(String(second.stderr)).toMatch(/already running/);

    await env.stopDaemon();
    expect(existsSync(join(env.home, 'daemon.json'))).toBe(false);
    // A daemon that died hard leaves its files behind, naming a pid that is gone.
    writeFileSync(join(env.home, 'daemon.json'), JSON.stringify({ pid: 999999, port: 1, token: 'x'.repeat(64), version: '0', startedAt: '' }));
    writeFileSync(join(env.home, 'daemon.lock'), '999999');
    const r = await env.cli(['ls']);
    expect(r.exitCode).toBe(0);
    expect(String(r.stderr)).toContain('starting the daemon');
    expect((await findDaemon(env.layout))!.state.pid).not.toBe(999999);
  });

  it('reports a port in use clearly', async () => {
    const c = (await findDaemon(env.layout))!;
    const other = new TestEnv();
    try {
      const r = await other.cli(['ls'], { env: { CONDUCTOR_PORT: String(c.state.port) } });
      expect(r.exitCode).toBe(7);
      expect(String(r.stderr)).toMatch(/port \d+ on 127\.0\.0\.1 is in use: set CONDUCTOR_PORT/);
    } finally {
      await other.cleanup();
    }
  });
});

/** fetch() will not send a custom Host header; a raw request can. */
async function rawRequest(port: number, path: string, headers: Record<string, string>): Promise<{ status: number }> {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.on('error', reject);
    req.end();
  });
}
