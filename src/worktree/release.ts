import { existsSync, rmSync } from 'node:fs';
import type { EventBus } from '../events/bus.js';
import { moduleLogger } from '../logger.js';
import { git, gitReason } from './git.js';
import { safeToRemove, worktreeState } from './inspect.js';
import type { ReleaseReport, WorktreeState } from './schema.js';
import type { WorktreeRow, WorktreeStore } from './store.js';

const log = moduleLogger('worktree');

const why: Partial<Record<WorktreeState, string>> = {
  dirty: 'it holds uncommitted changes',
  unmerged: 'its branch holds commits not merged yet',
  missing: 'its folder was deleted by hand and its branch holds unmerged commits',
};

export const workHeld = (state: WorktreeState) => why[state] ?? state;

/** What to tell a user whose worktree was kept. */
export function keptNote(row: WorktreeRow, state: WorktreeState): string {
  return (
    `worktree kept at ${row.path} (branch ${row.branch}): ${workHeld(state)}; ` +
    `see \`conductor diff ${row.terminal_id}\`, then \`conductor merge ${row.terminal_id}\` or \`conductor worktree remove ${row.terminal_id} --force\``
  );
}

/** Takes the worktree folder and its branch away; the record stays, marked removed. */
export async function removeWorktreeFiles(store: WorktreeStore, row: WorktreeRow, at: number): Promise<void> {
  if (existsSync(row.path)) {
    const r = await git(row.repo, ['worktree', 'remove', '--force', '--force', row.path]);
    if (r.exitCode !== 0 && existsSync(row.path)) log.warn({ path: row.path, reason: gitReason(r) }, 'git worktree remove failed; removing the folder');
    rmSync(row.path, { recursive: true, force: true });
  }
  await git(row.repo, ['worktree', 'prune']);
  const deleted = await git(row.repo, ['branch', '-D', row.branch]);
  if (deleted.exitCode !== 0) log.warn({ branch: row.branch, reason: gitReason(deleted) }, 'branch not deleted');
  await store.markRemoved(row.terminal_id, at);
  log.info({ terminal: row.terminal_id, path: row.path, branch: row.branch }, 'worktree removed');
}

/**
 * When a terminal goes: its worktree goes too if it holds nothing that would be lost (clean, or
 * fully merged); otherwise it is kept, and the report says so.
 */
export async function releaseWorktree(store: WorktreeStore, terminalId: string, at: number): Promise<ReleaseReport | undefined> {
  const row = await store.find(terminalId);
  if (!row || row.removed_at !== null) return undefined;
  let state: WorktreeState;
  try {
    state = await worktreeState(row);
    if (await safeToRemove(row, state)) {
      await removeWorktreeFiles(store, row, at);
      return { path: row.path, branch: row.branch, state, kept: false, note: null };
    }
  } catch (err) {
    // Whatever went wrong, the terminal still stops; the worktree stays as it is.
    const reason = (err as Error).message;
    log.warn({ terminal: terminalId, path: row.path, err: reason }, 'worktree kept: cannot inspect it');
    return { path: row.path, branch: row.branch, state: 'missing', kept: true, note: `worktree kept at ${row.path}: it could not be inspected (${reason})` };
  }
  log.info({ terminal: terminalId, path: row.path, state }, 'worktree kept: it holds work');
  return { path: row.path, branch: row.branch, state, kept: true, note: keptNote(row, state) };
}

/** releaseWorktree for a terminal being shut down, announced as `worktree.removed` or `worktree.kept`. */
export async function releaseAtShutdown(
  deps: { worktrees: WorktreeStore; bus: EventBus; clock: () => number },
  terminal: { id: string; sessionId: string },
): Promise<ReleaseReport | undefined> {
  const report = await releaseWorktree(deps.worktrees, terminal.id, deps.clock());
  if (report) {
    await deps.bus.publish(report.kept ? 'worktree.kept' : 'worktree.removed', { sessionId: terminal.sessionId, terminalId: terminal.id }, { ...report });
  }
  return report;
}

export interface WorktreeSweepReport {
  removed: number;
  kept: number;
  forgotten: number;
}

/**
 * Retention clean-up: worktrees of terminals that ended before `cutoff` go if nothing would be
 * lost, never otherwise; records of worktrees removed before `cutoff` are forgotten.
 */
export async function sweepWorktrees(store: WorktreeStore, cutoff: number, isTracked: (id: string) => boolean, now: number): Promise<WorktreeSweepReport> {
  const report = { removed: 0, kept: 0, forgotten: 0 };
  for (const row of await store.ofEndedTerminals(cutoff)) {
    if (isTracked(row.terminal_id)) continue;
    try {
      if (await safeToRemove(row, await worktreeState(row))) {
        await removeWorktreeFiles(store, row, now);
        report.removed++;
      } else report.kept++;
    } catch (err) {
      // A repository moved or broken since: keep everything, say so, go on with the others.
      report.kept++;
      log.warn({ terminal: row.terminal_id, path: row.path, err: (err as Error).message }, 'worktree left alone: cannot inspect it');
    }
  }
  report.forgotten = await store.forgetRemoved(cutoff);
  return report;
}
