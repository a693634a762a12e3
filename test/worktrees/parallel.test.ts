import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TestEnv } from '../helpers/env.js';
import { freshRepo, git, launchShell, runInShell } from './repo.js';

// Real git and tmux on a loaded machine: each step can take seconds.
describe('merges at the same time', { timeout: 120_000 }, () => {
  const env = new TestEnv();
  afterAll(() => env.cleanup());

  it('merges two workers into one branch at once, one after the other, both in', async () => {
    const repo = await freshRepo(env);
    const [a, b] = await Promise.all([launchShell(env, repo, ['--worktree']), launchShell(env, repo, ['--worktree'])]);
    await Promise.all([runInShell(env, a.id, 'echo from-a > a.txt'), runInShell(env, b.id, 'echo from-b > b.txt')]);
    const results = await Promise.all([env.cli(['merge', a.id]), env.cli(['merge', b.id])]);
    for (const r of results) expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(readFileSync(join(repo, 'a.txt'), 'utf8')).toBe('from-a\n');
    expect(readFileSync(join(repo, 'b.txt'), 'utf8')).toBe('from-b\n');
    const merges = (await git(repo, 'log', '--merges', '--format=%s')).split('\n').sort();
    expect(merges).toEqual([`Merge conductor/${a.id} (conductor terminal ${a.id}) into main`, `Merge conductor/${b.id} (conductor terminal ${b.id}) into main`].sort());
    expect(await git(repo, 'status', '--porcelain')).toBe('');
  });
});
