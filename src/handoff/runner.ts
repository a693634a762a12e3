import type { Selectable } from 'kysely';
import type { HandoffTable } from '../db/schema.js';
import { sendMessage } from '../inbox/operations.js';
import { moduleLogger } from '../logger.js';
import type { Runtime } from '../runtime.js';
import { shutdownTerminal } from '../terminal/shutdown.js';
import type { HandoffStore } from './store.js';

const log = moduleLogger('handoff');

/**
 * Sees each running handoff through: once its task message is delivered and the worker is
 * `completed`, the worker's last response is the result. Driven by events; after a daemon
 * restart the running handoffs are picked up again from the database.
 */
export class HandoffRunner {
  private readonly watched = new Map<string, { timer: NodeJS.Timeout; unsubscribe: () => void }>();

  constructor(
    private readonly rt: Runtime,
    private readonly store: HandoffStore,
  ) {}

  async start(): Promise<void> {
    for (const row of await this.store.running()) this.watch(row);
  }

  stop(): void {
    for (const w of this.watched.values()) {
      clearTimeout(w.timer);
      w.unsubscribe();
    }
    this.watched.clear();
  }

  watch(row: Selectable<HandoffTable>): void {
    if (this.watched.has(row.id) || !row.worker_terminal_id) return;
    const worker = row.worker_terminal_id;
    const unsubscribe = this.rt.bus.subscribe((e) => {
      if (e.terminalId === worker && (e.type === 'terminal.status' || e.type === 'message.delivered' || e.type === 'message.failed')) {
        void this.evaluate(row.id).catch((err) => log.warn({ handoff: row.id, err: (err as Error).message }, 'evaluate failed'));
      }
    });
    const failed = (what: string) => (err: unknown) => log.warn({ handoff: row.id, err: (err as Error).message }, `${what} failed`);
    const timer = setTimeout(() => void this.timeOut(row.id).catch(failed('timing out')), Math.max(0, row.deadline_at - this.rt.clock()));
    this.watched.set(row.id, { timer, unsubscribe });
    void this.evaluate(row.id).catch(failed('evaluate'));
  }

  private unwatch(id: string): void {
    const w = this.watched.get(id);
    if (!w) return;
    clearTimeout(w.timer);
    w.unsubscribe();
    this.watched.delete(id);
  }

  private async evaluate(id: string): Promise<void> {
    const row = await this.store.row(id);
    if (!row || row.state !== 'running') return this.unwatch(id);
    const worker = row.worker_terminal_id ? await this.rt.terminals.find(row.worker_terminal_id) : undefined;
    if (!worker || worker.status === 'exited') {
      return this.end(row, 'failed', { error: `the worker ${row.worker_terminal_id} ended before answering` });
    }
    const task = row.task_message_id ? await this.rt.messages.get(row.task_message_id) : undefined;
    if (task?.state === 'failed') return this.end(row, 'failed', { error: `the task could not be delivered: ${task.reason}` });
    if (task?.state !== 'delivered') return;
    if (worker.status === 'error') return this.end(row, 'failed', { error: `the worker shows an error: ${worker.statusDetail ?? ''}`.trim() });
    if (worker.status !== 'completed') return;
    const result = (await this.rt.terminals.lastResponse(worker.id)) ?? '';
    await this.end(row, 'completed', { result });
  }

  private async timeOut(id: string): Promise<void> {
    const row = await this.store.row(id);
    if (!row || row.state !== 'running') return;
    const worker = row.worker_terminal_id ? await this.rt.terminals.find(row.worker_terminal_id) : undefined;
    // A lost worker (see docs/resume.md) is waited for until the deadline, then reported as such.
    if (worker?.status === 'lost') {
      return this.end(row, 'failed', { error: `the worker ${worker.id} was lost with its tmux window and not resumed before the deadline: \`conductor resume ${worker.id}\`` });
    }
    await this.end(row, 'timeout', { error: `no answer within the timeout; the worker ${row.worker_terminal_id} is kept for you to inspect` });
  }

  private async end(
    row: Selectable<HandoffTable>,
    state: 'completed' | 'failed' | 'timeout',
    outcome: { result?: string; error?: string },
  ): Promise<void> {
    if (!(await this.store.finish(row.id, { state, ...outcome, at: this.rt.clock() }))) return;
    this.unwatch(row.id);
    log.info({ handoff: row.id, state }, 'handoff finished');
    const finished = await this.store.row(row.id);
    await this.rt.bus.publish('handoff.finished', { terminalId: row.caller_terminal_id }, { handoffId: row.id, state });
    if (row.mode !== 'assign' && finished?.result_via_inbox && row.caller_terminal_id) {
      const body =
        state === 'completed'
          ? `Handoff ${row.id} (profile ${row.profile}) is done. The worker answered:\n\n${outcome.result}`
          : `Handoff ${row.id} (profile ${row.profile}) ended: ${state}: ${outcome.error}`;
      await sendMessage(this.rt, { to: row.caller_terminal_id, message: body }, 'notice', 'the conductor').catch((err) =>
        log.warn({ handoff: row.id, err: (err as Error).message }, 'could not deliver the result to the inbox'),
      );
    }
    if (row.mode === 'assign') await this.report(row, state, outcome);
    if (state === 'completed' && !row.keep_worker && row.worker_terminal_id) {
      const worker = await this.rt.terminals.find(row.worker_terminal_id);
      if (worker && worker.status !== 'exited') await shutdownTerminal(this.rt, worker).catch(() => undefined);
    }
  }

  /**
   * An assignment's outcome reaches its caller once: the worker's final answer, as sent by the
   * worker, unless the worker already wrote to the caller during that turn; or why it ended.
   */
  private async report(
    row: Selectable<HandoffTable>,
    state: 'completed' | 'failed' | 'timeout',
    outcome: { result?: string; error?: string },
  ): Promise<void> {
    const caller = row.caller_terminal_id;
    const worker = row.worker_terminal_id;
    if (!caller || !worker) return;
    const task = row.task_message_id ? await this.rt.messages.get(row.task_message_id) : undefined;
    if (state === 'completed' && task?.deliveredAt) {
      const since = Date.parse(task.deliveredAt);
      const wrote = (await this.rt.messages.list(worker, 'sent')).some((m) => m.to === caller && Date.parse(m.createdAt) >= since);
      if (wrote) return;
    }
    const body =
      state === 'completed'
        ? `[conductor] Report from worker ${worker} (profile ${row.profile}, assignment ${row.id}):\n\n${outcome.result || '(the worker ended its turn with no answer)'}`
        : `[conductor] Worker ${worker} (profile ${row.profile}, assignment ${row.id}) did not finish: ${outcome.error}`;
    const from = state === 'completed' ? worker : undefined;
    await sendMessage(this.rt, { from, to: caller, message: body }, 'report', state === 'completed' ? undefined : 'the conductor').catch((err) =>
      log.warn({ handoff: row.id, err: (err as Error).message }, 'could not deliver the report to the inbox'),
    );
  }
}
