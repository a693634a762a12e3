import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvents } from '../../src/cli/events.js';
import { endpointFile } from '../../src/hooks/secrets.js';
import type { TerminalRecord } from '../../src/terminal/schema.js';
import { statusesUntil } from '../e2e/shared.js';
import { fixtures, TestEnv } from '../helpers/env.js';

/**
 * The event path end to end with the fake agent reporting its own turns through its hook command
 * (the conductor's bash hook script posting to the real daemon), and the hook route's refusals.
 */

type Terminal = TerminalRecord & { statusSource: string | null };

function installEventsProvider(env: TestEnv): void {
  const yaml = readFileSync(join(fixtures, 'fake-agent-events.provider.yaml'), 'utf8').replaceAll('{{fixtures}}', fixtures);
  writeFileSync(join(env.home, 'providers', 'fake_agent_events.yaml'), yaml);
}

function writeScript(env: TestEnv): string {
  const file = join(env.home, 'script.json');
  const rules = [
    // Half the answer, then five seconds without drawing anything (spinner included), then the rest.
    { match: '^pause', answer: 'first half of the answer, then the second half after a long silence', chunkSize: 6, chunkMs: 20, pauseAt: 24, pauseMs: 5000 },
    { match: '^slow', answer: 'a slow answer', thinkMs: 1500 },
    { match: '^ask', ask: 'Run the command?' },
  ];
  writeFileSync(file, JSON.stringify(rules));
  return file;
}

describe('agent hook events (fake agent with a hook command, real daemon)', () => {
  const env = new TestEnv();
  let script = '';
  let a: Terminal;
  let b: Terminal;

  beforeAll(async () => {
    installEventsProvider(env);
    script = writeScript(env);
    a = (await env.launch(['--provider', 'fake_agent_events'], { FAKE_AGENT_SCRIPT: script })) as Terminal;
    b = (await env.launch(['--provider', 'fake_agent_events'], { FAKE_AGENT_SCRIPT: script })) as Terminal;
  }, 30_000);
  afterAll(() => env.cleanup());

  const terminal = async (id: string) => (await env.client()).get<Terminal>(`/terminals/${id}`);
  const hookUrl = async (id: string, name: string) => `${(await env.client()).baseUrl}/hooks/${id}/${name}`;
  const secretOf = (id: string) => readFileSync(endpointFile(join(env.layout.runtime, id)), 'utf8').trim().split(' ')[1];
  const post = async (id: string, name: string, body: string, secret?: string) =>
    fetch(await hookUrl(id, name), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret === undefined ? {} : { authorization: `Bearer ${secret}` }) },
      body,
    });

  it('completes a turn from the agent\'s own turn-end event, with its exact answer', async () => {
    const stream = await openEvents(await env.client(), { terminal: a.id, types: 'terminal.status' });
    try {
      await env.cliOk(['send', a.id, 'hello from the test']);
      const seen = await statusesUntil(stream, (s) => s === 'completed' || s === 'error', 15_000);
      expect(seen.at(-1)!.status).toBe('completed');
    } finally {
      stream.close();
    }
    expect(await env.cliOk(['output', a.id, '--last'])).toBe('Echo: hello from the test');
    expect((await terminal(a.id)).statusSource).toBe('events');
  }, 20_000);

  it('never reports completed during a five-second silent pause mid-answer', async () => {
    const stream = await openEvents(await env.client(), { terminal: a.id, types: 'terminal.status' });
    const started = Date.now();
    try {
      await env.cliOk(['send', a.id, 'pause please']);
      const seen = await statusesUntil(stream, (s) => s === 'completed' || s === 'error', 20_000);
      expect(seen.map((s) => s.status)).not.toContain('idle');
      expect(seen.at(-1)!.status).toBe('completed');
      expect(seen.at(-1)!.at - started).toBeGreaterThanOrEqual(5000);
    } finally {
      stream.close();
    }
    expect(await env.cliOk(['output', a.id, '--last'])).toBe('first half of the answer, then the second half after a long silence');
  }, 30_000);

  it('follows a prompt typed into the pane by hand, to completed with its answer', async () => {
    const stream = await openEvents(await env.client(), { terminal: a.id, types: 'terminal.status' });
    try {
      // A human at the keyboard: tmux send-keys, not the conductor's input path.
      await env.tmux(['send-keys', '-t', a.tmuxPane, '-l', 'typed by hand']);
      await env.tmux(['send-keys', '-t', a.tmuxPane, 'Enter']);
      const seen = await statusesUntil(stream, (s) => s === 'completed' || s === 'error', 15_000);
      expect(seen[0].status).toBe('busy');
      expect(seen.at(-1)!.status).toBe('completed');
    } finally {
      stream.close();
    }
    expect(await env.cliOk(['output', a.id, '--last'])).toBe('Echo: typed by hand');
  }, 20_000);

  it('reports a question as waiting_input from the agent\'s event', async () => {
    const stream = await openEvents(await env.client(), { terminal: b.id, types: 'terminal.status' });
    try {
      await env.cliOk(['send', b.id, 'ask me']);
      const seen = await statusesUntil(stream, (s) => s === 'waiting_input' || s === 'completed' || s === 'error', 15_000);
      expect(seen.at(-1)!.status).toBe('waiting_input');
      await (await env.client()).post(`/terminals/${b.id}/keys`, { keys: ['1'] });
      const rest = await statusesUntil(stream, (s) => s === 'completed' || s === 'error', 15_000);
      expect(rest.at(-1)!.status).toBe('completed');
    } finally {
      stream.close();
    }
    expect(await env.cliOk(['output', b.id, '--last'])).toBe('Approved: Run the command?');
  }, 30_000);

  it('refuses a hook call without a secret or with a wrong one (401), changing nothing', async () => {
    const before = await terminal(a.id);
    for (const secret of [undefined, 'not-the-secret', secretOf(a.id).replace(/.$/, (c) => (c === '0' ? '1' : '0'))]) {
      const res = await post(a.id, 'turn_start', '{"prompt":"x"}', secret);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/hook secret/);
    }
    expect((await terminal(a.id)).status).toBe(before.status);
  });

  it('refuses a hook that claims another terminal (403), changing nothing', async () => {
    const res = await post(a.id, 'turn_start', '{"prompt":"x"}', secretOf(b.id));
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/another terminal/);
    expect((await terminal(a.id)).status).toBe('completed');
  });

  it('refuses a malformed hook body (400), changing nothing', async () => {
    for (const body of ['{not json', '[1,2]', '"a string"']) {
      const res = await post(a.id, 'turn_start', body, secretOf(a.id));
      expect(res.status).toBe(400);
    }
    const bad = await post(a.id, 'bad name!', '{}', secretOf(a.id));
    expect(bad.status).toBe(400);
    expect((await terminal(a.id)).status).toBe('completed');
    expect((await (await env.client()).get<{ ok: boolean }>('/health')).ok).toBe(true);
  });

  it('ignores hook names the provider does not know', async () => {
    const res = await post(a.id, 'SomethingElse', '{}', secretOf(a.id));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: true, event: null });
    expect((await terminal(a.id)).status).toBe('completed');
  });
});

describe('a hook that cannot reach the daemon', () => {
  const env = new TestEnv();
  afterAll(() => env.cleanup());

  it('leaves the agent working, and the screen takes over the status', async () => {
    installEventsProvider(env);
    const t = (await env.launch(['--provider', 'fake_agent_events'])) as Terminal;
    // Point the hook at a port nobody listens on, as after a daemon restart on another port.
    const file = endpointFile(join(env.layout.runtime, t.id));
    const [, secret, id] = readFileSync(file, 'utf8').trim().split(' ');
    writeFileSync(file, `1 ${secret} ${id}\n`);
    const stream = await openEvents(await env.client(), { terminal: t.id, types: 'terminal.status' });
    try {
      await env.cliOk(['send', t.id, 'still answered']);
      // No event arrives: the screen's idle, held for the fallback window, ends the turn.
      const seen = await statusesUntil(stream, (s) => s === 'completed' || s === 'error', 25_000);
      expect(seen.at(-1)!.status).toBe('completed');
    } finally {
      stream.close();
    }
    const after = await (await env.client()).get<Terminal>(`/terminals/${t.id}`);
    expect(after.statusDetail).toMatch(/no turn-end event/);
    expect(await env.cliOk(['output', t.id, '--last'])).toBe('Echo: still answered');
  }, 40_000);
});
