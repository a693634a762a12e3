import type { ConductorEvent, EventBus } from '../events/bus.js';
import { moduleLogger } from '../logger.js';
import { buildNotice, classify, type NoticeDeps } from './notice.js';
import { DEFAULT_TIMING, TargetQueue, type BatchOutcome, type QueueTiming } from './queue.js';
import type { DeliveryResult, Notice, NotifyEvent, NotifyTargetRecord } from './schema.js';
import type { NotifyStore } from './store.js';
import { transportFor } from './transports.js';

const log = moduleLogger('notify');

/** A stop announced this long ago no longer explains an exit. */
const STOPPING_TTL_MS = 10 * 60_000;
/** The same terminal waiting (or failing) again this soon is not news again. */
const REPEAT_QUIET_MS = 5000;

export interface NotifyWorkerDeps extends NoticeDeps {
  bus: EventBus;
  store: NotifyStore;
  clock: () => number;
}

/**
 * Turns events into notifications. It listens on the bus and never makes a publisher wait:
 * each event is looked at on its own, and each target has its own queue (see TargetQueue).
 */
export class NotifyWorker {
  private unsubscribe: (() => void) | undefined;
  private targets: NotifyTargetRecord[] = [];
  private readonly queues = new Map<string, TargetQueue>();
  private readonly lastSeen = new Map<string, number>();
  /** Terminals the conductor is shutting down (`terminal.stopping`): their exit is no news. */
  private readonly stopping = new Map<string, number>();

  constructor(
    private readonly deps: NotifyWorkerDeps,
    private readonly timing: QueueTiming = DEFAULT_TIMING,
  ) {}

  async start(): Promise<void> {
    this.targets = await this.deps.store.list();
    this.unsubscribe = this.deps.bus.subscribe((e) => this.onEvent(e));
  }

  stop(): void {
    this.unsubscribe?.();
    for (const q of this.queues.values()) q.stop();
    this.queues.clear();
  }

  /** Targets were added or removed. */
  async reload(): Promise<void> {
    this.targets = await this.deps.store.list();
    const ids = new Set(this.targets.map((t) => t.id));
    for (const [id, q] of this.queues) {
      if (!ids.has(id)) {
        q.stop();
        this.queues.delete(id);
      }
    }
  }

  private onEvent(e: ConductorEvent): void {
    if (e.type === 'terminal.stopping' && e.terminalId) this.noteStopping(e.terminalId);
    const event = classify(e);
    if (!event || this.targets.length === 0) return;
    void this.handle(event, e).catch((err) => log.warn({ event: e.type, err: (err as Error).message }, 'could not prepare a notification'));
  }

  private async handle(event: NotifyEvent, e: ConductorEvent): Promise<void> {
    const wanting = this.targets.filter((t) => t.events.includes(event));
    if (wanting.length === 0 || this.repeated(event, e)) return;
    if (event === 'exited' && e.terminalId && this.stopping.delete(e.terminalId)) return;
    const notice = await buildNotice(this.deps, event, e);
    if (!notice) return;
    for (const t of wanting) this.queueFor(t).push(notice);
  }

  private repeated(event: NotifyEvent, e: ConductorEvent): boolean {
    if (event !== 'waiting' && event !== 'error') return false;
    const key = `${event}:${e.terminalId}`;
    const now = this.deps.clock();
    const last = this.lastSeen.get(key);
    this.lastSeen.set(key, now);
    if (this.lastSeen.size > 1000) this.lastSeen.clear();
    return last !== undefined && now - last < REPEAT_QUIET_MS;
  }

  private noteStopping(id: string): void {
    const now = this.deps.clock();
    for (const [other, at] of this.stopping) if (now - at > STOPPING_TTL_MS) this.stopping.delete(other);
    this.stopping.set(id, now);
  }

  private queueFor(t: NotifyTargetRecord): TargetQueue {
    let q = this.queues.get(t.id);
    if (!q) {
      q = new TargetQueue(transportFor(t, this.deps.tmux), t.state === 'failing', (outcome) => this.record(t, outcome), this.timing);
      this.queues.set(t.id, q);
    }
    return q;
  }

  private async record(t: NotifyTargetRecord, outcome: BatchOutcome): Promise<void> {
    try {
      await this.recordOutcome(t, outcome);
    } catch (err) {
      log.warn({ target: t.id, err: (err as Error).message }, 'could not record a delivery outcome');
    }
  }

  private async recordOutcome(t: NotifyTargetRecord, outcome: BatchOutcome): Promise<void> {
    const now = this.deps.clock();
    if (outcome.ok) {
      await this.deps.store.delivered(t.id, now);
      log.debug({ target: t.id, count: outcome.count, attempts: outcome.attempts }, 'notification delivered');
      return;
    }
    await this.deps.store.failed(t.id, outcome.error ?? 'unknown error', now);
    await this.deps.bus.publish('notify.failed', {}, { targetId: t.id, error: outcome.error, attempts: outcome.attempts, dropped: outcome.count });
    log.warn({ target: t.id, url: t.safeUrl, error: outcome.error, attempts: outcome.attempts, dropped: outcome.count }, 'notification failed; target marked failing');
  }

  /** `conductor notify test`: one message to each chosen target now, reporting each outcome. */
  async test(targets: NotifyTargetRecord[]): Promise<DeliveryResult[]> {
    const notice: Notice = {
      event: 'test',
      title: 'Test notification from the conductor',
      text: 'If you read this, the conductor can reach you here.',
      command: 'conductor notify list',
      at: new Date(this.deps.clock()).toISOString(),
    };
    return Promise.all(
      targets.map(async (t): Promise<DeliveryResult> => {
        const now = this.deps.clock();
        try {
          await transportFor(t, this.deps.tmux)([notice]);
          await this.deps.store.delivered(t.id, now);
          this.queues.get(t.id)?.update(transportFor(t, this.deps.tmux), false);
          return { id: t.id, ok: true };
        } catch (err) {
          const error = (err as Error).message;
          await this.deps.store.failed(t.id, error, now);
          log.warn({ target: t.id, url: t.safeUrl, error }, 'test notification failed');
          return { id: t.id, ok: false, error };
        }
      }),
    );
  }
}
