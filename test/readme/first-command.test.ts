import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/env.js';

/** The README's first command, exactly as written: the first line of its first `sh` block. */
function readmeFirstCommand(readme: string): string {
  const block = /```sh\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('the README has no ```sh block');
  return block[1].split('\n')[0].replace(/\s+#.*$/, '').trim();
}

/**
 * A new user's first minute: a fresh clone, then the README's first command, literally. Its
 * standard input is not a terminal, so `launch` prints the new terminal's id instead of attaching.
 */
describe('the README’s first command on a fresh clone', () => {
  const root = mkdtempSync(join(tmpdir(), 'conductor-readme-'));
  const clone = join(root, 'clone');
  const world = {
    CONDUCTOR_HOME: join(root, 'home'),
    CONDUCTOR_TMUX_SOCKET: `conductor-readme-${process.pid}`,
    CONDUCTOR_PORT: '0',
  };
  const inClone = (file: string, args: string[]) =>
    execa(file, args, { cwd: clone, env: { ...process.env, ...world }, reject: false, stdin: 'ignore', timeout: 60_000 });

  afterAll(async () => {
    await inClone('./bin/conductor', ['shutdown', '--all']);
    await inClone('./bin/conductor', ['daemon', 'stop']);
    await execa('tmux', ['-L', world.CONDUCTOR_TMUX_SOCKET, 'kill-server'], { reject: false });
    rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  });

  it('installs, then starts a watched shell terminal', async () => {
    const command = readmeFirstCommand(readFileSync(join(repoRoot, 'README.md'), 'utf8'));
    expect(command).toBe('npm install && ./bin/conductor launch --provider shell');
    const cloned = await execa('git', ['clone', '--quiet', repoRoot, clone], { reject: false });
    expect(cloned.exitCode, String(cloned.stderr)).toBe(0);

    const run = await execa('bash', ['-c', command], {
      cwd: clone,
      env: { ...process.env, ...world },
      reject: false,
      stdin: 'ignore',
      timeout: 900_000,
    });
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`.slice(-3000)).toBe(0);
    const id = /^([0-9a-f]{8})$/m.exec(String(run.stdout))?.[1];
    expect(id, String(run.stdout).slice(-2000)).toBeTruthy();
    expect(String(run.stderr)).toContain(`not a terminal, so not attaching: \`conductor attach ${id}\``);

    const ls = await inClone('./bin/conductor', ['ls', '--json']);
    const terminals = (JSON.parse(String(ls.stdout)) as { sessions: Array<{ terminals: Array<{ id: string; provider: string; status: string }> }> }).sessions.flatMap((s) => s.terminals);
    const terminal = terminals.find((t) => t.id === id);
    expect(terminal?.provider).toBe('shell');
    expect(['idle', 'completed']).toContain(terminal?.status);
  }, 960_000);
});
