import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { execa } from 'execa';
import { ConductorError } from '../errors.js';

/** The only place the conductor runs git. */

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** git's own words for a failure, on one line. */
export function gitReason(r: GitResult): string {
  return (r.stderr || r.stdout).trim().split('\n').filter(Boolean).join('; ') || `git exited ${r.exitCode}`;
}

// No prompts, no pager, no hooks' chatter about colour: the daemon has no terminal to ask on.
const GIT_ENV = { GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C' };

export async function git(cwd: string, args: string[], env: Record<string, string> = {}): Promise<GitResult> {
  try {
    const r = await execa('git', args, { cwd, env: { ...GIT_ENV, ...env }, reject: false, stripFinalNewline: false, maxBuffer: 64 * 1024 * 1024 });
    if (r.failed && r.exitCode === undefined) throw new Error(r.shortMessage ?? 'git could not start');
    return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), exitCode: r.exitCode ?? 1 };
  } catch (err) {
    throw new ConductorError('internal', `cannot run git (${(err as Error).message}): install git and make sure it is on PATH`);
  }
}

/** Runs git and returns its trimmed stdout; a failure becomes `onError(reason)`. */
export async function gitOk(cwd: string, args: string[], onError?: (reason: string) => Error, env?: Record<string, string>): Promise<string> {
  const r = await git(cwd, args, env);
  if (r.exitCode !== 0) {
    throw onError ? onError(gitReason(r)) : new ConductorError('internal', `git ${args.join(' ')} failed in ${cwd}: ${gitReason(r)}`);
  }
  return r.stdout.trim();
}

/** The commit a ref names, or undefined if it names none. */
export async function resolveCommit(cwd: string, ref: string): Promise<string | undefined> {
  const r = await git(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  return r.exitCode === 0 ? r.stdout.trim() : undefined;
}

export async function branchExists(cwd: string, branch: string): Promise<boolean> {
  return (await git(cwd, ['show-ref', '--verify', '--quiet', `refs/heads/${branch}`])).exitCode === 0;
}

/** The branch checked out in `cwd`, or undefined when HEAD is detached. */
export async function currentBranch(cwd: string): Promise<string | undefined> {
  const r = await git(cwd, ['symbolic-ref', '--short', '-q', 'HEAD']);
  return r.exitCode === 0 ? r.stdout.trim() : undefined;
}

export async function isAncestor(cwd: string, commit: string, of: string): Promise<boolean> {
  return (await git(cwd, ['merge-base', '--is-ancestor', commit, of])).exitCode === 0;
}

/** What stops a checkout from taking new work: a rebase, merge, cherry-pick or revert under way. */
export async function operationInProgress(cwd: string): Promise<string | undefined> {
  const markers: Array<[string, string]> = [
    ['rebase-merge', 'a rebase (finish it with `git rebase --continue` or undo it with `git rebase --abort`)'],
    ['rebase-apply', 'a rebase (finish it with `git rebase --continue` or undo it with `git rebase --abort`)'],
    ['MERGE_HEAD', 'a merge (finish it with `git commit` or undo it with `git merge --abort`)'],
    ['CHERRY_PICK_HEAD', 'a cherry-pick (finish it with `git cherry-pick --continue` or `--abort`)'],
    ['REVERT_HEAD', 'a revert (finish it with `git revert --continue` or `--abort`)'],
  ];
  for (const [marker, what] of markers) {
    const path = await gitOk(cwd, ['rev-parse', '--path-format=absolute', '--git-path', marker]);
    if (existsSync(path)) return what;
  }
  return undefined;
}

/** `git status --porcelain` lines: uncommitted changes, and untracked files unless told not to. */
export async function statusLines(cwd: string, opts: { untracked?: boolean } = {}): Promise<string[]> {
  const args = ['status', '--porcelain', `--untracked-files=${opts.untracked === false ? 'no' : 'all'}`];
  const r = await git(cwd, args);
  if (r.exitCode !== 0) throw new ConductorError('internal', `git status failed in ${cwd}: ${gitReason(r)}`);
  return r.stdout.split('\n').filter(Boolean);
}

/** Checkouts of the repository: the first is the main one. */
export async function worktreeList(cwd: string): Promise<Array<{ path: string; branch?: string; bare: boolean }>> {
  const out = await gitOk(cwd, ['worktree', 'list', '--porcelain']);
  const list: Array<{ path: string; branch?: string; bare: boolean }> = [];
  for (const block of out.split('\n\n')) {
    const lines = block.split('\n');
    const path = lines.find((l) => l.startsWith('worktree '))?.slice(9);
    if (!path) continue;
    const ref = lines.find((l) => l.startsWith('branch '))?.slice(7);
    list.push({ path, branch: ref?.replace(/^refs\/heads\//, ''), bare: lines.includes('bare') });
  }
  return list;
}

/**
 * The tree of everything in the checkout right now (staged, unstaged and untracked files, as
 * `git add -A` would take them), built in a scratch index so the checkout itself is not touched.
 */
export async function snapshotTree(worktree: string): Promise<string> {
  const index = await gitOk(worktree, ['rev-parse', '--path-format=absolute', '--git-path', 'index']);
  const scratch = `${index}.conductor-${randomBytes(6).toString('hex')}`;
  try {
    if (existsSync(index)) copyFileSync(index, scratch);
    const env = { GIT_INDEX_FILE: scratch };
    await gitOk(worktree, ['add', '-A'], undefined, env);
    return await gitOk(worktree, ['write-tree'], undefined, env);
  } finally {
    rmSync(scratch, { force: true });
  }
}

/** The tree a merge of `theirs` into `ours` would give, or the conflicting paths. */
export async function trialMerge(cwd: string, ours: string, theirs: string): Promise<{ tree: string } | { conflicts: string[] }> {
  const r = await git(cwd, ['merge-tree', '--write-tree', '--name-only', '--no-messages', ours, theirs]);
  const lines = r.stdout.split('\n').filter(Boolean);
  if (r.exitCode === 0) return { tree: lines[0] };
  if (r.exitCode === 1) return { conflicts: [...new Set(lines.slice(1))] };
  throw new ConductorError('internal', `git merge-tree failed in ${cwd}: ${gitReason(r)}`);
}
