import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TestEnv } from '../helpers/env.js';
import { freshRepo, git, launchShell, read, runInShell } from './repo.js';

// Real git and tmux on a loaded machine: each step can take seconds.
describe('a worktree terminal across a daemon restart', { timeout: 120_000 }, () => {
  const env = new TestEnv();
  afterAll(() => env.cleanup());

  it('starts in the same subfolder of its worktree, and is found again with its worktree after a restart', async () => {
    const repo = await freshRepo(env);
    mkdirSync(join(repo, 'packages', 'web'), { recursive: true });
    writeFileSync(join(repo, 'packages', 'web', 'index.txt'), 'web\n');
    await git(repo, 'add', '.');
    await git(repo, 'commit', '-q', '-m', 'a package');
    const t = await launchShell(env, join(repo, 'packages', 'web'), ['--worktree']);
    expect(t.cwd).toBe(join(t.worktree!.path, 'packages', 'web'));
    await runInShell(env, t.id, 'echo edited >> index.txt');

    await env.stopDaemon();
    const [again] = (await env.sessions()).flatMap((s) => s.terminals); // starts a new daemon
    expect(again).toMatchObject({ id: t.id, cwd: t.cwd, worktree: t.worktree });
    expect(again.status).not.toBe('exited');
    await runInShell(env, t.id, `pwd > "$CONDUCTOR_HOME/pwd-${t.id}"`);
    expect(read(join(env.home, `pwd-${t.id}`)).trim()).toBe(t.cwd);
    expect(await env.cliOk(['diff', t.id])).toContain('+edited');
    expect(await env.cliOk(['shutdown', t.id])).toContain(`worktree kept at ${t.worktree!.path}`);
    expect(read(join(t.cwd, 'index.txt'))).toBe('web\nedited\n');
  });
});
