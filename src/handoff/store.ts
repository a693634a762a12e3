import type { Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { HandoffTable } from '../db/schema.js';
import { NotFoundError } from '../errors.js';
import type { HandoffRecord, HandoffState } from './schema.js';
import { iso, isoOrNull } from '../db/time.js';


function toRecord(r: Selectable<HandoffTable>): HandoffRecord {
  return {
    id: r.id,
    caller: r.caller_terminal_id,
    worker: r.worker_terminal_id,
    profile: r.profile,
    mode: r.mode === 'assign' ? 'assign' : 'handoff',
    state: r.state as HandoffState,
    result: r.result,
    error: r.error,
    resultViaInbox: r.result_via_inbox === 1,
    createdAt: iso(r.created_at),
    finishedAt: isoOrNull(r.finished_at),
    deadlineAt: iso(r.deadline_at),
  };
}

export class HandoffStore {
  constructor(private readonly db: Db) {}

  async insert(row: HandoffTable): Promise<void> {
    await this.db.insertInto('handoffs').values(row).execute();
  }

  async row(id: string): Promise<Selectable<HandoffTable> | undefined> {
    return this.db.selectFrom('handoffs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async get(id: string): Promise<HandoffRecord> {
    const r = await this.row(id);
    if (!r) throw new NotFoundError('handoff', id, 'the handle comes from an earlier handoff call');
    return toRecord(r);
  }

  async running(): Promise<Array<Selectable<HandoffTable>>> {
    return this.db.selectFrom('handoffs').selectAll().where('state', '=', 'running').execute();
  }

  async setTask(id: string, messageId: number): Promise<void> {
    await this.db.updateTable('handoffs').set({ task_message_id: messageId }).where('id', '=', id).execute();
  }

  /** Ends a running handoff once; false if it had already ended. */
  async finish(id: string, patch: { state: HandoffState; result?: string | null; error?: string | null; at: number }): Promise<boolean> {
    const r = await this.db
      .updateTable('handoffs')
      .set({ state: patch.state, result: patch.result ?? null, error: patch.error ?? null, finished_at: patch.at })
      .where('id', '=', id)
      .where('state', '=', 'running')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** The caller stopped waiting: the result goes to its inbox. False if it had already finished. */
  async routeToInbox(id: string): Promise<boolean> {
    const r = await this.db
      .updateTable('handoffs')
      .set({ result_via_inbox: 1 })
      .where('id', '=', id)
      .where('state', '=', 'running')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
