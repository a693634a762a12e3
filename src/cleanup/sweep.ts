import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { terminalLogPath, terminalRawLogPath, terminalRuntimeDir, type HomeLayout } from '../config/paths.js';
import type { Db } from '../db/database.js';
import { moduleLogger } from '../logger.js';
import { sweepWorktrees, type WorktreeSweepReport } from '../worktree/release.js';
import { WorktreeStore } from '../worktree/store.js';
import { rotatedPath } from '../terminal/logRotation.js';

const log = moduleLogger('cleanup');

export interface SweepDeps {
  db: Db;
  layout: HomeLayout;
  tmux: { killWindow(windowId: string): Promise<void> };
  /** True while the status monitor still watches the terminal: live, whatever its row says. */
  isTracked(terminalId: string): boolean;
}

export interface CleanupReport {
  terminals: string[];
  sessions: number;
  messages: number;
  handoffs: number;
  flowRuns: number;
  approvals: number;
  /** Worktrees of ended terminals: removed (nothing to lose) or kept (they hold work). */
  worktrees: WorktreeSweepReport;
  /** Log files and runtime folders of terminals the database no longer knows. */
  orphans: number;
}

/** Tables that other parts of the conductor add in later migrations; absent ones are skipped. */
type LaterTables = {
  flow_runs: { state: string; started_at: number; finished_at: number | null };
  approvals: { state: string; created_at: number; decided_at: number | null };
};

const TERMINAL_FILE = /^([0-9a-f]{8})\.(?:log|raw|log\.pos|log\.1|raw\.1)$/;
const TERMINAL_DIR = /^[0-9a-f]{8}$/;

async function tableExists(db: Db, name: string): Promise<boolean> {
  const { rows } = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name = ${name}`.execute(db);
  return rows.length > 0;
}

const deleted = (r: { numDeletedRows: bigint }) => Number(r.numDeletedRows);

function removeTerminalFiles(l: HomeLayout, id: string): void {
  const clean = terminalLogPath(l, id);
  const raw = terminalRawLogPath(l, id);
  for (const file of [clean, `${clean}.pos`, rotatedPath(clean), raw, rotatedPath(raw)]) rmSync(file, { force: true });
  rmSync(terminalRuntimeDir(l, id), { recursive: true, force: true });
}

function olderThan(path: string, cutoff: number): boolean {
  try {
    return statSync(path).mtimeMs < cutoff;
  } catch {
    return false;
  }
}

/** Exited terminals past the cutoff: the row, the runtime folder, the logs and any leftover window. */
async function sweepTerminals(deps: SweepDeps, cutoff: number): Promise<string[]> {
  const rows = await deps.db
    .selectFrom('terminals')
    .select(['id', 'tmux_window'])
    .where('status', '=', 'exited')
    .where((eb) => eb(eb.fn.coalesce('exited_at', 'last_active_at'), '<', cutoff))
    .execute();
  const removed: string[] = [];
  for (const row of rows) {
    if (deps.isTracked(row.id)) continue;
    // Re-checked in the delete itself: only a row still exited goes.
    const r = await deps.db.deleteFrom('terminals').where('id', '=', row.id).where('status', '=', 'exited').executeTakeFirst();
    if (deleted(r) === 0) continue;
    await deps.tmux.killWindow(row.tmux_window).catch(() => undefined);
    removeTerminalFiles(deps.layout, row.id);
    removed.push(row.id);
  }
  return removed;
}

/** Logs and runtime folders past the cutoff whose terminal row is gone. */
async function sweepOrphans(deps: SweepDeps, cutoff: number): Promise<number> {
  const known = new Set((await deps.db.selectFrom('terminals').select('id').execute()).map((r) => r.id));
  let count = 0;
  const remove = (path: string, id: string) => {
    if (known.has(id) || deps.isTracked(id) || !olderThan(path, cutoff)) return;
    rmSync(path, { recursive: true, force: true });
    count++;
  };
  const list = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  for (const name of list(deps.layout.terminalLogs)) {
    const m = TERMINAL_FILE.exec(name);
    if (m) remove(join(deps.layout.terminalLogs, name), m[1]);
  }
  for (const name of list(deps.layout.runtime)) if (TERMINAL_DIR.test(name)) remove(join(deps.layout.runtime, name), name);
  return count;
}

/**
 * Removes what is finished and older than `cutoff` (ms since the epoch). Never a live terminal,
 * a message still pending or being delivered, a running handoff or flow run, or an undecided approval.
 */
export async function sweep(deps: SweepDeps, cutoff: number): Promise<CleanupReport> {
  const db = deps.db;
  const later = db.withTables<LaterTables>();
  // Before the terminals: a worktree is judged while its terminal's record still says when it ended.
  const worktrees = await sweepWorktrees(new WorktreeStore(db), cutoff, deps.isTracked, Date.now());
  const terminals = await sweepTerminals(deps, cutoff);
  const sessions = deleted(
    await db
      .deleteFrom('sessions')
      .where('created_at', '<', cutoff)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('terminals').select('terminals.id').whereRef('terminals.session_id', '=', 'sessions.id'))))
      .executeTakeFirst(),
  );
  const messages = deleted(
    await db
      .deleteFrom('messages')
      .where('state', 'in', ['delivered', 'failed'])
      .where((eb) => eb(eb.fn.coalesce('delivered_at', 'created_at'), '<', cutoff))
      .executeTakeFirst(),
  );
  const handoffs = deleted(
    await db.deleteFrom('handoffs').where('state', '!=', 'running').where('finished_at', '<', cutoff).executeTakeFirst(),
  );
  const flowRuns = (await tableExists(db, 'flow_runs'))
    ? deleted(
        await later
          .deleteFrom('flow_runs')
          .where('state', 'in', ['skipped', 'failed', 'finished'])
          .where((eb) => eb(eb.fn.coalesce('finished_at', 'started_at'), '<', cutoff))
          .executeTakeFirst(),
      )
    : 0;
  const approvals = (await tableExists(db, 'approvals'))
    ? deleted(
        await later
          .deleteFrom('approvals')
          .where('state', '!=', 'pending')
          .where((eb) => eb(eb.fn.coalesce('decided_at', 'created_at'), '<', cutoff))
          .executeTakeFirst(),
      )
    : 0;
  const orphans = await sweepOrphans(deps, cutoff);
  const report = { terminals, sessions, messages, handoffs, flowRuns, approvals, orphans, worktrees };
  log.info({ ...report, terminals: terminals.length, cutoff: new Date(cutoff).toISOString() }, 'cleanup done');
  return report;
}
