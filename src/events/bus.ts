import { EventEmitter } from 'node:events';
import type { Db } from '../db/database.js';

export type EventType =
  | 'session.created'
  | 'session.removed'
  | 'terminal.created'
  | 'terminal.status'
  | 'terminal.input'
  | 'terminal.exited'
  /** `conductor shutdown` (or a finished worker) is being stopped: its exit is expected. */
  | 'terminal.stopping'
  | 'terminal.removed'
  | 'message.queued'
  | 'message.delivered'
  | 'message.failed'
  | 'handoff.started'
  | 'handoff.finished'
  | 'approval.requested'
  | 'approval.decided'
  | 'flow.finished'
  /** A terminal's worktree at its shutdown: removed (nothing to lose) or kept (it holds work). */
  | 'worktree.removed'
  | 'worktree.kept'
  | 'notify.failed'
  /** A delegation tree passed its profile's maxCostUsd; an approval request decides whether it goes on. */
  | 'usage.budget';

export interface ConductorEvent {
  id: number;
  type: EventType;
  sessionId: string | null;
  terminalId: string | null;
  data: Record<string, unknown>;
  createdAt: string;
}

export interface EventFilter {
  terminalId?: string;
  sessionId?: string;
  types?: string[];
}

export function matches(e: ConductorEvent, f: EventFilter): boolean {
  if (f.terminalId && e.terminalId !== f.terminalId) return false;
  if (f.sessionId && e.sessionId !== f.sessionId) return false;
  if (f.types && f.types.length > 0 && !f.types.some((t) => e.type === t || e.type.startsWith(`${t}.`))) return false;
  return true;
}

/**
 * Events are written to SQLite first, then emitted, so a client that reconnects with
 * Last-Event-ID (even across a daemon restart) misses nothing.
 */
export class EventBus {
  private readonly emitter = new EventEmitter();
  private isClosing = false;
  private published = 0;

  constructor(
    private readonly db: Db,
    private readonly retain = 20_000,
  ) {
    this.emitter.setMaxListeners(0);
  }

  async publish(
    type: EventType,
    refs: { sessionId?: string | null; terminalId?: string | null },
    data: Record<string, unknown> = {},
  ): Promise<ConductorEvent> {
    const createdAt = Date.now();
    const row = await this.db
      .insertInto('events')
      .values({
        type,
        session_id: refs.sessionId ?? null,
        terminal_id: refs.terminalId ?? null,
        data: JSON.stringify(data),
        created_at: createdAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const event: ConductorEvent = {
      id: row.id,
      type,
      sessionId: refs.sessionId ?? null,
      terminalId: refs.terminalId ?? null,
      data,
      createdAt: new Date(createdAt).toISOString(),
    };
    if (++this.published % 1000 === 0) await this.prune();
    this.emitter.emit('event', event);
    return event;
  }

  async since(lastId: number, filter: EventFilter = {}, limit = 5000): Promise<ConductorEvent[]> {
    const rows = await this.db
      .selectFrom('events')
      .selectAll()
      .where('id', '>', lastId)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows
      .map((r) => ({
        id: r.id,
        type: r.type as EventType,
        sessionId: r.session_id,
        terminalId: r.terminal_id,
        data: JSON.parse(r.data) as Record<string, unknown>,
        createdAt: new Date(r.created_at).toISOString(),
      }))
      .filter((e) => matches(e, filter));
  }

  async lastId(): Promise<number> {
    const row = await this.db.selectFrom('events').select((eb) => eb.fn.max('id').as('max')).executeTakeFirst();
    return Number(row?.max ?? 0);
  }

  subscribe(listener: (e: ConductorEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  /**
   * Resolves once an event satisfies `match`, or `alreadyDone` (checked after subscribing, so
   * nothing slips between) says the wait is over, or after `timeoutMs`.
   */
  waitFor(
    match: (e: ConductorEvent) => boolean,
    timeoutMs: number,
    alreadyDone?: () => Promise<boolean>,
  ): Promise<'done' | 'timeout' | 'closing'> {
    return new Promise((resolve) => {
      const finish = (why: 'done' | 'timeout' | 'closing') => {
        clearTimeout(timer);
        unsubscribe();
        this.emitter.off('closing', onClosing);
        resolve(why);
      };
      const onClosing = () => finish('closing');
      if (this.isClosing) return resolve('closing');
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      const unsubscribe = this.subscribe((e) => match(e) && finish('done'));
      this.emitter.once('closing', onClosing);
      void alreadyDone?.().then((yes) => yes && finish('done'), () => undefined);
    });
  }

  /** The daemon is stopping: every wait returns now, so long polls answer and nothing holds the stop. */
  closing(): void {
    this.isClosing = true;
    this.emitter.emit('closing');
  }

  private async prune(): Promise<void> {
    const last = await this.lastId();
    await this.db.deleteFrom('events').where('id', '<=', last - this.retain).execute();
  }
}
