import { existsSync } from 'node:fs';
import { ConflictError } from '../errors.js';
import { branchExists, git, gitOk, gitReason, isAncestor, resolveCommit, snapshotTree, statusLines, trialMerge } from './git.js';
import type { DiffResult, WorktreeState } from './schema.js';
import type { WorktreeRow } from './store.js';

/** The branch a merge goes into by default: the last merge's target, else the base if it is a local branch. */
export async function defaultTarget(row: WorktreeRow): Promise<string | null> {
  if (row.merged_into && (await branchExists(row.repo, row.merged_into))) return row.merged_into;
  return (await branchExists(row.repo, row.base)) ? row.base : null;
}

/** Whether everything `commit` holds is in `target` already (merged, or squashed in). */
export async function contentIn(repo: string, commit: string, target: string): Promise<boolean> {
  const targetCommit = await resolveCommit(repo, `refs/heads/${target}`);
  if (!targetCommit) return false;
  if (await isAncestor(repo, commit, targetCommit)) return true;
  const trial = await trialMerge(repo, targetCommit, commit);
  return 'tree' in trial && trial.tree === (await gitOk(repo, ['rev-parse', `${targetCommit}^{tree}`]));
}

/** clean, merged or unmerged: what the branch's commits hold, whatever the folder shows. */
export async function branchState(row: WorktreeRow): Promise<'clean' | 'merged' | 'unmerged'> {
  const head = await resolveCommit(row.repo, `refs/heads/${row.branch}`);
  if (!head || (await isAncestor(row.repo, head, row.base_commit))) return 'clean';
  const target = await defaultTarget(row);
  return target && (await contentIn(row.repo, head, target)) ? 'merged' : 'unmerged';
}

export async function worktreeState(row: WorktreeRow): Promise<WorktreeState> {
  if (row.removed_at !== null) return 'removed';
  if (!existsSync(row.path)) return 'missing';
  if ((await statusLines(row.path)).length > 0) return 'dirty';
  return branchState(row);
}

/** Whether removing the worktree and its branch would lose nothing. */
export async function safeToRemove(row: WorktreeRow, state: WorktreeState): Promise<boolean> {
  if (state === 'clean' || state === 'merged' || state === 'removed') return true;
  return state === 'missing' && (await branchState(row)) !== 'unmerged';
}

export function missingFolderError(row: WorktreeRow): ConflictError {
  return new ConflictError(
    `the worktree folder ${row.path} of terminal ${row.terminal_id} no longer exists (deleted by hand?), so its uncommitted work is gone; ` +
      `its branch '${row.branch}' keeps what was committed (\`git -C ${row.repo} log ${row.base_commit.slice(0, 12)}..${row.branch}\`). ` +
      `Run \`conductor worktree remove ${row.terminal_id}\` to let it go (add --force if the branch holds unmerged commits).`,
  );
}

export function removedError(row: WorktreeRow): ConflictError {
  return new ConflictError(
    `the worktree of terminal ${row.terminal_id} (branch '${row.branch}') was removed: it held nothing that was not merged; see \`conductor worktrees --all\``,
  );
}

/** The worker's checkout, or a refusal saying why there is none. */
export function presentFolder(row: WorktreeRow): string {
  if (row.removed_at !== null) throw removedError(row);
  if (!existsSync(row.path)) throw missingFolderError(row);
  return row.path;
}

/** Everything the worker changed against its base: its commits, uncommitted and untracked files. */
export async function diffWorktree(row: WorktreeRow, opts: { stat: boolean }): Promise<DiffResult> {
  const path = presentFolder(row);
  const tree = await snapshotTree(path);
  const log = await gitOk(path, ['log', '--format=%H%x09%s', `${row.base_commit}..HEAD`]);
  const commits = log
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf('\t');
      return { sha: line.slice(0, tab), subject: line.slice(tab + 1) };
    });
  const uncommitted = (await statusLines(path)).length > 0;
  const range = [row.base_commit, tree];
  // Raw output: the stat's first line starts with a space, and a patch needs its final newline.
  const raw = async (args: string[]) => {
    const r = await git(path, args);
    if (r.exitCode !== 0) throw new ConflictError(`git ${args[0]} failed in ${path}: ${gitReason(r)}`);
    return r.stdout;
  };
  const stat = (await raw(['diff', '--stat=200', ...range])).trimEnd();
  const patch = opts.stat ? null : await raw(['diff', '--binary', ...range]);
  return { terminalId: row.terminal_id, branch: row.branch, base: row.base, baseCommit: row.base_commit, commits, uncommitted, stat, patch };
}
