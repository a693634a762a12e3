import type { Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { NotifyTargetTable } from '../db/schema.js';
import { iso, isoOrNull } from '../db/time.js';
import { NotFoundError } from '../errors.js';
import { redactUrl } from './redact.js';
import type { NotifyEvent, NotifyFormat, NotifyTargetRecord, TargetKind } from './schema.js';

function toRecord(r: Selectable<NotifyTargetTable>): NotifyTargetRecord {
  const state = r.failing ? 'failing' : r.last_delivered_at !== null ? 'ok' : 'new';
  return {
    id: r.id,
    kind: r.kind as TargetKind,
    url: r.url,
    safeUrl: r.url ? redactUrl(r.url) : null,
    format: r.format as NotifyFormat,
    events: JSON.parse(r.events) as NotifyEvent[],
    state,
    createdAt: iso(r.created_at),
    lastDeliveredAt: isoOrNull(r.last_delivered_at),
    lastError: r.last_error,
    lastErrorAt: isoOrNull(r.last_error_at),
  };
}

export class NotifyStore {
  constructor(private readonly db: Db) {}

  async insert(t: { id: string; kind: TargetKind; url: string | null; format: NotifyFormat; events: NotifyEvent[]; at: number }): Promise<NotifyTargetRecord> {
    await this.db
      .insertInto('notify_targets')
      .values({ id: t.id, kind: t.kind, url: t.url, format: t.format, events: JSON.stringify(t.events), created_at: t.at, failing: 0 })
      .execute();
    return this.get(t.id);
  }

  async list(): Promise<NotifyTargetRecord[]> {
    return (await this.db.selectFrom('notify_targets').selectAll().orderBy('created_at').orderBy('id').execute()).map(toRecord);
  }

  async find(id: string): Promise<NotifyTargetRecord | undefined> {
    const r = await this.db.selectFrom('notify_targets').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toRecord(r);
  }

  async get(id: string): Promise<NotifyTargetRecord> {
    const found = await this.find(id);
    if (!found) throw new NotFoundError('notification target', id, 'see `conductor notify list`');
    return found;
  }

  /** The target already registered for this destination, if any. */
  async findByDestination(kind: TargetKind, url: string | null): Promise<NotifyTargetRecord | undefined> {
    let q = this.db.selectFrom('notify_targets').selectAll().where('kind', '=', kind);
    q = url === null ? q.where('url', 'is', null) : q.where('url', '=', url);
    const r = await q.executeTakeFirst();
    return r && toRecord(r);
  }

  async remove(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('notify_targets').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async delivered(id: string, at: number): Promise<void> {
    await this.db.updateTable('notify_targets').set({ last_delivered_at: at, failing: 0 }).where('id', '=', id).execute();
  }

  /** A delivery used up its retries: the target is marked failing until one succeeds. */
  async failed(id: string, error: string, at: number): Promise<void> {
    await this.db.updateTable('notify_targets').set({ last_error: error, last_error_at: at, failing: 1 }).where('id', '=', id).execute();
  }
}
