import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { UsageSourceTable } from '../db/schema.js';
import type { ResponseUsage, TokenCounts } from './schema.js';

export type UsageSource = UsageSourceTable;

export interface FileProgress {
  offset: number;
  state: unknown;
}

/** Summed figures of one terminal and model. */
export interface ModelTotals extends TokenCounts {
  terminalId: string;
  model: string;
  responses: number;
  lastAt: number;
}

/** Usage sources, read progress per file, and one row per model response. */
export class UsageStore {
  constructor(private readonly db: Db) {}

  async addSource(source: UsageSource): Promise<void> {
    await this.db.insertInto('usage_sources').values(source).onConflict((oc) => oc.column('terminal_id').doNothing()).execute();
  }

  /** A resumed terminal runs again: its records are read again, from where they stopped, under its new session id if it has one. */
  async reopen(terminalId: string, recordSessionId: string | null): Promise<void> {
    await this.db
      .updateTable('usage_sources')
      .set((eb) => ({ finished_at: null, record_session_id: recordSessionId === null ? eb.ref('record_session_id') : recordSessionId }))
      .where('terminal_id', '=', terminalId)
      .execute();
  }

  /** The terminal no longer runs and its records were read to the end. */
  async finish(terminalId: string, at: number): Promise<void> {
    await this.db.updateTable('usage_sources').set({ finished_at: at }).where('terminal_id', '=', terminalId).where('finished_at', 'is', null).execute();
  }

  async source(terminalId: string): Promise<UsageSource | undefined> {
    return this.db.selectFrom('usage_sources').selectAll().where('terminal_id', '=', terminalId).executeTakeFirst();
  }

  async sources(filter: { terminalIds?: string[]; sessionId?: string; unfinished?: boolean } = {}): Promise<UsageSource[]> {
    let q = this.db.selectFrom('usage_sources').selectAll();
    if (filter.unfinished) q = q.where('finished_at', 'is', null);
    if (filter.terminalIds) q = q.where('terminal_id', 'in', filter.terminalIds.length ? filter.terminalIds : ['']);
    if (filter.sessionId) q = q.where('session_id', '=', filter.sessionId);
    return q.orderBy('created_at').orderBy('terminal_id').execute();
  }

  async progress(terminalId: string, path: string): Promise<FileProgress | undefined> {
    const row = await this.db
      .selectFrom('usage_files')
      .select(['offset', 'state'])
      .where('terminal_id', '=', terminalId)
      .where('path', '=', path)
      .executeTakeFirst();
    return row && { offset: row.offset, state: row.state ? (JSON.parse(row.state) as unknown) : null };
  }

  async knownFiles(terminalId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('usage_files').select('path').where('terminal_id', '=', terminalId).execute();
    return rows.map((r) => r.path);
  }

  /**
   * Stores a file's new responses and where its reading got to, in one transaction: a crash
   * leaves either both or neither, so nothing is counted twice or lost. A response seen again
   * replaces the stored one only if it is at least as complete (as many output tokens or more).
   */
  async record(terminalId: string, path: string, progress: FileProgress, responses: ResponseUsage[], at: number): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      for (const r of responses) {
        const row = {
          terminal_id: terminalId,
          response_key: r.key,
          model: r.model,
          input_tokens: r.inputTokens,
          output_tokens: r.outputTokens,
          cache_read_tokens: r.cacheReadTokens,
          cache_write_tokens: r.cacheWriteTokens,
          at: r.at,
        };
        await tx
          .insertInto('usage_responses')
          .values(row)
          .onConflict((oc) =>
            oc
              .columns(['terminal_id', 'response_key'])
              .doUpdateSet({
                model: (eb) => eb.ref('excluded.model'),
                input_tokens: (eb) => eb.ref('excluded.input_tokens'),
                output_tokens: (eb) => eb.ref('excluded.output_tokens'),
                cache_read_tokens: (eb) => eb.ref('excluded.cache_read_tokens'),
                cache_write_tokens: (eb) => eb.ref('excluded.cache_write_tokens'),
                at: (eb) => eb.ref('excluded.at'),
              })
              .where(sql<boolean>`excluded.output_tokens >= usage_responses.output_tokens`),
          )
          .execute();
      }
      const state = progress.state === null || progress.state === undefined ? null : JSON.stringify(progress.state);
      await tx
        .insertInto('usage_files')
        .values({ terminal_id: terminalId, path, offset: progress.offset, state, updated_at: at })
        .onConflict((oc) => oc.columns(['terminal_id', 'path']).doUpdateSet({ offset: progress.offset, state, updated_at: at }))
        .execute();
    });
  }

  /** Figures per terminal and model, from responses recorded at or after `since`. */
  async totals(terminalIds: string[], since?: number): Promise<ModelTotals[]> {
    if (terminalIds.length === 0) return [];
    let q = this.db
      .selectFrom('usage_responses')
      .select((eb) => [
        'terminal_id',
        'model',
        eb.fn.sum<number>('input_tokens').as('input'),
        eb.fn.sum<number>('output_tokens').as('output'),
        eb.fn.sum<number>('cache_read_tokens').as('cache_read'),
        eb.fn.sum<number>('cache_write_tokens').as('cache_write'),
        eb.fn.countAll<number>().as('responses'),
        eb.fn.max<number>('at').as('last_at'),
      ])
      .where('terminal_id', 'in', terminalIds);
    if (since !== undefined) q = q.where('at', '>=', since);
    const rows = await q.groupBy(['terminal_id', 'model']).execute();
    return rows.map((r) => ({
      terminalId: r.terminal_id,
      model: r.model,
      inputTokens: Number(r.input),
      outputTokens: Number(r.output),
      cacheReadTokens: Number(r.cache_read),
      cacheWriteTokens: Number(r.cache_write),
      responses: Number(r.responses),
      lastAt: Number(r.last_at),
    }));
  }

  /** Every terminal whose caller is one of `ids`. */
  async workersOf(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('usage_sources').select('terminal_id').where('caller_terminal_id', 'in', ids).execute();
    return rows.map((r) => r.terminal_id);
  }

  async budgetRequest(terminalId: string): Promise<{ limitUsd: number; approvalId: string } | undefined> {
    const row = await this.db.selectFrom('usage_budget_requests').selectAll().where('terminal_id', '=', terminalId).executeTakeFirst();
    return row && { limitUsd: row.limit_usd, approvalId: row.approval_id };
  }

  async addBudgetRequest(terminalId: string, limitUsd: number, approvalId: string, at: number): Promise<void> {
    await this.db
      .insertInto('usage_budget_requests')
      .values({ terminal_id: terminalId, limit_usd: limitUsd, approval_id: approvalId, created_at: at })
      .onConflict((oc) => oc.column('terminal_id').doNothing())
      .execute();
  }
}
