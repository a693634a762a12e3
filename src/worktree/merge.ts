import { ConflictError, InvalidInputError } from '../errors.js';
import { moduleLogger } from '../logger.js';
import {
  branchExists,
  currentBranch,
  git,
  gitOk,
  gitReason,
  operationInProgress,
  resolveCommit,
  snapshotTree,
  statusLines,
  trialMerge,
  worktreeList,
} from './git.js';
import { defaultTarget, presentFolder } from './inspect.js';
import type { MergeInput, MergeResult } from './schema.js';
import type { WorktreeRow } from './store.js';

const log = moduleLogger('worktree');

const short = (sha: string) => sha.slice(0, 12);

/** File names from `git status --porcelain` lines. */
const namesOf = (statusLines: string[]) => statusLines.map((l) => l.slice(3));

function listed(names: string[], max = 5): string {
  return names.slice(0, max).join(', ') + (names.length > max ? ` and ${names.length - max} more` : '');
}

async function targetOf(row: WorktreeRow, into: string | undefined): Promise<string> {
  const target = into ?? (await defaultTarget(row));
  if (!target) {
    throw new InvalidInputError(
      `the worktree of terminal ${row.terminal_id} started from '${row.base}', which is not a local branch: say which branch to merge into with --into BRANCH`,
    );
  }
  if (target === row.branch) throw new InvalidInputError(`cannot merge branch '${row.branch}' into itself: pick another --into`);
  if (!(await branchExists(row.repo, target))) {
    throw new InvalidInputError(`branch '${target}' does not exist in ${row.repo}: pick an existing branch with --into (see \`git -C ${row.repo} branch\`)`);
  }
  return target;
}

/** The checkout where `target` is checked out, clean and not mid-operation: the merge happens there. */
async function targetCheckout(row: WorktreeRow, target: string): Promise<string> {
  const checkout = (await worktreeList(row.repo)).find((w) => w.branch === target)?.path;
  if (!checkout) {
    throw new ConflictError(
      `branch '${target}' is not checked out in ${row.repo} (nor in any worktree), and the merge happens in a checkout of it: ` +
        `run \`git -C ${row.repo} switch ${target}\`, then merge again`,
    );
  }
  const busy = await operationInProgress(checkout);
  if (busy) throw new ConflictError(`${checkout} is in the middle of ${busy}; then merge again`);
  const dirty = await statusLines(checkout, { untracked: false });
  if (dirty.length > 0) {
    throw new ConflictError(
      `the checkout ${checkout} has uncommitted changes (${listed(namesOf(dirty))}): commit or stash them (\`git -C ${checkout} stash\`), then merge again; nothing was changed`,
    );
  }
  return checkout;
}

/** The worker's checkout, ready to be merged: on its own branch, not mid-operation. */
async function workerCheckout(row: WorktreeRow): Promise<string> {
  const path = presentFolder(row);
  const on = await currentBranch(path);
  if (on !== row.branch) {
    throw new ConflictError(
      `the worktree ${path} is on ${on ? `branch '${on}'` : 'a detached HEAD'}, not on its branch '${row.branch}': ` +
        `switch back (\`git -C ${path} switch ${row.branch}\`), then merge again`,
    );
  }
  const busy = await operationInProgress(path);
  if (busy) throw new ConflictError(`the worktree ${path} is in the middle of ${busy}; then merge again`);
  return path;
}

/**
 * The worker's tip with its uncommitted work on top, as a commit no branch points at yet: if the
 * merge is refused, the worker's branch and files stay exactly as they were.
 */
async function tipWithWork(row: WorktreeRow, path: string, target: string): Promise<{ tip: string; head: string; committedWork: string | null }> {
  const head = await gitOk(path, ['rev-parse', 'HEAD']);
  const changes = await statusLines(path);
  if (changes.length === 0) return { tip: head, head, committedWork: null };
  const subject = `conductor: uncommitted work of terminal ${row.terminal_id}`;
  const body = `Committed by \`conductor merge\` before merging ${row.branch} into ${target}.\nFiles: ${listed(namesOf(changes), 20)}`;
  const tree = await snapshotTree(path);
  const tip = await gitOk(path, ['commit-tree', tree, '-p', head, '-m', subject, '-m', body], (reason) =>
    new ConflictError(`git cannot commit the worker's changes in ${path}: ${reason} (set \`git config user.name\` and \`user.email\`)`),
  );
  return { tip, head, committedWork: subject };
}

async function undoMerge(checkout: string, squash: boolean): Promise<void> {
  await git(checkout, squash ? ['reset', '--merge'] : ['merge', '--abort']);
}

/** One merge at a time per repository: a second one would meet the first's index lock, and its undo would undo the first. */
const merging = new Map<string, Promise<unknown>>();

function oneAtATime<T>(repo: string, work: () => Promise<T>): Promise<T> {
  const previous = merging.get(repo) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(work);
  const settled = next.catch(() => undefined);
  merging.set(repo, settled);
  void settled.then(() => {
    if (merging.get(repo) === settled) merging.delete(repo);
  });
  return next;
}

/**
 * Merges a worker's branch, with its uncommitted work committed first, into `into` (default: its
 * base branch) in the checkout of that branch. Refuses, changing nothing on either side, when
 * that checkout has uncommitted changes or the merge would conflict.
 */
export function mergeWorktree(row: WorktreeRow, input: Pick<MergeInput, 'into' | 'squash'>): Promise<Omit<MergeResult, 'worktreeRemoved'>> {
  return oneAtATime(row.repo, () => mergeNow(row, input));
}

async function mergeNow(row: WorktreeRow, input: Pick<MergeInput, 'into' | 'squash'>): Promise<Omit<MergeResult, 'worktreeRemoved'>> {
  const path = await workerCheckout(row);
  const target = await targetOf(row, input.into);
  const checkout = await targetCheckout(row, target);
  const { tip, head, committedWork } = await tipWithWork(row, path, target);
  const ours = (await resolveCommit(checkout, 'HEAD'))!;
  const trial = await trialMerge(checkout, ours, tip);
  if ('conflicts' in trial) {
    throw new ConflictError(
      `merging '${row.branch}' into '${target}' conflicts in ${listed(trial.conflicts)}: nothing was changed on either side. ` +
        `Ask the worker to rebase its branch on '${target}', or merge by hand (\`git -C ${checkout} merge ${row.branch}\`)`,
    );
  }
  const label = `${row.branch} (conductor terminal ${row.terminal_id})`;
  const merged = input.squash
    ? await git(checkout, ['merge', '--squash', tip])
    : await git(checkout, ['merge', '--no-ff', '--no-edit', '--no-verify', '-m', `Merge ${label} into ${target}`, tip]);
  if (merged.exitCode !== 0) {
    await undoMerge(checkout, input.squash);
    throw new ConflictError(`git refused to merge '${row.branch}' into '${target}' in ${checkout}: ${gitReason(merged)}; nothing was changed`);
  }
  if (input.squash && (await statusLines(checkout, { untracked: false })).length > 0) {
    const subjects = await gitOk(checkout, ['log', '--format=- %s', `${ours}..${tip}`]);
    const committed = await git(checkout, ['commit', '--no-verify', '-q', '-m', `${label}, squashed into ${target}`, '-m', subjects]);
    if (committed.exitCode !== 0) {
      await undoMerge(checkout, true);
      throw new ConflictError(`git could not commit the squashed merge in ${checkout}: ${gitReason(committed)}; nothing was changed`);
    }
  }
  if (tip !== head) {
    // Now the worker's branch takes the commit of its work; its files already match it.
    await gitOk(path, ['update-ref', '-m', 'conductor merge: commit uncommitted work', `refs/heads/${row.branch}`, tip, head]);
    await gitOk(path, ['reset', '-q']);
  }
  const commit = await gitOk(checkout, ['rev-parse', 'HEAD']);
  log.info({ terminal: row.terminal_id, branch: row.branch, into: target, commit: short(commit), squash: input.squash }, 'worktree merged');
  return { terminalId: row.terminal_id, branch: row.branch, into: target, checkout, commit, squash: input.squash, committedWork };
}
