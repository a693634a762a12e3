import type { Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { MessageTable } from '../db/schema.js';
import type { MessageRecord, MessageState } from './schema.js';
import { iso, isoOrNull } from '../db/time.js';


export function toMessage(r: Selectable<MessageTable>): MessageRecord {
  return {
    id: r.id,
    from: r.sender_terminal_id,
    fromLabel: r.sender_label,
    to: r.receiver_terminal_id,
    kind: r.kind as MessageRecord['kind'],
    body: r.body,
    state: r.state as MessageState,
    reason: r.reason,
    createdAt: iso(r.created_at),
    deliveredAt: isoOrNull(r.delivered_at),
  };
}

/** Messages are written here before anything else happens to them. */
export class MessageStore {
  constructor(private readonly db: Db) {}

  async insert(m: {
    from: string | null;
    fromLabel: string;
    to: string;
    kind: MessageRecord['kind'];
    body: string;
    at: number;
  }): Promise<MessageRecord> {
    const row = await this.db
      .insertInto('messages')
      .values({
        sender_terminal_id: m.from,
        sender_label: m.fromLabel,
        receiver_terminal_id: m.to,
        kind: m.kind,
        body: m.body,
        state: 'pending',
        reason: null,
        delivery_buffer: null,
        created_at: m.at,
        delivered_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toMessage(row);
  }

  async get(id: number): Promise<MessageRecord | undefined> {
    const row = await this.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toMessage(row);
  }

  async list(terminalId: string, direction: 'received' | 'sent' | 'all', state?: MessageState): Promise<MessageRecord[]> {
    let q = this.db.selectFrom('messages').selectAll();
    if (direction === 'received') q = q.where('receiver_terminal_id', '=', terminalId);
    else if (direction === 'sent') q = q.where('sender_terminal_id', '=', terminalId);
    else q = q.where((eb) => eb.or([eb('receiver_terminal_id', '=', terminalId), eb('sender_terminal_id', '=', terminalId)]));
    if (state) q = q.where('state', '=', state);
    return (await q.orderBy('id').execute()).map(toMessage);
  }

  async pending(receiver: string, maxBytes: number): Promise<MessageRecord[]> {
    const rows = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('receiver_terminal_id', '=', receiver)
      .where('state', '=', 'pending')
      .orderBy('id')
      .limit(500)
      .execute();
    const batch: MessageRecord[] = [];
    let bytes = 0;
    for (const r of rows) {
      bytes += Buffer.byteLength(r.body);
      if (batch.length > 0 && bytes > maxBytes) break;
      batch.push(toMessage(r));
    }
    return batch;
  }

  async receiversWithPending(): Promise<string[]> {
    const rows = await this.db.selectFrom('messages').select('receiver_terminal_id').distinct().where('state', '=', 'pending').execute();
    return rows.map((r) => r.receiver_terminal_id);
  }

  /**
   * Claims pending messages for one delivery, in one transaction: all of them or none (another
   * delivery got there first). The buffer name records where the text waits in tmux.
   */
  async claim(ids: number[], buffer: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('messages')
        .set({ state: 'delivering', delivery_buffer: buffer })
        .where('id', 'in', ids)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== ids.length) throw new ClaimLost();
      return true;
    }).catch((err) => {
      if (err instanceof ClaimLost) return false;
      throw err;
    });
  }

  async markDelivered(ids: number[], at: number): Promise<void> {
    await this.db
      .updateTable('messages')
      .set({ state: 'delivered', delivered_at: at, delivery_buffer: null })
      .where('id', 'in', ids)
      .execute();
  }

  async markFailed(ids: number[], reason: string): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('messages')
      .set({ state: 'failed', reason, delivery_buffer: null })
      .where('id', 'in', ids)
      .where('state', 'in', ['pending', 'delivering'])
      .execute();
  }

  async release(ids: number[]): Promise<void> {
    await this.db
      .updateTable('messages')
      .set({ state: 'pending', delivery_buffer: null })
      .where('id', 'in', ids)
      .where('state', '=', 'delivering')
      .execute();
  }

  async failAllFor(receiver: string, reason: string): Promise<number[]> {
    const rows = await this.db
      .selectFrom('messages')
      .select('id')
      .where('receiver_terminal_id', '=', receiver)
      .where('state', 'in', ['pending', 'delivering'])
      .execute();
    const ids = rows.map((r) => r.id);
    await this.markFailed(ids, reason);
    return ids;
  }

  async inDelivery(): Promise<Array<{ id: number; receiver: string; buffer: string | null }>> {
    const rows = await this.db
      .selectFrom('messages')
      .select(['id', 'receiver_terminal_id', 'delivery_buffer'])
      .where('state', '=', 'delivering')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: r.id, receiver: r.receiver_terminal_id, buffer: r.delivery_buffer }));
  }
}

class ClaimLost extends Error {}
