import type { Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { TerminalTable } from '../db/schema.js';
import { NotFoundError } from '../errors.js';
import type { TerminalRecord, TerminalStatus } from './schema.js';
import { iso, isoOrNull } from '../db/time.js';
import type { UsageFigures } from '../usage/schema.js';
import { worktreeColumns, worktreeFromJoin, type WorktreeJoin } from '../worktree/join.js';

/** The tmux ids of a lost terminal until it resumes: they match no window or pane. */
export const LOST_WINDOW = '@lost';
export const LOST_PANE = '%lost';

type Row = Selectable<TerminalTable> & { session_name: string; tmux_session: string } & WorktreeJoin;


export function toRecord(row: Row, logFileFor: (id: string) => string): TerminalRecord {
  return {
    id: row.id,
    sessionId: row.session_id,
    sessionName: row.session_name,
    tmuxSession: row.tmux_session,
    tmuxWindow: row.tmux_window,
    tmuxPane: row.tmux_pane,
    windowName: row.window_name,
    provider: row.provider,
    profile: row.profile,
    cwd: row.cwd,
    status: row.status as TerminalStatus,
    statusDetail: row.status_detail,
    callerTerminalId: row.caller_terminal_id,
    createdAt: iso(row.created_at),
    lastActiveAt: iso(row.last_active_at),
    exitedAt: isoOrNull(row.exited_at),
    exitCode: row.exit_code,
    logFile: logFileFor(row.id),
    worktree: worktreeFromJoin(row),
  };
}

export class TerminalStore {
  constructor(
    private readonly db: Db,
    private readonly logFileFor: (id: string) => string,
    /** Usage figures per terminal id, added to every record when given (src/usage). */
    private readonly usageOf?: (ids: string[]) => Promise<Map<string, UsageFigures>>,
  ) {}

  private async withUsage(records: TerminalRecord[]): Promise<TerminalRecord[]> {
    if (!this.usageOf || records.length === 0) return records;
    const figures = await this.usageOf(records.map((r) => r.id));
    return records.map((r) => ({ ...r, usage: figures.get(r.id) ?? null }));
  }

  private base() {
    return this.db
      .selectFrom('terminals')
      .innerJoin('sessions', 'sessions.id', 'terminals.session_id')
      .leftJoin('worktrees', 'worktrees.terminal_id', 'terminals.id')
      .selectAll('terminals')
      .select(['sessions.name as session_name', 'sessions.tmux_session as tmux_session'])
      .select(worktreeColumns);
  }

  async insert(row: TerminalTable): Promise<void> {
    await this.db.insertInto('terminals').values(row).execute();
  }

  async find(id: string): Promise<TerminalRecord | undefined> {
    const row = await this.base().where('terminals.id', '=', id).executeTakeFirst();
    return row && (await this.withUsage([toRecord(row, this.logFileFor)]))[0];
  }

  async get(id: string): Promise<TerminalRecord> {
    const found = await this.find(id);
    if (!found) throw new NotFoundError('terminal', id);
    return found;
  }

  async list(filter: { sessionId?: string; live?: boolean } = {}): Promise<TerminalRecord[]> {
    let q = this.base();
    if (filter.sessionId) q = q.where('terminals.session_id', '=', filter.sessionId);
    if (filter.live) q = q.where('terminals.status', '!=', 'exited');
    const rows = await q.orderBy('terminals.created_at').orderBy('terminals.id').execute();
    return this.withUsage(rows.map((r) => toRecord(r, this.logFileFor)));
  }

  async lastResponse(id: string): Promise<string | null> {
    const row = await this.db.selectFrom('terminals').select('last_response').where('id', '=', id).executeTakeFirst();
    return row?.last_response ?? null;
  }

  async updateStatus(
    id: string,
    patch: { status: TerminalStatus; detail?: string | null; lastResponse?: string | null; at: number },
  ): Promise<void> {
    await this.db
      .updateTable('terminals')
      .set({
        status: patch.status,
        status_detail: patch.detail ?? null,
        last_active_at: patch.at,
        ...(patch.lastResponse !== undefined ? { last_response: patch.lastResponse } : {}),
      })
      .where('id', '=', id)
      .execute();
  }

  /** True when this call moved the terminal to `exited` (false: it had already ended). */
  async markExited(id: string, exitCode: number | null, at: number, detail: string): Promise<boolean> {
    const result = await this.db
      .updateTable('terminals')
      .set({ status: 'exited', exit_code: exitCode, exited_at: at, status_detail: detail })
      .where('id', '=', id)
      .where('status', '!=', 'exited')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * True when this call moved a running terminal to `lost` (its window is gone, its agent never
   * exited). Its pane and window ids are replaced by ones no tmux object has: a new tmux server
   * hands out the old ids again, to other terminals' windows.
   */
  async markLost(id: string, at: number, detail: string): Promise<boolean> {
    const result = await this.db
      .updateTable('terminals')
      .set({ status: 'lost', status_detail: detail, last_active_at: at, tmux_window: LOST_WINDOW, tmux_pane: LOST_PANE })
      .where('id', '=', id)
      .where('status', 'not in', ['exited', 'lost'])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * Claims a lost terminal for one resume: only the call that moves it from `lost` to `starting`
   * goes on to start an agent, so two resumes at once start one.
   */
  async claimLost(id: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable('terminals')
      .set({ status: 'starting', status_detail: 'resuming', last_active_at: at })
      .where('id', '=', id)
      .where('status', '=', 'lost')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Points a resumed terminal at its new tmux window and pane. */
  async movePane(id: string, pane: { windowId: string; paneId: string }): Promise<void> {
    await this.db.updateTable('terminals').set({ tmux_window: pane.windowId, tmux_pane: pane.paneId }).where('id', '=', id).execute();
  }

  async touch(id: string, at: number): Promise<void> {
    await this.db.updateTable('terminals').set({ last_active_at: at }).where('id', '=', id).execute();
  }

  async remove(id: string): Promise<void> {
    await this.db.deleteFrom('terminals').where('id', '=', id).execute();
  }
}
