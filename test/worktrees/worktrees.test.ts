import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DiffResult, MergeResult } from '../../src/worktree/schema.js';
import type { ShutdownReport } from '../../src/terminal/shutdown.js';
import { TestEnv } from '../helpers/env.js';
import { freshRepo, git, launchShell, read, runInShell, worktreeFolders, worktreeOf, worktrees } from './repo.js';

// Real git and tmux on a loaded machine: each step can take seconds.
describe('worktrees through the CLI (real git, a fresh repository per test)', { timeout: 120_000 }, () => {
  const env = new TestEnv();
  afterAll(() => env.cleanup());

  it('launches a terminal in a new worktree outside the checkout, on its own branch, shown by ls', async () => {
    const repo = await freshRepo(env);
    const t = await launchShell(env, repo, ['--worktree']);
    expect(t.worktree).toMatchObject({ branch: `conductor/${t.id}`, base: 'main', repo, removedAt: null });
    expect(t.worktree!.baseCommit).toBe(await git(repo, 'rev-parse', 'HEAD'));
    expect(t.cwd).toBe(t.worktree!.path);
    expect(t.cwd.startsWith(join(env.home, 'worktrees'))).toBe(true);
    expect(t.cwd.startsWith(repo)).toBe(false);
    expect(await git(t.cwd, 'branch', '--show-current')).toBe(`conductor/${t.id}`);
    expect(await git(repo, 'worktree', 'list')).toContain(t.cwd);
    const listing = await env.cliOk(['ls']);
    expect(listing).toMatch(new RegExp(`${t.id}\\s.*conductor/${t.id}\\s+${t.cwd}`));
    // The shell runs in it.
    const marker = await runInShell(env, t.id, `pwd > "$CONDUCTOR_HOME/pwd-${t.id}"`);
    expect(existsSync(marker)).toBe(true);
    expect(read(join(env.home, `pwd-${t.id}`)).trim()).toBe(t.cwd);
  });

  it('takes --branch and --base (a tag, or another branch)', async () => {
    const repo = await freshRepo(env);
    await git(repo, 'tag', 'v1');
    writeFileSync(join(repo, 'later.txt'), 'after v1\n');
    await git(repo, 'add', '.');
    await git(repo, 'commit', '-q', '-m', 'after v1');
    const fromTag = await launchShell(env, repo, ['--worktree', '--branch', 'feature/from-tag', '--base', 'v1']);
    expect(fromTag.worktree).toMatchObject({ branch: 'feature/from-tag', base: 'v1', baseCommit: await git(repo, 'rev-parse', 'v1') });
    expect(existsSync(join(fromTag.cwd, 'later.txt'))).toBe(false);
    await git(repo, 'branch', 'develop', 'v1');
    const fromBranch = await launchShell(env, repo, ['--worktree', '--base', 'develop']);
    expect(fromBranch.worktree).toMatchObject({ base: 'develop', branch: `conductor/${fromBranch.id}` });
    expect((await worktreeOf(env, fromBranch.id)).target).toBe('develop');
    // A tag is no branch to merge into: the listing says there is no default target.
    expect((await worktreeOf(env, fromTag.id)).target).toBeNull();
    const noTarget = await env.cli(['merge', fromTag.id]);
    expect(noTarget.exitCode).toBe(2);
    expect(String(noTarget.stderr)).toMatch(/started from 'v1', which is not a local branch: say which branch to merge into with --into BRANCH/);
  });

  it('keeps two workers in the same repository apart: neither sees the other’s files', async () => {
    const repo = await freshRepo(env);
    const [a, b] = await Promise.all([launchShell(env, repo, ['--worktree']), launchShell(env, repo, ['--worktree'])]);
    expect(a.cwd).not.toBe(b.cwd);
    await Promise.all([
      runInShell(env, a.id, 'echo from-a > only-a.txt && echo a-was-here >> app.txt'),
      runInShell(env, b.id, 'echo from-b > only-b.txt && echo b-was-here >> app.txt'),
    ]);
    const list = (id: string) => `ls -A | grep -v '^.git$' > "$CONDUCTOR_HOME/seen-${id}.tmp" && mv "$CONDUCTOR_HOME/seen-${id}.tmp" "$CONDUCTOR_HOME/seen-${id}"`;
    await Promise.all([runInShell(env, a.id, list(a.id)), runInShell(env, b.id, list(b.id))]);
    expect(read(join(env.home, `seen-${a.id}`)).split('\n').filter(Boolean)).toEqual(['README.md', 'app.txt', 'only-a.txt']);
    expect(read(join(env.home, `seen-${b.id}`)).split('\n').filter(Boolean)).toEqual(['README.md', 'app.txt', 'only-b.txt']);
    expect(read(join(a.cwd, 'app.txt'))).toBe('line 1\nline 2\nline 3\na-was-here\n');
    expect(read(join(b.cwd, 'app.txt'))).toBe('line 1\nline 2\nline 3\nb-was-here\n');
    // The user's checkout saw nothing.
    expect(await git(repo, 'status', '--porcelain')).toBe('');
    expect(existsSync(join(repo, 'only-a.txt')) || existsSync(join(repo, 'only-b.txt'))).toBe(false);
  });

  it('diffs commits, uncommitted and untracked changes against the base, also after the worker exited', async () => {
    const repo = await freshRepo(env);
    const t = await launchShell(env, repo, ['--worktree']);
    await runInShell(env, t.id, `echo committed >> app.txt && git commit -qam 'worker: first change'`);
    await runInShell(env, t.id, 'echo uncommitted >> README.md && echo brand-new > new-file.txt');
    // Meanwhile the base moves on: the diff is still against where the worker started.
    writeFileSync(join(repo, 'elsewhere.txt'), 'not the worker’s\n');
    await git(repo, 'add', '.');
    await git(repo, 'commit', '-q', '-m', 'main moves on');

    const patch = await env.cliOk(['diff', t.id]);
    expect(patch).toContain('+committed');
    expect(patch).toContain('+uncommitted');
    expect(patch).toMatch(/new file mode[\s\S]*\+brand-new/);
    expect(patch).not.toContain('elsewhere.txt');
    const stat = await env.cliOk(['diff', t.id, '--stat']);
    expect(stat).toMatch(/worker: first change/);
    expect(stat).toMatch(/uncommitted changes/);
    expect(stat).toMatch(/3 files changed/);
    // Nothing was touched by looking.
    expect(await git(t.cwd, 'status', '--porcelain')).toBe('M README.md\n?? new-file.txt'); // (the helper trims the leading space)

    const down = JSON.parse(await env.cliOk(['shutdown', t.id, '--json'])) as { shutdown: ShutdownReport[] };
    expect(down.shutdown[0].worktree).toMatchObject({ kept: true, state: 'dirty', path: t.cwd });
    const after = JSON.parse(await env.cliOk(['diff', t.id, '--json'])) as DiffResult;
    expect(after).toMatchObject({ terminalId: t.id, branch: `conductor/${t.id}`, base: 'main', uncommitted: true });
    expect(after.commits.map((c) => c.subject)).toEqual(['worker: first change']);
    expect(after.patch!.trimEnd()).toBe(patch.trimEnd());
    // The patch applies to the base.
    await git(repo, 'switch', '-q', '-c', 'apply-check', t.worktree!.baseCommit);
    writeFileSync(join(env.home, 'worker.patch'), after.patch!);
    await git(repo, 'apply', '--check', join(env.home, 'worker.patch'));
    await git(repo, 'switch', '-q', 'main');
  });

  it('merges: commits the uncommitted work with a clear message, merges into the base, then the shutdown removes the worktree', async () => {
    const repo = await freshRepo(env);
    const t = await launchShell(env, repo, ['--worktree']);
    await runInShell(env, t.id, `echo feature >> app.txt && git commit -qam 'worker: feature'`);
    await runInShell(env, t.id, 'echo notes > notes.txt && echo more >> README.md');
    const m = JSON.parse(await env.cliOk(['merge', t.id, '--json'])) as MergeResult;
    expect(m).toMatchObject({ branch: `conductor/${t.id}`, into: 'main', checkout: repo, squash: false, worktreeRemoved: false });
    expect(m.committedWork).toBe(`conductor: uncommitted work of terminal ${t.id}`);
    expect(await git(repo, 'log', '-1', '--format=%s')).toBe(`Merge conductor/${t.id} (conductor terminal ${t.id}) into main`);
    expect(await git(repo, 'log', '--format=%s', 'main')).toContain('worker: feature');
    expect(read(join(repo, 'notes.txt'))).toBe('notes\n');
    expect(read(join(repo, 'app.txt'))).toContain('feature');
    expect(await git(repo, 'status', '--porcelain')).toBe('');
    // The worker's branch carries the commit of its work; its checkout is clean and unchanged.
    expect(await git(t.cwd, 'log', '-1', '--format=%s')).toBe(`conductor: uncommitted work of terminal ${t.id}`);
    expect(await git(t.cwd, 'status', '--porcelain')).toBe('');
    expect(read(join(t.cwd, 'notes.txt'))).toBe('notes\n');
    expect((await worktreeOf(env, t.id)).state).toBe('merged');

    const out = await env.cliOk(['shutdown', t.id]);
    expect(out).toMatch(new RegExp(`removed its worktree ${t.cwd} \\(merged\\)`));
    expect(existsSync(t.cwd)).toBe(false);
    expect(await git(repo, 'branch', '--list', `conductor/${t.id}`)).toBe('');
    expect((await worktreeOf(env, t.id)).state).toBe('removed');
    const gone = await env.cli(['diff', t.id]);
    expect(gone.exitCode).toBe(4);
    expect(String(gone.stderr)).toMatch(/was removed: it held nothing that was not merged/);
  });

  it('squash-merges into another branch with --into, and counts a squashed branch as merged', async () => {
    const repo = await freshRepo(env);
    await git(repo, 'switch', '-q', '-c', 'integration');
    const t = await launchShell(env, repo, ['--worktree', '--base', 'main']);
    await runInShell(env, t.id, `echo one > one.txt && git add one.txt && git commit -qm 'one' && echo two > two.txt && git add two.txt && git commit -qm 'two'`);
    const before = await git(repo, 'rev-parse', 'HEAD');
    const out = await env.cliOk(['merge', t.id, '--into', 'integration', '--squash']);
    expect(out).toMatch(new RegExp(`merged conductor/${t.id} into integration \\(squashed\\) in ${repo}`));
    expect(await git(repo, 'rev-parse', 'HEAD~1')).toBe(before);
    expect(await git(repo, 'log', '-1', '--format=%s')).toBe(`conductor/${t.id} (conductor terminal ${t.id}), squashed into integration`);
    expect(read(join(repo, 'two.txt'))).toBe('two\n');
    expect((await worktreeOf(env, t.id))).toMatchObject({ state: 'merged', mergedInto: 'integration' });
  });

  it('refuses a merge while the main checkout has uncommitted changes, and leaves both sides as they were', async () => {
    const repo = await freshRepo(env);
    const t = await launchShell(env, repo, ['--worktree']);
    await runInShell(env, t.id, 'echo worker >> app.txt && echo fresh > fresh.txt');
    writeFileSync(join(repo, 'README.md'), '# edited by the user\n');
    const mainHead = await git(repo, 'rev-parse', 'HEAD');
    const workerHead = await git(t.cwd, 'rev-parse', 'HEAD');
    const r = await env.cli(['merge', t.id]);
    expect(r.exitCode).toBe(4);
    expect(String(r.stderr)).toContain(`the checkout ${repo} has uncommitted changes (README.md): commit or stash them`);
    expect(String(r.stderr)).toMatch(/nothing was changed/);
    expect(await git(repo, 'rev-parse', 'HEAD')).toBe(mainHead);
    expect(read(join(repo, 'README.md'))).toBe('# edited by the user\n');
    expect(await git(t.cwd, 'rev-parse', 'HEAD')).toBe(workerHead);
    expect(await git(t.cwd, 'status', '--porcelain')).toBe('M app.txt\n?? fresh.txt');
  });

  it('refuses a merge that conflicts, naming the file, and leaves both sides as they were', async () => {
    const repo = await freshRepo(env);
    const t = await launchShell(env, repo, ['--worktree']);
    await runInShell(env, t.id, `sed -i 's/line 2/worker line 2/' app.txt && git commit -qam 'worker edits line 2' && echo wip >> README.md`);
    writeFileSync(join(repo, 'app.txt'), 'line 1\nuser line 2\nline 3\n');
    await git(repo, 'commit', '-qam', 'user edits line 2');
    const mainHead = await git(repo, 'rev-parse', 'HEAD');
    const workerHead = await git(t.cwd, 'rev-parse', 'HEAD');
    const r = await env.cli(['merge', t.id]);
    expect(r.exitCode).toBe(4);
    expect(String(r.stderr)).toMatch(new RegExp(`merging 'conductor/${t.id}' into 'main' conflicts in app.txt: nothing was changed on either side`));
    expect(await git(repo, 'rev-parse', 'HEAD')).toBe(mainHead);
    expect(await git(repo, 'status', '--porcelain')).toBe('');
    expect(existsSync(join(repo, '.git', 'MERGE_HEAD'))).toBe(false);
    expect(await git(t.cwd, 'rev-parse', 'HEAD')).toBe(workerHead);
    expect(await git(t.cwd, 'status', '--porcelain')).toBe('M README.md');
    expect((await worktreeOf(env, t.id)).state).toBe('dirty');
  });

  it('keeps a worktree with uncommitted or unmerged work at shutdown and says so; removes a clean one with its branch', async () => {
    const repo = await freshRepo(env);
    const [dirty, unmerged, clean] = await Promise.all([1, 2, 3].map(() => launchShell(env, repo, ['--worktree'])));
    await runInShell(env, dirty.id, 'echo draft > draft.txt');
    await runInShell(env, unmerged.id, `echo done >> app.txt && git commit -qam 'finished work'`);
    const mine = new Set([dirty.id, unmerged.id, clean.id]);
    const states = Object.fromEntries((await worktrees(env)).filter((w) => mine.has(w.terminalId)).map((w) => [w.terminalId, w.state]));
    expect(states).toEqual({ [dirty.id]: 'dirty', [unmerged.id]: 'unmerged', [clean.id]: 'clean' });

    const dirtyOut = await env.cliOk(['shutdown', dirty.id]);
    expect(dirtyOut).toContain(`worktree kept at ${dirty.cwd} (branch conductor/${dirty.id}): it holds uncommitted changes`);
    expect(dirtyOut).toContain(`conductor diff ${dirty.id}`);
    const unmergedOut = await env.cliOk(['shutdown', unmerged.id]);
    expect(unmergedOut).toContain(`worktree kept at ${unmerged.cwd} (branch conductor/${unmerged.id}): its branch holds commits not merged yet`);
    const cleanOut = await env.cliOk(['shutdown', clean.id]);
    expect(cleanOut).toContain(`removed its worktree ${clean.cwd} (clean)`);

    expect(read(join(dirty.cwd, 'draft.txt'))).toBe('draft\n');
    expect(await git(repo, 'log', '-1', '--format=%s', `conductor/${unmerged.id}`)).toBe('finished work');
    expect(existsSync(clean.cwd)).toBe(false);
    expect(await git(repo, 'branch', '--list', `conductor/${clean.id}`)).toBe('');
    const listed = await env.cliOk(['worktrees']);
    expect(listed).toMatch(new RegExp(`${dirty.id}\\s+dirty\\s+conductor/${dirty.id}\\s+main\\s+exited`));
    expect(listed).not.toContain(clean.id);

    // Removing one that holds work takes --force.
    const refused = await env.cli(['worktree', 'remove', unmerged.id]);
    expect(refused.exitCode).toBe(4);
    expect(String(refused.stderr)).toMatch(/not removed: its branch holds commits not merged yet; .*add --force to remove it anyway/);
    expect(existsSync(unmerged.cwd)).toBe(true);
    await env.cliOk(['worktree', 'remove', unmerged.id, '--force']);
    expect(existsSync(unmerged.cwd)).toBe(false);
    expect(await git(repo, 'branch', '--list', `conductor/${unmerged.id}`)).toBe('');
    expect(read(join(dirty.cwd, 'draft.txt'))).toBe('draft\n');
  });

  it('never removes a worktree under a live terminal', async () => {
    const repo = await freshRepo(env);
    const t = await launchShell(env, repo, ['--worktree']);
    const r = await env.cli(['worktree', 'remove', t.id, '--force']);
    expect(r.exitCode).toBe(4);
    expect(String(r.stderr)).toContain(`terminal ${t.id} still runs in ${t.cwd}: shut it down first`);
    expect(existsSync(t.cwd)).toBe(true);
  });

  it('refuses bad input clearly, naming the path and the fix, and leaves nothing half-made', async () => {
    const repo = await freshRepo(env);
    const notRepo = join(env.home, 'plain-folder');
    mkdirSync(notRepo, { recursive: true });
    const empty = join(env.home, 'empty-repo');
    mkdirSync(empty, { recursive: true });
    await git(empty, 'init', '-q', '-b', 'main');
    await git(repo, 'branch', 'taken');
    const terminalsBefore = (await env.sessions(true)).flatMap((s) => s.terminals).length;
    const foldersBefore = worktreeFolders(env).length;
    const refusals: Array<[string[], RegExp]> = [
      [['--cwd', notRepo], new RegExp(`a worktree \\(--worktree, .*\\) needs a git repository, and ${notRepo} is not inside one: .*git init`)],
      [['--cwd', empty], new RegExp(`${empty} has no commit yet, and a worktree starts from one: commit something first`)],
      [['--cwd', repo, '--branch', 'taken'], new RegExp(`branch 'taken' exists already in ${repo}: pick another --branch`)],
      [['--cwd', repo, '--branch', 'bad..name'], /'bad\.\.name' is not a branch name git accepts .*pick another --branch/],
      [['--cwd', repo, '--base', 'no-such-ref'], new RegExp(`--base 'no-such-ref' does not name a commit in ${repo}: give a branch, tag or commit that exists`)],
    ];
    for (const [flags, message] of refusals) {
      const r = await env.cli(['launch', '--headless', '--provider', 'shell', '--worktree', ...flags]);
      expect(r.exitCode, flags.join(' ')).not.toBe(0);
      expect(String(r.stderr)).toMatch(message);
    }
    const noWorktree = await env.cli(['launch', '--headless', '--provider', 'shell', '--cwd', repo, '--branch', 'x']);
    expect(String(noWorktree.stderr)).toMatch(/--branch and --base go with --worktree/);

    // Mid-rebase: a conflicting rebase stops half-way.
    writeFileSync(join(repo, 'app.txt'), 'main side\n');
    await git(repo, 'commit', '-qam', 'main side');
    await git(repo, 'switch', '-q', '-c', 'topic', 'HEAD~1');
    writeFileSync(join(repo, 'app.txt'), 'topic side\n');
    await git(repo, 'commit', '-qam', 'topic side');
    await git(repo, 'rebase', 'main').catch(() => undefined);
    expect(existsSync(join(repo, '.git', 'rebase-merge'))).toBe(true);
    const rebasing = await env.cli(['launch', '--headless', '--provider', 'shell', '--worktree', '--cwd', repo]);
    expect(rebasing.exitCode).toBe(4);
    expect(String(rebasing.stderr)).toMatch(new RegExp(`${repo} is in the middle of a rebase \\(finish it with \`git rebase --continue\` or undo it with \`git rebase --abort\`\\)`));
    await git(repo, 'rebase', '--abort');

    expect((await env.sessions(true)).flatMap((s) => s.terminals)).toHaveLength(terminalsBefore);
    expect(worktreeFolders(env)).toHaveLength(foldersBefore);
    expect(await git(empty, 'worktree', 'list')).not.toContain('\n');
    expect((await git(repo, 'worktree', 'list')).split('\n')).toHaveLength(1);
    expect(await git(repo, 'branch', '--format=%(refname:short)')).toBe('main\ntaken\ntopic');
  });

  it('copes with a worktree folder deleted by hand: says so with the fix, keeps the branch’s commits until told', async () => {
    const repo = await freshRepo(env);
    const t = await launchShell(env, repo, ['--worktree']);
    await runInShell(env, t.id, `echo kept >> app.txt && git commit -qam 'committed before the folder went'`);
    await env.cliOk(['shutdown', t.id]);
    rmSync(t.cwd, { recursive: true, force: true });

    expect((await worktreeOf(env, t.id)).state).toBe('missing');
    for (const command of [['diff', t.id], ['merge', t.id]]) {
      const r = await env.cli(command);
      expect(r.exitCode, command[0]).toBe(4);
      expect(String(r.stderr)).toContain(`the worktree folder ${t.cwd} of terminal ${t.id} no longer exists (deleted by hand?)`);
      expect(String(r.stderr)).toContain(`Run \`conductor worktree remove ${t.id}\``);
    }
    const refused = await env.cli(['worktree', 'remove', t.id]);
    expect(refused.exitCode).toBe(4);
    expect(String(refused.stderr)).toMatch(/its folder was deleted by hand and its branch holds unmerged commits/);
    expect(await git(repo, 'log', '-1', '--format=%s', `conductor/${t.id}`)).toBe('committed before the folder went');
    await env.cliOk(['worktree', 'remove', t.id, '--force']);
    expect(await git(repo, 'branch', '--list', `conductor/${t.id}`)).toBe('');
    expect((await git(repo, 'worktree', 'list')).split('\n')).toHaveLength(1);
    expect((await worktreeOf(env, t.id)).state).toBe('removed');
    expect(readFileSync(join(repo, 'app.txt'), 'utf8')).toBe('line 1\nline 2\nline 3\n');
  });
});
