import type { Notice } from './schema.js';
import type { Transport } from './transports.js';

export interface QueueTiming {
  /** A batch goes once no new notice came for this long… */
  quietMs: number;
  /** …or this long after its first notice, whichever is first. */
  maxWaitMs: number;
  /** Waits between attempts; their count bounds the retries. */
  retryDelaysMs: number[];
}

export const DEFAULT_TIMING: QueueTiming = { quietMs: 250, maxWaitMs: 750, retryDelaysMs: [500, 1000, 2000] };

/** Notices beyond this many waiting for one target are dropped, oldest first, and counted. */
const MAX_PENDING = 200;

export interface BatchOutcome {
  ok: boolean;
  error?: string;
  attempts: number;
  count: number;
}

/**
 * One target's outbox. Notices arriving close together go as one message (ten approvals within
 * a second: one message). One batch is in flight at a time, so a slow or dead target only ever
 * holds up its own queue. A target already known to be failing gets one attempt per batch.
 */
export class TargetQueue {
  private pending: Notice[] = [];
  private dropped = 0;
  private firstAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly aborter = new AbortController();

  constructor(
    private transport: Transport,
    private failing: boolean,
    private readonly onOutcome: (outcome: BatchOutcome) => Promise<void>,
    private readonly timing: QueueTiming = DEFAULT_TIMING,
  ) {}

  /** The target was edited or its state changed elsewhere (a `notify test`). */
  update(transport: Transport, failing: boolean): void {
    this.transport = transport;
    this.failing = failing;
  }

  push(notice: Notice): void {
    if (this.stopped) return;
    this.pending.push(notice);
    if (this.pending.length > MAX_PENDING) {
      this.pending.shift();
      this.dropped++;
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.sending || this.pending.length === 0 || this.stopped) return;
    const now = Date.now();
    this.firstAt ??= now;
    if (this.timer) clearTimeout(this.timer);
    const delay = Math.max(0, Math.min(this.timing.quietMs, this.firstAt + this.timing.maxWaitMs - now));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sending = this.flush()
        .catch(() => undefined) // onOutcome logs its own failures; a queue must never take the daemon down
        .finally(() => {
          this.sending = undefined;
          this.schedule();
        });
    }, delay);
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0);
    this.firstAt = undefined;
    if (this.dropped > 0) {
      batch.unshift({
        event: 'test',
        title: `${this.dropped} older notifications were dropped`,
        text: `This target could not keep up; ${this.dropped} notifications were dropped. See \`conductor ls\`.`,
        at: new Date().toISOString(),
      });
      this.dropped = 0;
    }
    const delays = this.failing ? [] : this.timing.retryDelaysMs;
    let error = '';
    for (let attempt = 1; attempt <= delays.length + 1 && !this.stopped; attempt++) {
      try {
        await this.transport(batch, this.aborter.signal);
        this.failing = false;
        await this.onOutcome({ ok: true, attempts: attempt, count: batch.length });
        return;
      } catch (err) {
        error = (err as Error).message;
      }
      if (attempt <= delays.length) await this.pause(delays[attempt - 1]);
    }
    if (this.stopped) return;
    this.failing = true;
    await this.onOutcome({ ok: false, error, attempts: delays.length + 1, count: batch.length });
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** Drops what is waiting, and ends a retry pause or an attempt under way at once. */
  stop(): void {
    this.stopped = true;
    this.aborter.abort();
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    this.pending = [];
  }
}
