import { moduleLogger } from '../logger.js';
import type { Runtime } from '../runtime.js';
import { settle } from './operations.js';

const log = moduleLogger('approval-expiry');
const MAX_TIMER_MS = 2 ** 31 - 1;

/** One timer, set for the next request to expire; undecided requests past their time become `expired`. */
export class ApprovalExpiry {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly rt: Runtime) {}

  start(): void {
    this.reschedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  reschedule(): void {
    if (this.stopped) return;
    void this.rt.approvals.nextExpiry().then(
      (next) => {
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        if (next === undefined || this.stopped) return;
        const delay = Math.min(MAX_TIMER_MS, Math.max(0, next - this.rt.clock()));
        this.timer = setTimeout(() => void this.expire().catch((err) => this.failed(err)), delay);
        this.timer.unref();
      },
      (err) => this.failed(err),
    );
  }

  /** A failed pass is logged and tried again in a minute, so requests still expire. */
  private failed(err: unknown): void {
    log.warn({ err: (err as Error).message }, 'expiring approvals failed; trying again in a minute');
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reschedule(), 60_000);
    this.timer.unref();
  }

  /**
   * A lost terminal being resumed: its permission prompt and its waiting hook died with its old
   * window, so their requests expire, with that reason. Requests over MCP stay pending: their
   * decision still reaches the resumed agent when it goes to its inbox.
   */
  async expireAskedBy(terminalId: string, note: string): Promise<number> {
    const now = this.rt.clock();
    let expired = 0;
    for (const source of ['prompt', 'hook'] as const) {
      for (const a of await this.rt.approvals.pendingFor(terminalId, source)) {
        if (!(await this.rt.approvals.decide(a.id, 'expired', 'the conductor', note, now))) continue;
        await settle(this.rt, await this.rt.approvals.get(a.id), now);
        expired++;
      }
    }
    return expired;
  }

  private async expire(): Promise<void> {
    const now = this.rt.clock();
    for (const a of await this.rt.approvals.expiring(now)) {
      if (await this.rt.approvals.decide(a.id, 'expired', 'the conductor', 'not decided in time', now)) {
        await settle(this.rt, await this.rt.approvals.get(a.id), now).catch((err) => log.warn({ err: (err as Error).message }, 'expiry failed'));
      }
    }
    this.reschedule();
  }
}
