import { z } from 'zod';
import { terminalIdSchema } from '../terminal/schema.js';

export { worktreeRequestSchema, type WorktreeRequest } from './request.js';

export const diffQuerySchema = z.object({ stat: z.enum(['true', 'false']).default('false') });

export const mergeSchema = z
  .object({
    /** The branch to merge into (default: the worktree's base branch). */
    into: z.string().min(1).max(200).optional(),
    /** One commit with all the worker's changes instead of a merge commit. */
    squash: z.boolean().default(false),
    /** The terminal asking (an MCP caller); its profile must allow merging. Absent for a human. */
    by: terminalIdSchema.optional(),
  })
  .strict();
export type MergeInput = z.infer<typeof mergeSchema>;

export const removeQuerySchema = z.object({ force: z.enum(['true', 'false']).default('false') });
export const listQuerySchema = z.object({ all: z.enum(['true', 'false']).default('false') });

/** What the terminal record shows of its worktree. */
export interface WorktreeInfo {
  path: string;
  branch: string;
  /** What the branch started from: a branch name, or a commit when HEAD was detached or a commit was given. */
  base: string;
  baseCommit: string;
  /** The repository's main checkout. */
  repo: string;
  removedAt: string | null;
}

/**
 * clean: nothing beyond its base; dirty: uncommitted or untracked changes; unmerged: commits its
 * target lacks; merged: everything is in its target; missing: the folder was deleted by hand;
 * removed: gone, and nothing was lost.
 */
export const worktreeStates = ['clean', 'dirty', 'unmerged', 'merged', 'missing', 'removed'] as const;
export type WorktreeState = (typeof worktreeStates)[number];

/** States whose worktree can go without losing anything. */
export const disposableStates: ReadonlySet<WorktreeState> = new Set(['clean', 'merged', 'removed']);

export interface WorktreeRecord extends WorktreeInfo {
  terminalId: string;
  state: WorktreeState;
  /** The branch a merge goes into by default, or null when the base is not a local branch. */
  target: string | null;
  /** The terminal's status, or null once its record was cleaned up. */
  terminalStatus: string | null;
  createdAt: string;
  mergedAt: string | null;
  mergedInto: string | null;
}

export interface DiffResult {
  terminalId: string;
  branch: string;
  base: string;
  baseCommit: string;
  /** Commits on the branch since its base, newest first. */
  commits: Array<{ sha: string; subject: string }>;
  /** Uncommitted or untracked changes, included in the diff. */
  uncommitted: boolean;
  /** `git diff --stat` of everything against the base. */
  stat: string;
  /** The patch, unless only the stat was asked for. */
  patch: string | null;
}

export interface MergeResult {
  terminalId: string;
  branch: string;
  into: string;
  /** The checkout the merge happened in. */
  checkout: string;
  commit: string;
  squash: boolean;
  /** The worker's uncommitted changes that were committed on its branch first, if any. */
  committedWork: string | null;
  /** True when the worktree went too (its terminal had exited and nothing was left in it). */
  worktreeRemoved: boolean;
}

export interface ReleaseReport {
  path: string;
  branch: string;
  state: WorktreeState;
  kept: boolean;
  /** For a kept one: why, and what to do. */
  note: string | null;
}
