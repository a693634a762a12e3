import { moduleLogger } from '../logger.js';
import { injectedFailure } from '../server/faultInjection.js';
import { resolveProvider } from '../providers/registry.js';
import type { Runtime } from '../runtime.js';
import { DeliveryAbortedError, sendInput } from '../terminal/input.js';
import type { TerminalRecord, TerminalStatus } from '../terminal/schema.js';
import { InputNotDeliveredError, TimeoutError } from '../errors.js';
import type { MessageRecord } from './schema.js';
import type { MessageStore } from './store.js';

const log = moduleLogger('inbox');

const READY: ReadonlySet<TerminalStatus> = new Set(['idle', 'completed']);
/** The longest a message waits for an agent's pane to fall quiet after its turn-end event. */
const SETTLE_MAX_MS = 3000;
/** One delivery pastes at most this much; the rest follows in the next. */
const MAX_BATCH_BYTES = 200_000;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

export function formatMessage(m: MessageRecord): string {
  if (m.kind === 'task' || m.kind === 'report') return m.body;
  return `[conductor] Message #${m.id} from ${m.fromLabel}:\n${m.body}`;
}

/**
 * Delivers each terminal's pending messages, oldest first, the moment it can take input:
 * driven by status events, never by polling. Consecutive messages go as one input.
 */
export class InboxDelivery {
  private readonly draining = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  /** Receivers whose last pass failed (tmux stalled, disk full…): tried again after a delay that grows. */
  private readonly retries = new Map<string, { timer: NodeJS.Timeout; delayMs: number }>();
  private stopped = false;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly rt: Runtime,
    private readonly store: MessageStore,
  ) {}

  async start(): Promise<void> {
    await this.recover();
    this.unsubscribe = this.rt.bus.subscribe((e) => {
      if (e.type !== 'terminal.status' || !e.terminalId) return;
      const status = e.data.status as TerminalStatus;
      if (status === 'exited' || READY.has(status) || status === 'busy') this.kick(e.terminalId);
    });
    for (const receiver of await this.store.receiversWithPending()) this.kick(receiver);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const r of this.retries.values()) clearTimeout(r.timer);
    this.unsubscribe?.();
    await Promise.allSettled([...this.draining.values()]);
  }

  /** Try to deliver to `receiver` now; calls during a delivery fold into one more pass. */
  kick(receiver: string): void {
    if (this.draining.has(receiver)) {
      this.again.add(receiver);
      return;
    }
    const run = (async () => {
      do {
        this.again.delete(receiver);
        try {
          await this.drain(receiver);
          this.forgetRetry(receiver);
        } catch (err) {
          log.warn({ receiver, err: (err as Error).message }, 'delivery pass failed; trying again shortly');
          this.retryLater(receiver);
        }
      } while (this.again.has(receiver));
    })().finally(() => this.draining.delete(receiver));
    this.draining.set(receiver, run);
  }

  private retryLater(receiver: string): void {
    if (this.stopped) return;
    const previous = this.retries.get(receiver);
    if (previous) clearTimeout(previous.timer);
    const delayMs = Math.min(MAX_RETRY_MS, (previous?.delayMs ?? FIRST_RETRY_MS / 2) * 2);
    const timer = setTimeout(() => this.kick(receiver), delayMs);
    timer.unref();
    this.retries.set(receiver, { timer, delayMs });
  }

  private forgetRetry(receiver: string): void {
    const r = this.retries.get(receiver);
    if (!r) return;
    clearTimeout(r.timer);
    this.retries.delete(receiver);
  }

  /**
   * Messages of this receiver left claimed by a pass that timed out: a buffer still there was
   * never pasted (pending again); a buffer gone was pasted (delivered). Fails while tmux stalls.
   */
  private async settleUncertain(receiver: string): Promise<void> {
    const rows = (await this.store.inDelivery()).filter((r) => r.receiver === receiver);
    if (rows.length === 0) return;
    const buffers = new Set((await this.rt.tmux.run(['list-buffers', '-F', '#{buffer_name}'])).split('\n'));
    const terminal = await this.rt.terminals.find(receiver);
    for (const r of rows) {
      if (r.buffer && buffers.has(r.buffer)) {
        await this.rt.tmux.deleteBuffer(r.buffer);
        await this.store.release([r.id]);
        continue;
      }
      await this.store.markDelivered([r.id], this.rt.clock());
      await this.publish('message.delivered', r.id, terminal, { recovered: true });
    }
    log.info({ receiver, ids: rows.map((r) => r.id) }, 'settled deliveries a tmux stall left uncertain');
  }

  private async drain(receiver: string): Promise<void> {
    injectedFailure('inbox');
    await this.settleUncertain(receiver);
    for (;;) {
      const terminal = await this.rt.terminals.find(receiver);
      if (!terminal || terminal.status === 'exited') {
        const why = terminal ? `terminal ${receiver} exited before it could read the message` : `terminal ${receiver} no longer exists`;
        const failed = await this.store.failAllFor(receiver, why);
        for (const id of failed) await this.publish('message.failed', id, terminal, { reason: why });
        return;
      }
      if (!this.canTakeInput(terminal)) return;
      const batch = await this.store.pending(receiver, MAX_BATCH_BYTES);
      if (batch.length === 0) return;
      if (!(await this.deliver(terminal, batch))) return;
    }
  }

  private canTakeInput(t: TerminalRecord): boolean {
    if (this.rt.monitor.isStopping(t.id)) return false;
    const status = this.rt.monitor.status(t.id) ?? t.status;
    if (READY.has(status)) return true;
    if (status !== 'busy') return false;
    try {
      return resolveProvider(t.provider, this.rt.layout.providers).acceptsInputWhileBusy === true;
    } catch {
      return false;
    }
  }

  /**
   * A turn-end event can arrive while the agent still draws the end of its turn; a message typed
   * into that is at risk, so it waits for the pane to be quiet as the screen path does.
   */
  private async settled(terminal: TerminalRecord): Promise<void> {
    if (this.rt.monitor.statusSource(terminal.id) !== 'events') return;
    const provider = resolveProvider(terminal.provider, this.rt.layout.providers);
    await this.rt.monitor.waitForQuiet(terminal.id, provider.quietWindowMs, SETTLE_MAX_MS);
  }

  private async deliver(terminal: TerminalRecord, batch: MessageRecord[]): Promise<boolean> {
    const ids = batch.map((m) => m.id);
    const text = batch.map(formatMessage).join('\n\n');
    const bufferName = `conductor-msg-${ids[0]}`;
    await this.settled(terminal);
    try {
      await sendInput(this.rt, terminal, { text, enter: true }, { bufferName, claim: () => this.store.claim(ids, bufferName) });
    } catch (err) {
      if (err instanceof DeliveryAbortedError) return false;
      if (err instanceof InputNotDeliveredError) {
        await this.store.markFailed(ids, err.message);
        for (const id of ids) await this.publish('message.failed', id, terminal, { reason: err.message });
        return false;
      }
      // tmux stalled: the paste may still land when it wakes, so the messages stay claimed until
      // the next pass can tell from their buffer whether it did (settleUncertain).
      if (err instanceof TimeoutError) throw err;
      // The paste may not have happened (tmux gone, terminal ended): the messages wait again.
      await this.store.release(ids);
      throw err;
    }
    await this.store.markDelivered(ids, this.rt.clock());
    for (const id of ids) await this.publish('message.delivered', id, terminal, { batch: ids.length });
    log.debug({ receiver: terminal.id, ids }, 'delivered');
    return true;
  }

  /**
   * After a crash: a message caught between claim and paste still has its tmux buffer, so it
   * was never pasted and waits again; one whose buffer is gone was pasted, so it counts as
   * delivered (and gets the Enter that may not have been pressed).
   */
  private async recover(): Promise<void> {
    const byBuffer = new Map<string, Array<{ id: number; receiver: string }>>();
    for (const m of await this.store.inDelivery()) {
      const key = m.buffer ?? `missing-${m.id}`;
      byBuffer.set(key, [...(byBuffer.get(key) ?? []), m]);
    }
    for (const [buffer, rows] of byBuffer) {
      const ids = rows.map((r) => r.id);
      if (await this.rt.tmux.bufferExists(buffer)) {
        await this.rt.tmux.deleteBuffer(buffer);
        await this.store.release(ids);
        log.info({ ids }, 'recovered: never pasted, pending again');
        continue;
      }
      const terminal = await this.rt.terminals.find(rows[0].receiver);
      const pane = terminal && (await this.rt.tmux.paneInfo(terminal.tmuxPane).catch(() => undefined));
      if (!terminal || !pane || pane.dead) {
        // The buffer went with its tmux server or pane: nothing was read.
        const why = `terminal ${rows[0].receiver} ended while the message was being delivered`;
        await this.store.markFailed(ids, why);
        for (const id of ids) await this.publish('message.failed', id, terminal, { reason: why });
        continue;
      }
      await this.store.markDelivered(ids, this.rt.clock());
      await this.rt.tmux.sendKeys(terminal.tmuxPane, ['Enter']).catch(() => undefined);
      for (const id of ids) await this.publish('message.delivered', id, terminal, { recovered: true });
      log.info({ ids }, 'recovered: pasted before the crash, counted as delivered');
    }
  }

  private async publish(
    type: 'message.delivered' | 'message.failed',
    id: number,
    terminal: TerminalRecord | undefined,
    data: Record<string, unknown>,
  ): Promise<void> {
    await this.rt.bus.publish(type, { sessionId: terminal?.sessionId, terminalId: terminal?.id }, { messageId: id, ...data });
  }
}
