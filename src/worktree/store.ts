import type { Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { WorktreeTable } from '../db/schema.js';
import { isoOrNull } from '../db/time.js';
import { NotFoundError } from '../errors.js';
import type { WorktreeInfo } from './schema.js';

export type WorktreeRow = Selectable<WorktreeTable>;

export function toInfo(row: WorktreeRow): WorktreeInfo {
  return {
    path: row.path,
    branch: row.branch,
    base: row.base,
    baseCommit: row.base_commit,
    repo: row.repo,
    removedAt: isoOrNull(row.removed_at),
  };
}

export class WorktreeStore {
  constructor(private readonly db: Db) {}

  async insert(row: WorktreeTable): Promise<void> {
    await this.db.insertInto('worktrees').values(row).execute();
  }

  async find(terminalId: string): Promise<WorktreeRow | undefined> {
    return this.db.selectFrom('worktrees').selectAll().where('terminal_id', '=', terminalId).executeTakeFirst();
  }

  async get(terminalId: string): Promise<WorktreeRow> {
    const row = await this.find(terminalId);
    if (!row) {
      throw new NotFoundError('worktree of terminal', terminalId, 'only terminals started with --worktree have one; see `conductor worktrees`');
    }
    return row;
  }

  async list(opts: { includeRemoved?: boolean } = {}): Promise<WorktreeRow[]> {
    let q = this.db.selectFrom('worktrees').selectAll();
    if (!opts.includeRemoved) q = q.where('removed_at', 'is', null);
    return q.orderBy('created_at').orderBy('terminal_id').execute();
  }

  /**
   * Worktrees still on disk whose terminal exited before `before`, or whose terminal record is gone
   * (and that were made before `before`: a launch under way has made its worktree, not yet its record).
   */
  async ofEndedTerminals(before: number): Promise<WorktreeRow[]> {
    return this.db
      .selectFrom('worktrees')
      .leftJoin('terminals', 'terminals.id', 'worktrees.terminal_id')
      .selectAll('worktrees')
      .where('worktrees.removed_at', 'is', null)
      .where((eb) =>
        eb.or([
          eb.and([eb('terminals.id', 'is', null), eb('worktrees.created_at', '<', before)]),
          eb.and([eb('terminals.status', '=', 'exited'), eb(eb.fn.coalesce('terminals.exited_at', 'terminals.last_active_at'), '<', before)]),
        ]),
      )
      .execute();
  }

  async terminalStatus(terminalId: string): Promise<string | null> {
    const row = await this.db.selectFrom('terminals').select('status').where('id', '=', terminalId).executeTakeFirst();
    return row?.status ?? null;
  }

  async markMerged(terminalId: string, into: string, at: number): Promise<void> {
    await this.db.updateTable('worktrees').set({ merged_at: at, merged_into: into }).where('terminal_id', '=', terminalId).execute();
  }

  async markRemoved(terminalId: string, at: number): Promise<void> {
    await this.db.updateTable('worktrees').set({ removed_at: at }).where('terminal_id', '=', terminalId).execute();
  }

  async delete(terminalId: string): Promise<void> {
    await this.db.deleteFrom('worktrees').where('terminal_id', '=', terminalId).execute();
  }

  /** Records of worktrees removed before `before`: nothing is left of them to show. */
  async forgetRemoved(before: number): Promise<number> {
    const r = await this.db.deleteFrom('worktrees').where('removed_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
