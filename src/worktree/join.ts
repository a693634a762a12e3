import { isoOrNull } from '../db/time.js';
import type { WorktreeInfo } from './schema.js';

/** The worktree columns a terminal query joins in (left join on worktrees.terminal_id). */
export const worktreeColumns = [
  'worktrees.path as worktree_path',
  'worktrees.branch as worktree_branch',
  'worktrees.base as worktree_base',
  'worktrees.base_commit as worktree_base_commit',
  'worktrees.repo as worktree_repo',
  'worktrees.removed_at as worktree_removed_at',
] as const;

export interface WorktreeJoin {
  worktree_path: string | null;
  worktree_branch: string | null;
  worktree_base: string | null;
  worktree_base_commit: string | null;
  worktree_repo: string | null;
  worktree_removed_at: number | null;
}

export function worktreeFromJoin(row: WorktreeJoin): WorktreeInfo | null {
  if (row.worktree_path === null) return null;
  return {
    path: row.worktree_path,
    branch: row.worktree_branch ?? '',
    base: row.worktree_base ?? '',
    baseCommit: row.worktree_base_commit ?? '',
    repo: row.worktree_repo ?? '',
    removedAt: isoOrNull(row.worktree_removed_at),
  };
}
