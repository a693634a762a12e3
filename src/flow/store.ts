import type { Generated, Kysely, Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { NotFoundError } from '../errors.js';
import { parseFlow, type FlowDefinition, type FlowRecord, type FlowRunRecord, type FlowRunState, type FlowTrigger } from './schema.js';
import { iso, isoOrNull } from '../db/time.js';

export interface FlowTable {
  name: string;
  definition: string;
  file: string | null;
  cwd: string;
  enabled: number;
  created_at: number;
  updated_at: number;
  last_run_at: number | null;
  next_run_at: number | null;
}

export interface FlowRunTable {
  id: Generated<number>;
  flow: string;
  trigger: string;
  state: string;
  reason: string | null;
  terminal_id: string | null;
  message_id: number | null;
  started_at: number;
  finished_at: number | null;
}

// A type alias, not an interface: withTables<T> needs an index-compatible type.
export type FlowTables = {
  flows: FlowTable;
  flow_runs: FlowRunTable;
};

export type FlowDb = Kysely<Database & FlowTables>;
export type FlowRow = Selectable<FlowTable>;
export type FlowRunRow = Selectable<FlowRunTable>;


export function toRunRecord(r: FlowRunRow): FlowRunRecord {
  return {
    id: r.id,
    flow: r.flow,
    trigger: r.trigger as FlowTrigger,
    state: r.state as FlowRunState,
    reason: r.reason,
    terminalId: r.terminal_id,
    messageId: r.message_id,
    startedAt: iso(r.started_at),
    finishedAt: isoOrNull(r.finished_at),
  };
}

/** A stored flow with its definition parsed (it was validated when added). */
export function definitionOf(row: FlowRow): FlowDefinition {
  return parseFlow(row.definition, row.file ?? row.name);
}

export function toFlowRecord(row: FlowRow, lastRun: FlowRunRow | undefined): FlowRecord {
  const d = definitionOf(row);
  return {
    name: row.name,
    description: d.description ?? null,
    schedule: d.schedule,
    timezone: d.timezone ?? null,
    profile: d.profile,
    provider: d.provider ?? null,
    script: d.script ?? null,
    timeout: d.timeout,
    keep: d.keep,
    cwd: row.cwd,
    file: row.file,
    enabled: row.enabled === 1,
    createdAt: iso(row.created_at),
    lastRunAt: isoOrNull(row.last_run_at),
    nextRunAt: isoOrNull(row.next_run_at),
    lastRun: lastRun ? toRunRecord(lastRun) : null,
  };
}

export class FlowStore {
  readonly db: FlowDb;

  constructor(db: Db) {
    this.db = db.withTables<FlowTables>();
  }

  async upsert(row: FlowTable): Promise<void> {
    await this.db
      .insertInto('flows')
      .values(row)
      .onConflict((oc) =>
        oc.column('name').doUpdateSet({ definition: row.definition, file: row.file, cwd: row.cwd, updated_at: row.updated_at, next_run_at: row.next_run_at }),
      )
      .execute();
  }

  async find(name: string): Promise<FlowRow | undefined> {
    return this.db.selectFrom('flows').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async get(name: string): Promise<FlowRow> {
    const row = await this.find(name);
    if (!row) throw new NotFoundError('flow', name, 'see `conductor flow list`');
    return row;
  }

  async list(): Promise<FlowRow[]> {
    return this.db.selectFrom('flows').selectAll().orderBy('name').execute();
  }

  /** Enabled flows whose next run is due at `now`. */
  async due(now: number): Promise<FlowRow[]> {
    return this.db.selectFrom('flows').selectAll().where('enabled', '=', 1).where('next_run_at', '<=', now).orderBy('next_run_at').execute();
  }

  /** When the earliest enabled flow is next due, if any is. */
  async nextWake(): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('flows')
      .select((eb) => eb.fn.min('next_run_at').as('next'))
      .where('enabled', '=', 1)
      .executeTakeFirst();
    return row?.next === null || row?.next === undefined ? undefined : Number(row.next);
  }

  async setSchedule(name: string, patch: { enabled?: boolean; nextRunAt: number | null }): Promise<void> {
    await this.db
      .updateTable('flows')
      .set({ next_run_at: patch.nextRunAt, ...(patch.enabled === undefined ? {} : { enabled: patch.enabled ? 1 : 0 }) })
      .where('name', '=', name)
      .execute();
  }

  async remove(name: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('flow_runs').where('flow', '=', name).execute();
      await trx.deleteFrom('flows').where('name', '=', name).execute();
    });
  }

  async startRun(flow: string, trigger: FlowTrigger, at: number): Promise<number> {
    const row = await this.db
      .insertInto('flow_runs')
      .values({ flow, trigger, state: 'started', reason: null, terminal_id: null, message_id: null, started_at: at, finished_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await this.db.updateTable('flows').set({ last_run_at: at }).where('name', '=', flow).execute();
    return row.id;
  }

  async updateRun(
    id: number,
    patch: { state: FlowRunState; reason?: string | null; terminalId?: string; messageId?: number; finishedAt?: number },
  ): Promise<void> {
    await this.db
      .updateTable('flow_runs')
      .set({
        state: patch.state,
        ...(patch.reason !== undefined ? { reason: patch.reason } : {}),
        ...(patch.terminalId !== undefined ? { terminal_id: patch.terminalId } : {}),
        ...(patch.messageId !== undefined ? { message_id: patch.messageId } : {}),
        ...(patch.finishedAt !== undefined ? { finished_at: patch.finishedAt } : {}),
      })
      .where('id', '=', id)
      .execute();
  }

  /** Ends a launched run once; false if something else ended it first. */
  async endLaunched(id: number, state: 'finished' | 'failed', reason: string | null, at: number): Promise<boolean> {
    const r = await this.db
      .updateTable('flow_runs')
      .set({ state, reason, finished_at: at })
      .where('id', '=', id)
      .where('state', '=', 'launched')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async run(id: number): Promise<FlowRunRow | undefined> {
    return this.db.selectFrom('flow_runs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async runs(flow: string, limit = 20): Promise<FlowRunRow[]> {
    return this.db.selectFrom('flow_runs').selectAll().where('flow', '=', flow).orderBy('id', 'desc').limit(limit).execute();
  }

  async lastRun(flow: string): Promise<FlowRunRow | undefined> {
    return (await this.runs(flow, 1))[0];
  }

  /** The flow's most recent run that launched an agent, or is still starting. */
  async lastActive(flow: string): Promise<FlowRunRow | undefined> {
    return this.db
      .selectFrom('flow_runs')
      .selectAll()
      .where('flow', '=', flow)
      .where('state', 'in', ['started', 'launched'])
      .orderBy('id', 'desc')
      .executeTakeFirst();
  }

  async launched(): Promise<FlowRunRow[]> {
    return this.db.selectFrom('flow_runs').selectAll().where('state', '=', 'launched').execute();
  }

  /** Runs caught in 'started' when the daemon stopped: their gate died with it. */
  async failStale(reason: string, at: number): Promise<number> {
    const r = await this.db
      .updateTable('flow_runs')
      .set({ state: 'failed', reason, finished_at: at })
      .where('state', '=', 'started')
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }
}
