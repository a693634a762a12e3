import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MergeResult } from '../../src/worktree/schema.js';
import { TestEnv } from '../helpers/env.js';
import { waitForFile } from '../helpers/wait.js';
import { freshRepo, git, launchShell, runInShell, worktreeOf, worktrees } from './repo.js';

// Real git and tmux on a loaded machine: each step can take seconds.
describe('retention clean-up and worktrees', { timeout: 120_000 }, () => {
  const env = new TestEnv();
  // A retention of a few microseconds: anything that has ended is already old.
  env.env.CONDUCTOR_RETENTION_DAYS = '0.0000001';
  afterAll(() => env.cleanup());

  it('removes the worktree of an ended terminal that holds nothing, never one with unmerged or uncommitted work', async () => {
    const repo = await freshRepo(env);
    const [unmerged, dirty, clean] = await Promise.all([1, 2, 3].map(() => launchShell(env, repo, ['--worktree'])));
    await runInShell(env, unmerged.id, `echo finished >> app.txt && git commit -qam 'unmerged work'`);
    await runInShell(env, dirty.id, 'echo draft > draft.txt');
    await env.cliOk(['shutdown', unmerged.id]);
    await env.cliOk(['shutdown', dirty.id]);
    // This one ends by itself: no shutdown looks at its worktree, the clean-up does.
    await env.cliOk(['send', clean.id, 'exit']);
    await env.waitForStatus(clean.id, ['exited']);
    expect(existsSync(clean.cwd)).toBe(true);

    await env.stopDaemon();
    await env.client(); // a new daemon, whose first clean-up pass runs at once
    // Terminal records go after worktrees are judged: once this log is gone, the pass is through them.
    const log = join(env.home, 'logs', 'terminal', `${unmerged.id}.log`);
    await waitForFile(log, () => !existsSync(log), 20_000, `${log} to be removed`);
    await waitForFile(clean.cwd, () => !existsSync(clean.cwd), 20_000, `${clean.cwd} to be removed`);

    expect((await env.sessions(true)).flatMap((s) => s.terminals).map((t) => t.id)).toEqual([]);
    expect(await git(repo, 'branch', '--list', `conductor/${clean.id}`)).toBe('');
    expect(await git(repo, 'log', '-1', '--format=%s', `conductor/${unmerged.id}`)).toBe('unmerged work');
    expect(readFileSync(join(dirty.cwd, 'draft.txt'), 'utf8')).toBe('draft\n');
    const listed = Object.fromEntries((await worktrees(env)).map((w) => [w.terminalId, [w.state, w.terminalStatus]]));
    expect(listed).toEqual({ [unmerged.id]: ['unmerged', null], [dirty.id]: ['dirty', null] });
    expect((await worktreeOf(env, clean.id)).state).toBe('removed');

    // The work is still there to see and merge, with the terminal's record gone.
    expect(await env.cliOk(['diff', unmerged.id])).toContain('+finished');
    const merged = JSON.parse(await env.cliOk(['merge', unmerged.id, '--json'])) as MergeResult;
    expect(merged).toMatchObject({ into: 'main', worktreeRemoved: true, committedWork: null });
    expect(readFileSync(join(repo, 'app.txt'), 'utf8')).toContain('finished');
    expect(existsSync(unmerged.cwd)).toBe(false);
    expect(await git(repo, 'branch', '--list', `conductor/${unmerged.id}`)).toBe('');
  });
});
