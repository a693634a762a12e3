import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvents } from '../../src/cli/events.js';
import { writeDaemonState } from '../../src/server/state.js';
import { TestEnv } from '../helpers/env.js';

const BLOCKED = /^conductor: this tool call is blocked: the conductor's approval hook failed \((.+)\)\. Do not retry it/m;

/** Claude Code lets a tool run on exit 0 without a deny, and on exit 1 (a "non-blocking error"): only 2 or a deny blocks it. */
function expectBlocked(r: { exitCode?: number; stdout: unknown; stderr: unknown }, reason: RegExp): void {
  expect(r.exitCode).toBe(2);
  expect(String(r.stdout)).not.toContain('"allow"');
  const m = BLOCKED.exec(String(r.stderr));
  expect(m, String(r.stderr)).not.toBeNull();
  expect(m![1]).toMatch(reason);
}

describe('the Claude Code approval hook fails closed', () => {
  const env = new TestEnv();
  let terminal: string;
  const call = (tool: string, input: Record<string, unknown>) => JSON.stringify({ tool_name: tool, tool_input: input, cwd: env.home });
  const hook = (input: string, extraEnv: Record<string, string> = {}) =>
    env.cli(['hook', 'pre-tool-use'], { input, env: { CONDUCTOR_TERMINAL_ID: terminal, ...extraEnv } });

  beforeAll(async () => {
    terminal = (await env.launch(['--provider', 'shell'])).id;
  });
  afterAll(() => env.cleanup());

  it('lets a harmless call run and holds a risky one (the working baseline)', async () => {
    const ok = await hook(call('Bash', { command: 'ls -la' }));
    expect(ok.exitCode).toBe(0);
    expect(String(ok.stdout)).toBe('');
    expect(String(ok.stderr)).toBe('');
    const c = await env.client();
    const events = await openEvents(c, { types: 'approval.requested' });
    const held = hook(call('Bash', { command: 'rm -rf build' }));
    const requested = await events.next();
    events.close();
    await env.cliOk(['deny', String(requested!.data.approvalId), '--reason', 'not today']);
    const denied = await held;
    expect(denied.exitCode).toBe(0);
    expect(JSON.parse(String(denied.stdout)).hookSpecificOutput).toMatchObject({ permissionDecision: 'deny' });
    expect(JSON.parse(String(denied.stdout)).hookSpecificOutput.permissionDecisionReason).toMatch(/^Denied by human.*: not today/);
  });

  it('blocks on malformed input: not JSON, not an object, no tool, a bad tool_input', async () => {
    expectBlocked(await hook('{"tool_name": "Bash", '), /its input is not valid JSON/);
    expectBlocked(await hook(''), /its input is not valid JSON/);
    expectBlocked(await hook('[1,2]'), /its input is not a JSON object/);
    expectBlocked(await hook('null'), /its input is not a JSON object/);
    expectBlocked(await hook(JSON.stringify({ tool_input: { command: 'rm -rf /' } })), /names no tool/);
    expectBlocked(await hook(JSON.stringify({ tool_name: 'Bash', tool_input: 'rm -rf /' })), /tool_input is not a JSON object/);
  });

  it('blocks outside a conductor terminal (no CONDUCTOR_TERMINAL_ID)', async () => {
    const r = await env.cli(['hook', 'pre-tool-use'], { input: call('Bash', { command: 'ls' }), env: { CONDUCTOR_TERMINAL_ID: '' } });
    expectBlocked(r, /CONDUCTOR_TERMINAL_ID is not set/);
  });

  it('blocks when the hook itself crashes', async () => {
    expectBlocked(await hook(call('Bash', { command: 'ls' }), { CONDUCTOR_TEST_HOOK_CRASH: '1' }), /injected hook crash/);
  });

  it('blocks when the daemon is stopped and cannot be started', async () => {
    await env.stopDaemon();
    // The port is taken, so the daemon the hook starts on demand cannot listen.
    const squatter = await listening(createServer((_req, res) => res.end()));
    try {
      const r = await hook(call('Bash', { command: 'ls' }), { CONDUCTOR_PORT: String((squatter.address() as AddressInfo).port) });
      expectBlocked(r, /the daemon did not start: .*port \d+ on 127\.0\.0\.1 is in use/);
    } finally {
      squatter.close();
    }
  });

  it('blocks when the daemon accepts the check but never answers it', async () => {
    const other = new TestEnv();
    let hung = 0;
    const stalled = await listening(
      createServer((req, res) => {
        if (req.url === '/health') return res.end(JSON.stringify({ ok: true, pid: process.pid }));
        hung++; // never answered
      }),
    );
    try {
      writeDaemonState(other.layout, {
        pid: process.pid,
        port: (stalled.address() as AddressInfo).port,
        token: 'a'.repeat(64),
        version: 'test',
        startedAt: new Date().toISOString(),
        tmuxSocket: null,
      });
      const started = Date.now();
      const r = await other.cli(['hook', 'pre-tool-use'], {
        input: call('Bash', { command: 'ls' }),
        env: { CONDUCTOR_TERMINAL_ID: terminal, CONDUCTOR_HOOK_TIMEOUT_MS: '800' },
      });
      expectBlocked(r, /the daemon did not answer POST \/approvals\/check within 800 ms/);
      expect(hung).toBe(1);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      stalled.closeAllConnections();
      stalled.close();
      await other.cleanup();
    }
  });
});

function listening(server: Server): Promise<Server> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
