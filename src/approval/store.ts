import type { Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { ApprovalTable } from '../db/schema.js';
import { NotFoundError } from '../errors.js';
import type { ApprovalRecord, ApprovalSource, ApprovalState } from './schema.js';
import { iso, isoOrNull } from '../db/time.js';


function toRecord(r: Selectable<ApprovalTable>): ApprovalRecord {
  return {
    id: r.id,
    requester: r.requester_terminal_id,
    source: r.source as ApprovalSource,
    action: r.action,
    reason: r.reason,
    details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
    state: r.state as ApprovalState,
    decidedBy: r.decided_by,
    note: r.note,
    createdAt: iso(r.created_at),
    expiresAt: iso(r.expires_at),
    decidedAt: isoOrNull(r.decided_at),
  };
}

export class ApprovalStore {
  constructor(private readonly db: Db) {}

  async insert(row: ApprovalTable): Promise<ApprovalRecord> {
    await this.db.insertInto('approvals').values(row).execute();
    return this.get(row.id);
  }

  async find(id: string): Promise<ApprovalRecord | undefined> {
    const r = await this.db.selectFrom('approvals').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toRecord(r);
  }

  async get(id: string): Promise<ApprovalRecord> {
    const found = await this.find(id);
    if (!found) throw new NotFoundError('approval', id, 'see `conductor approvals --all`');
    return found;
  }

  async list(all: boolean): Promise<ApprovalRecord[]> {
    let q = this.db.selectFrom('approvals').selectAll();
    if (!all) q = q.where('state', '=', 'pending');
    return (await q.orderBy('created_at').orderBy('id').execute()).map(toRecord);
  }

  async pendingFor(terminalId: string, source: ApprovalSource): Promise<ApprovalRecord[]> {
    const rows = await this.db
      .selectFrom('approvals')
      .selectAll()
      .where('requester_terminal_id', '=', terminalId)
      .where('source', '=', source)
      .where('state', '=', 'pending')
      .execute();
    return rows.map(toRecord);
  }

  async expiring(now: number): Promise<ApprovalRecord[]> {
    const rows = await this.db.selectFrom('approvals').selectAll().where('state', '=', 'pending').where('expires_at', '<=', now).execute();
    return rows.map(toRecord);
  }

  async nextExpiry(): Promise<number | undefined> {
    const r = await this.db
      .selectFrom('approvals')
      .select((eb) => eb.fn.min('expires_at').as('next'))
      .where('state', '=', 'pending')
      .executeTakeFirst();
    return r?.next === null || r?.next === undefined ? undefined : Number(r.next);
  }

  /** The one place a decision is made: only a pending request changes, so exactly one decision stands. */
  async decide(id: string, state: Exclude<ApprovalState, 'pending'>, by: string, note: string | null, at: number): Promise<boolean> {
    const r = await this.db
      .updateTable('approvals')
      .set({ state, decided_by: by, note, decided_at: at })
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async routeToInbox(id: string): Promise<void> {
    await this.db.updateTable('approvals').set({ result_via_inbox: 1 }).where('id', '=', id).where('state', '=', 'pending').execute();
  }

  async resultViaInbox(id: string): Promise<boolean> {
    const r = await this.db.selectFrom('approvals').select('result_via_inbox').where('id', '=', id).executeTakeFirst();
    return r?.result_via_inbox === 1;
  }
}
