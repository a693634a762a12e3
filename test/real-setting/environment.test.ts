import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDaemonState } from '../../src/server/state.js';
import { TestEnv } from '../helpers/env.js';

/**
 * The user's setting, not a lab's: a tmux server that was started long ago with another
 * environment, a daemon started from a shell that exported nothing, and a launch from a shell
 * that exported keys and has tools on its PATH.
 */
describe('a tmux server and daemon older than the launching shell', () => {
  const env = new TestEnv();
  const toolDir = mkdtempSync(join(tmpdir(), 'conductor-tools-'));

  beforeAll(async () => {
    // The server starts first, from an environment of its own, and keeps a global variable.
    const server = await execa('env', ['-i', `PATH=/usr/bin:/bin`, `HOME=${tmpdir()}`, 'STALE_FROM_SERVER=old', 'tmux', '-L', env.socket, 'new-session', '-d', '-s', 'users-own'], { reject: false });
    expect(server.exitCode, String(server.stderr)).toBe(0);
    expect((await env.tmux(['set-environment', '-g', 'LEAKED_GLOBAL', 'from-tmux'])).exitCode).toBe(0);
    // The daemon starts from a shell with no key and none of the user's tools.
    await env.cliOk(['daemon', 'start'], { bare: true });
    writeFileSync(join(toolDir, 'users-tool'), '#!/bin/sh\necho users-tool-ran\n');
    chmodSync(join(toolDir, 'users-tool'), 0o755);
  });
  afterAll(async () => {
    await env.cleanup();
    rmSync(toolDir, { recursive: true, force: true });
  });

  const shellEnv = () => ({
    PATH: `${toolDir}:${process.env.PATH}`,
    SHELL_ONLY_KEY: 'sk-shell-123',
    // Marks of the shell the CLI runs in, which must not reach the agent.
    CLAUDECODE: '1',
    npm_config_cache: 'npm-internal',
    TMUX_PANE: '%999',
  });

  it('gives the agent the launching shell’s environment and PATH, not the tmux server’s', async () => {
    const out = await env.cliOk(['launch', '--headless', '--json', '--cwd', env.home, '--provider', 'shell'], { env: shellEnv() });
    const t = JSON.parse(out) as { id: string };
    await env.waitForStatus(t.id, ['idle', 'completed']);
    await env.cliOk(['send', t.id, 'echo "[$SHELL_ONLY_KEY][$STALE_FROM_SERVER][$LEAKED_GLOBAL][$CLAUDECODE][$npm_config_cache][$CONDUCTOR_TERMINAL_ID]"; users-tool']);
    await env.waitForStatus(t.id, ['completed']);
    const last = (await env.cliOk(['output', t.id, '--last'])).trim();
    expect(last).toBe(`[sk-shell-123][][][][][${t.id}]\nusers-tool-ran`);
    // The pane is still tmux's own: TERM and TMUX_PANE come from tmux, not from the shell.
    await env.cliOk(['send', t.id, 'echo "[$TMUX_PANE][${TERM:-none}]"']);
    await env.waitForStatus(t.id, ['completed']);
    const pane = (await env.cliOk(['output', t.id, '--last'])).trim();
    expect(pane).toMatch(/^\[%\d+\]\[(?!none)\S+\]$/);
    expect(pane).not.toContain('%999');
    // The env file that carries it is private.
    const envFile = join(env.layout.runtime, t.id, 'env.sh');
    expect((await import('node:fs')).statSync(envFile).mode & 0o777).toBe(0o600);
  });

  it('refuses an environment that is too large, naming it, and leaves nothing behind', async () => {
    const before = await state(env);
    const big = Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`BIG_${i}`, 'x'.repeat(100 * 1024)]));
    const r = await env.cli(['launch', '--headless', '--cwd', env.home, '--provider', 'shell'], { env: big });
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toMatch(/launchEnv.*over the limit of 256 KiB.*BIG_/s);
    expect(await state(env)).toEqual(before);
  });

  it('refuses a profile whose provider does not exist, naming the field and the known providers', async () => {
    mkdirSync(env.layout.profiles, { recursive: true });
    writeFileSync(join(env.layout.profiles, 'typo.md'), '---\nname: typo\ndescription: a profile with a typo\nprovider: claude-code\n---\nYou help.\n');
    const before = await state(env);
    const r = await env.cli(['launch', '--headless', '--cwd', env.home, '--profile', 'typo']);
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toMatch(/typo\.md: provider: unknown provider 'claude-code'; known providers: shell, claude_code/);
    expect(await state(env)).toEqual(before);
  });
});

/** Terminal rows, tmux windows and runtime folders: what a refused launch must not add to. */
async function state(env: TestEnv) {
  const terminals = (await env.sessions(true)).flatMap((s) => s.terminals.map((t) => t.id));
  const windows = String((await env.tmux(['list-windows', '-a', '-F', '#{window_id}'])).stdout).split('\n').filter(Boolean);
  const runtime = existsSync(env.layout.runtime) ? readdirSync(env.layout.runtime) : [];
  return { terminals, windows, runtime };
}

describe('a daemon started from a pane of another tmux server', () => {
  const env = new TestEnv();
  const socketRoot = mkdtempSync(join(tmpdir(), 'conductor-sockets-'));
  const uid = process.getuid!();
  const defaultSocket = join(socketRoot, `tmux-${uid}`, 'default');
  const otherSocket = join(socketRoot, 'work.sock');

  beforeAll(async () => {
    // No CONDUCTOR_TMUX_SOCKET: the conductor must take tmux's default for this user.
    delete (env.env as Record<string, string | undefined>).CONDUCTOR_TMUX_SOCKET;
    env.env.TMUX_TMPDIR = socketRoot;
    expect((await execa('tmux', ['-S', otherSocket, 'new-session', '-d', '-s', 'work'], { reject: false })).exitCode).toBe(0);
  });
  afterAll(async () => {
    const c = await env.client().catch(() => undefined);
    await c?.delete('/terminals').catch(() => undefined);
    await env.stopDaemon();
    for (const socket of [defaultSocket, otherSocket]) await execa('tmux', ['-S', socket, 'kill-server'], { reject: false });
    rmSync(socketRoot, { recursive: true, force: true });
    rmSync(env.home, { recursive: true, force: true });
  });

  it('runs its terminals on the pinned server, says which in its log, and never follows $TMUX', async () => {
    const insideOther = { TMUX: `${otherSocket},4242,0`, TMUX_PANE: '%0' };
    const out = await env.cliOk(['launch', '--headless', '--json', '--cwd', env.home, '--provider', 'shell'], { env: insideOther });
    const t = JSON.parse(out) as { id: string; tmuxWindow: string; tmuxSession: string };
    const onDefault = await execa('tmux', ['-S', defaultSocket, 'list-windows', '-a', '-F', '#{window_id}'], { reject: false });
    expect(String(onDefault.stdout).split('\n')).toContain(t.tmuxWindow);
    const onOther = await execa('tmux', ['-S', otherSocket, 'list-sessions', '-F', '#{session_name}'], { reject: false });
    expect(String(onOther.stdout).trim()).toBe('work');
    expect(readDaemonState(env.layout)?.tmuxSocket).toBe(defaultSocket);
    const logged = readFileSync(env.layout.daemonLog, 'utf8').split('\n').filter((l) => l.includes('daemon listening'));
    expect(JSON.parse(logged.at(-1)!).tmuxSocket).toBe(defaultSocket);
    // From a plain terminal the same commands work: send, ls, output all reach the window.
    await env.cliOk(['send', t.id, 'echo from-plain-terminal']);
    await env.waitForStatus(t.id, ['completed']);
    expect((await env.cliOk(['output', t.id, '--last'])).trim()).toBe('from-plain-terminal');
  });

  it('says clearly when the socket cannot be used', async () => {
    const file = join(socketRoot, 'a-file');
    writeFileSync(file, '');
    const other = new TestEnv();
    try {
      const r = await other.cli(['daemon', 'start'], { env: { CONDUCTOR_TMUX_SOCKET: join(file, 'sock') } });
      expect(r.exitCode).not.toBe(0);
      expect(String(r.stderr)).toMatch(/cannot use the tmux socket .*a-file\/sock.*set CONDUCTOR_TMUX_SOCKET/);
    } finally {
      rmSync(other.home, { recursive: true, force: true });
    }
  });
});
