import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { ConflictError, InvalidInputError } from '../errors.js';
import { moduleLogger } from '../logger.js';
import { branchExists, currentBranch, git, gitReason, operationInProgress, resolveCommit, worktreeList } from './git.js';
import type { WorktreeRequest } from './schema.js';
import type { WorktreeStore } from './store.js';

const log = moduleLogger('worktree');

/**
 * Worktrees live in CONDUCTOR_HOME, never inside the user's checkout:
 * `worktrees/<repo-name>-<hash of the repo's path>/<terminal-id>`.
 */
export function worktreePath(home: string, repo: string, terminalId: string): string {
  const hash = createHash('sha256').update(repo).digest('hex').slice(0, 8);
  return join(home, 'worktrees', `${basename(repo)}-${hash}`, terminalId);
}

export interface PreparedWorktree {
  path: string;
  /** Where to start in it: the same folder, relative to the checkout, that was asked for. */
  cwd: string;
  /** Undoes the creation (the launch failed): folder, branch and record go. */
  discard(): Promise<void>;
}

export interface CreateDeps {
  store: WorktreeStore;
  home: string;
  clock: () => number;
}

/** The repository around `cwd`: the checkout `cwd` is in, and the repository's main checkout. */
async function repositoryOf(cwd: string): Promise<{ checkout: string; main: string }> {
  const top = await git(cwd, ['rev-parse', '--show-toplevel']);
  if (top.exitCode !== 0) {
    throw new InvalidInputError(
      `a worktree (--worktree, or worktree: true in the profile, flow or handoff) needs a git repository, and ${cwd} is not inside one: ` +
        'run it in a repository (or pass --cwd DIR inside one), or run `git init` there first',
    );
  }
  const checkout = top.stdout.trim();
  const main = (await worktreeList(checkout))[0];
  if (!main || main.bare) {
    throw new InvalidInputError(`the repository of ${checkout} is bare: start from a checkout with a working tree (pass --cwd to one)`);
  }
  return { checkout, main: main.path };
}

async function checkBranchName(checkout: string, main: string, branch: string): Promise<void> {
  const valid = !branch.startsWith('-') && (await git(checkout, ['check-ref-format', '--branch', branch])).exitCode === 0;
  if (!valid) {
    throw new InvalidInputError(`'${branch}' is not a branch name git accepts (see \`git check-ref-format\`): pick another --branch, e.g. conductor/fix-login`);
  }
  if (await branchExists(checkout, branch)) {
    throw new ConflictError(`branch '${branch}' exists already in ${main}: pick another --branch, or delete that branch first (\`git -C ${main} branch -d ${branch}\`)`);
  }
}

async function resolveBase(checkout: string, request: WorktreeRequest): Promise<{ base: string; baseCommit: string }> {
  const baseCommit = await resolveCommit(checkout, request.base ?? 'HEAD');
  if (!baseCommit && request.base) {
    throw new InvalidInputError(
      `--base '${request.base}' does not name a commit in ${checkout}: give a branch, tag or commit that exists (see \`git -C ${checkout} branch -a\`)`,
    );
  }
  if (!baseCommit) {
    throw new InvalidInputError(`${checkout} has no commit yet, and a worktree starts from one: commit something first, or pass --base`);
  }
  return { base: request.base ?? (await currentBranch(checkout)) ?? baseCommit, baseCommit };
}

/**
 * Creates a worktree for terminal `terminalId` of the repository around `cwd`, on a new branch.
 * Everything is checked first; a git failure half-way is undone, so nothing is left half-made.
 */
export async function createWorktree(deps: CreateDeps, terminalId: string, cwd: string, request: WorktreeRequest): Promise<PreparedWorktree> {
  const { checkout, main } = await repositoryOf(cwd);
  const busy = await operationInProgress(checkout);
  if (busy) throw new ConflictError(`${checkout} is in the middle of ${busy}; then launch again`);
  const { base, baseCommit } = await resolveBase(checkout, request);
  const branch = request.branch ?? `conductor/${terminalId}`;
  await checkBranchName(checkout, main, branch);

  const path = worktreePath(deps.home, main, terminalId);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const undo = () => discardWorktree(main, path, branch);
  const added = await git(checkout, ['worktree', 'add', '--quiet', '-b', branch, path, baseCommit]);
  if (added.exitCode !== 0) {
    // The branch may be another launch's that won a race for the name: only an orphan goes.
    rmSync(path, { recursive: true, force: true });
    await git(main, ['worktree', 'prune']);
    if (!(await worktreeList(main)).some((w) => w.branch === branch)) await git(main, ['branch', '-D', branch]);
    throw new ConflictError(`git could not create the worktree ${path} on branch '${branch}': ${gitReason(added)}`);
  }
  try {
    await deps.store.insert({
      terminal_id: terminalId,
      repo: main,
      path,
      branch,
      base,
      base_commit: baseCommit,
      created_at: deps.clock(),
      merged_at: null,
      merged_into: null,
      removed_at: null,
    });
  } catch (err) {
    await undo();
    throw err;
  }
  log.info({ terminal: terminalId, path, branch, base }, 'worktree created');
  return {
    path,
    cwd: sameFolderIn(path, checkout, cwd),
    discard: async () => {
      await undo();
      await deps.store.delete(terminalId);
    },
  };
}

/** `cwd`'s place in `checkout`, inside the new worktree, if that folder is there too (it may be untracked). */
function sameFolderIn(worktree: string, checkout: string, cwd: string): string {
  const inner = relative(checkout, realpathSync(cwd));
  if (inner === '' || inner.startsWith('..')) return worktree;
  const there = join(worktree, inner);
  return existsSync(there) ? there : worktree;
}

/** Removes a worktree this launch just made, with its branch; every step tolerates what is already gone. */
async function discardWorktree(repo: string, path: string, branch: string): Promise<void> {
  if (existsSync(path)) await git(repo, ['worktree', 'remove', '--force', '--force', path]);
  rmSync(path, { recursive: true, force: true });
  await git(repo, ['worktree', 'prune']);
  await git(repo, ['branch', '-D', branch]);
}
