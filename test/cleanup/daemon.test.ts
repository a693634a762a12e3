import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TerminalRecord } from '../../src/terminal/schema.js';
import { TestEnv } from '../helpers/env.js';
import { waitForFile } from '../helpers/wait.js';

describe('housekeeping in the daemon', () => {
  const env = new TestEnv();
  // A retention of a few microseconds: anything that has exited is already old.
  env.env.CONDUCTOR_RETENTION_DAYS = '0.0000001';
  afterAll(() => env.cleanup());

  it('at start removes exited terminals with their logs and runtime folder, and leaves live ones alone', async () => {
    const live = await env.launch(['--provider', 'shell', '--session', 'keep']);
    const done = await env.launch(['--provider', 'shell', '--session', 'done']);
    await env.cliOk(['shutdown', done.id]);
    const log = join(env.home, 'logs', 'terminal', `${done.id}.log`);
    expect(existsSync(log)).toBe(true);
    await env.stopDaemon();

    await env.client(); // starts the daemon, whose first cleanup pass runs at once
    await waitForFile(log, () => !existsSync(log), 15_000, `${log} to be removed`);
    expect(existsSync(join(env.home, 'logs', 'terminal', `${done.id}.raw`))).toBe(false);
    expect(existsSync(join(env.home, 'run', done.id))).toBe(false);
    const all = (await env.sessions(true)).flatMap((s) => s.terminals) as TerminalRecord[];
    expect(all.map((t) => t.id)).toEqual([live.id]);
    expect(all[0].status).not.toBe('exited');
    expect(existsSync(join(env.home, 'logs', 'terminal', `${live.id}.log`))).toBe(true);
    expect(existsSync(join(env.home, 'run', live.id))).toBe(true);
    await env.cliOk(['send', live.id, 'echo still-here']);
    await env.waitForStatus(live.id, ['completed']);
    expect((await env.cliOk(['output', live.id, '--last'])).trim()).toBe('still-here');
  });

  it('refuses to start with a retention that is not a positive number of days', async () => {
    await env.stopDaemon();
    const r = await env.cli(['daemon', 'start'], { env: { CONDUCTOR_RETENTION_DAYS: 'forever' } });
    expect(r.exitCode).not.toBe(0);
    expect(String(r.stderr)).toMatch(/CONDUCTOR_RETENTION_DAYS='forever' is not a positive number of days/);
  });
});
