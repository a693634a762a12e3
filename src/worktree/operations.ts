import { ConductorError, ConflictError } from '../errors.js';
import { resolveProfile } from '../profile/load.js';
import type { TerminalStore } from '../terminal/store.js';
import { iso, isoOrNull } from '../db/time.js';
import { defaultTarget, diffWorktree, safeToRemove, worktreeState } from './inspect.js';
import { mergeWorktree } from './merge.js';
import { removeWorktreeFiles, workHeld } from './release.js';
import type { DiffResult, MergeInput, MergeResult, WorktreeRecord, WorktreeState } from './schema.js';
import { toInfo, type WorktreeRow, type WorktreeStore } from './store.js';

const live = (status: string | null) => status !== null && status !== 'exited';

async function toRecord(store: WorktreeStore, row: WorktreeRow): Promise<WorktreeRecord> {
  let state: WorktreeState;
  let target: string | null = null;
  try {
    state = await worktreeState(row);
    if (state !== 'removed') target = await defaultTarget(row);
  } catch {
    // The repository itself is gone or broken: the worktree cannot be reached either.
    state = 'missing';
  }
  return {
    terminalId: row.terminal_id,
    ...toInfo(row),
    state,
    target,
    terminalStatus: await store.terminalStatus(row.terminal_id),
    createdAt: iso(row.created_at),
    mergedAt: isoOrNull(row.merged_at),
    mergedInto: row.merged_into,
  };
}

export async function listWorktrees(store: WorktreeStore, opts: { all?: boolean } = {}): Promise<WorktreeRecord[]> {
  const rows = await store.list({ includeRemoved: opts.all });
  return Promise.all(rows.map((row) => toRecord(store, row)));
}

export async function getWorktree(store: WorktreeStore, terminalId: string): Promise<WorktreeRecord> {
  return toRecord(store, await store.get(terminalId));
}

export async function worktreeDiff(store: WorktreeStore, terminalId: string, opts: { stat: boolean }): Promise<DiffResult> {
  return diffWorktree(await store.get(terminalId), opts);
}

export interface MergeDeps {
  store: WorktreeStore;
  terminals: TerminalStore;
  profilesDir: string;
  clock: () => number;
}

/** An agent may merge only when its profile says `canMerge: true`; a human always may. */
async function checkMayMerge(deps: MergeDeps, by: string | undefined, worker: string): Promise<void> {
  if (!by) return;
  if (by === worker) throw new ConductorError('forbidden', `terminal ${by} cannot merge its own worktree: its supervisor or a human merges it`);
  const caller = await deps.terminals.get(by);
  const profile = caller.profile ? resolveProfile(caller.profile, deps.profilesDir) : undefined;
  if (!profile?.canMerge) {
    throw new ConductorError(
      'forbidden',
      `terminal ${by} may not merge workers' worktrees: its profile${caller.profile ? ` '${caller.profile}'` : ''} lacks \`canMerge: true\`; ` +
        `report the worker's branch instead, and a human can run \`conductor merge ${worker}\``,
    );
  }
}

export async function mergeWorker(deps: MergeDeps, terminalId: string, input: MergeInput): Promise<MergeResult> {
  const row = await deps.store.get(terminalId);
  await checkMayMerge(deps, input.by, terminalId);
  const merged = await mergeWorktree(row, input);
  const now = deps.clock();
  await deps.store.markMerged(terminalId, merged.into, now);
  // A worker that has ended leaves nothing behind once its work is merged.
  let worktreeRemoved = false;
  if (!live(await deps.store.terminalStatus(terminalId))) {
    const after = (await deps.store.find(terminalId))!;
    if (await safeToRemove(after, await worktreeState(after))) {
      await removeWorktreeFiles(deps.store, after, now);
      worktreeRemoved = true;
    }
  }
  return { ...merged, worktreeRemoved };
}

/** Removes a worktree and its branch; one that holds work needs `force`. Never under a live terminal. */
export async function removeWorker(
  deps: { store: WorktreeStore; clock: () => number },
  terminalId: string,
  opts: { force: boolean },
): Promise<WorktreeRecord> {
  const row = await deps.store.get(terminalId);
  if (live(await deps.store.terminalStatus(terminalId))) {
    throw new ConflictError(`terminal ${terminalId} still runs in ${row.path}: shut it down first (\`conductor shutdown ${terminalId}\`)`);
  }
  if (row.removed_at !== null) return toRecord(deps.store, row);
  const state = await worktreeState(row);
  if (!opts.force && !(await safeToRemove(row, state))) {
    throw new ConflictError(
      `worktree ${row.path} (branch ${row.branch}) not removed: ${workHeld(state)}; see \`conductor diff ${terminalId}\` and ` +
        `\`conductor merge ${terminalId}\`, or add --force to remove it anyway, losing that work`,
    );
  }
  await removeWorktreeFiles(deps.store, row, deps.clock());
  return toRecord(deps.store, (await deps.store.find(terminalId))!);
}
