import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEvents } from '../../src/cli/events.js';
import { isAlive } from '../../src/process/tree.js';
import { TestEnv } from '../helpers/env.js';
import { waitForFile } from '../helpers/wait.js';

describe('terminal lifecycle', () => {
  const env = new TestEnv();
  afterAll(() => env.cleanup());

  it('runs a shell terminal: prompt given at launch, idle → completed, last response', async () => {
    const t = await env.launch(['--provider', 'shell', 'echo', 'launched-$((40+2))']);
    const done = await env.waitForStatus(t.id, ['completed']);
    expect(done.status).toBe('completed');
    expect((await env.cliOk(['output', t.id, '--last'])).trim()).toBe('launched-42');
    await env.cliOk(['send', t.id, 'sleep 1; echo slept']);
    const busy = await env.cliOk(['ls', '--json']);
    expect(JSON.parse(busy).sessions.flatMap((s: { terminals: unknown[] }) => s.terminals).find((x: { id: string }) => x.id === t.id).status).toBe('busy');
    await env.waitForStatus(t.id, ['completed']);
    expect((await env.cliOk(['output', t.id, '--last'])).trim()).toBe('slept');
    await env.cliOk(['shutdown', t.id]);
  });

  it('reports a crashed agent as exited with its exit code, keeping its last screen', async () => {
    const t = await env.launch(['--provider', 'shell']);
    await env.cliOk(['send', t.id, 'echo last words; exit 7']);
    const gone = await env.waitForStatus(t.id, ['exited']);
    expect(gone.statusDetail).toMatch(/status 7/);
    expect(gone.exitCode).toBe(7);
    expect(await env.cliOk(['output', t.id])).toContain('last words');
    const send = await env.cli(['send', t.id, 'hello']);
    expect(send.exitCode).toBe(4);
    expect(String(send.stderr)).toMatch(/has exited/);
  });

  it('shuts down a terminal that ignores SIGHUP and SIGTERM, leaving no process behind', async () => {
    const pidFile = join(env.home, 'child.pid');
    const t = await env.launchFakeAgent({
      FAKE_AGENT_IGNORE_SIGNALS: 'HUP,TERM',
      FAKE_AGENT_SPAWN_CHILD: '1',
      FAKE_AGENT_CHILD_PID_FILE: pidFile,
    });
    const childPid = await waitForFile(pidFile, () => Number(readFileSync(pidFile, 'utf8').trim()) || undefined);
    const pane = await env.tmux(['display-message', '-p', '-t', t.tmuxPane, '#{pane_pid}']);
    const agentPid = Number(String(pane.stdout).trim());
    expect(isAlive(agentPid)).toBe(true);
    expect(isAlive(childPid)).toBe(true);
    const report = JSON.parse(await env.cliOk(['shutdown', t.id, '--json'])).shutdown[0];
    expect(['exit-command', 'sigkill']).toContain(report.method);
    expect(isAlive(agentPid)).toBe(false);
    expect(isAlive(childPid)).toBe(false);
    const windows = await env.tmux(['list-windows', '-a', '-F', '#{window_id}']);
    expect(String(windows.stdout)).not.toContain(t.tmuxWindow);
  });

  it('escalates to SIGKILL when the exit command is ignored', async () => {
    const t = await env.launchFakeAgent({ FAKE_AGENT_IGNORE_SIGNALS: 'HUP,TERM,INT' });
    const pane = await env.tmux(['display-message', '-p', '-t', t.tmuxPane, '#{pane_pid}']);
    const agentPid = Number(String(pane.stdout).trim());
    // While it streams a long answer the agent drops typed input, so `/exit` goes unheard.
    await env.cliOk(['send', t.id, 'x'.repeat(20_000)]);
    const report = JSON.parse(await env.cliOk(['shutdown', t.id, '--json'])).shutdown[0];
    expect(report.method).toBe('sigkill');
    expect(isAlive(agentPid)).toBe(false);
  });

  it('keeps terminals alive across a daemon restart and watches them again', async () => {
    const a = await env.launchFakeAgent();
    const b = await env.launch(['--provider', 'shell']);
    await env.cliOk(['send', a.id, 'before restart']);
    await env.waitForStatus(a.id, ['completed']);
    await env.stopDaemon();
    // While the daemon is down: one terminal's window is closed, the other keeps running.
    await env.tmux(['kill-window', '-t', b.tmuxWindow]);
    const sessions = await env.sessions(true);
    const all = sessions.flatMap((s) => s.terminals);
    expect(all.find((t) => t.id === a.id)?.status).toBe('completed');
    const bAfter = all.find((t) => t.id === b.id)!;
    // Its shell never exited on its own: lost, for `conductor resume` (docs/resume.md).
    expect(bAfter.status).toBe('lost');
    expect(bAfter.statusDetail).toMatch(/vanished while the agent was running/);
    // The surviving terminal is watched again: new input is seen through to completion.
    await env.cliOk(['send', a.id, 'after restart']);
    await env.waitForStatus(a.id, ['completed']);
    expect((await env.cliOk(['output', a.id, '--last'])).trim()).toBe('Echo: after restart');
    const log = readFileSync(join(env.home, 'logs', 'terminal', `${a.id}.log`), 'utf8');
    expect(log.match(/Echo: before restart/g)?.length).toBe(1);
    expect(log).toContain('Echo: after restart');
  });

  it('replays missed events to a client that resumes with Last-Event-ID', async () => {
    const client = await env.client();
    const first = await openEvents(client, {});
    const t = await env.launch(['--provider', 'shell']);
    const created = await first.next();
    first.close();
    expect(created?.type).toBe('terminal.created');
    await env.cliOk(['send', t.id, 'echo resumed']);
    await env.waitForStatus(t.id, ['completed']);
    const resumed = await openEvents(client, { since: created!.id, terminal: t.id });
    const types: string[] = [];
    for (;;) {
      const e = await resumed.next();
      types.push(`${e!.type}:${e!.data.status ?? ''}`);
      if (e!.data.status === 'completed') break;
    }
    resumed.close();
    expect(types).toContain('terminal.input:');
    expect(types.at(-1)).toBe('terminal.status:completed');
  });

  it('follows the clean log live with `logs -f` until the terminal exits', async () => {
    const t = await env.launch(['--provider', 'shell']);
    const follower = env.cli(['logs', t.id, '-f']);
    await env.cliOk(['send', t.id, 'echo followed-line']);
    await env.waitForStatus(t.id, ['completed']);
    await env.cliOk(['send', t.id, 'exit 0']);
    const r = await follower;
    expect(r.exitCode).toBe(0);
    expect(String(r.stdout)).toContain('followed-line');
    expect(String(r.stdout)).not.toMatch(/\u001b/);
  });

  it('says clearly when the tmux server is gone', async () => {
    const t = await env.launch(['--provider', 'shell']);
    await env.tmux(['kill-server']);
    await env.waitForStatus(t.id, ['exited']);
    const r = await env.cli(['send', t.id, 'hello']);
    expect(r.exitCode).not.toBe(0);
    expect(String(r.stderr)).toMatch(/has exited/);
    // A new launch starts a new tmux server.
    const again = await env.launch(['--provider', 'shell']);
    expect(again.status).toBe('idle');
  });
});
