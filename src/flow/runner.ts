import { sendMessage } from '../inbox/operations.js';
import { moduleLogger } from '../logger.js';
import type { Runtime } from '../runtime.js';
import { createSession } from '../session/operations.js';
import { shutdownTerminal } from '../terminal/shutdown.js';
import type { FlowLauncher } from './scheduler.js';
import type { FlowDefinition } from './schema.js';
import { definitionOf, type FlowRow, type FlowRunRow, type FlowStore } from './store.js';

const log = moduleLogger('flow-runner');

const WATCHED_EVENTS = new Set(['terminal.status', 'terminal.exited', 'message.delivered', 'message.failed']);

/**
 * Starts each flow run's agent in a session of its own and sees the run through: once its
 * prompt was delivered and the agent is `completed` again, the run is finished (and the agent
 * shut down unless the flow says `keep`). Driven by events; restarts pick launched runs up again.
 */
export class FlowRunner implements FlowLauncher {
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly rt: Runtime,
    private readonly store: FlowStore,
  ) {}

  async start(): Promise<void> {
    this.unsubscribe = this.rt.bus.subscribe((e) => {
      if (!e.terminalId || !WATCHED_EVENTS.has(e.type)) return;
      void this.onTerminal(e.terminalId).catch((err) => log.warn({ terminal: e.terminalId, err: (err as Error).message }, 'flow run check failed'));
    });
    for (const run of await this.store.launched()) await this.evaluate(run);
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  async launch(flow: FlowRow, def: FlowDefinition, prompt: string, runId: number): Promise<{ terminalId: string; messageId: number }> {
    const { terminal } = await createSession(this.rt, {
      name: `${flow.name}-${runId}`,
      profile: def.profile,
      provider: def.provider,
      cwd: flow.cwd,
      worktree: def.worktree ? {} : undefined,
      env: { CONDUCTOR_FLOW: flow.name, CONDUCTOR_FLOW_RUN: String(runId) },
    });
    const body =
      `[conductor] Task from flow ${flow.name} (run #${runId}). Nobody waits for a report: do the task, then end your ` +
      `turn with a short summary of what you did.\n\n${prompt}`;
    try {
      const task = await sendMessage(this.rt, { to: terminal.id, message: body }, 'task', `flow ${flow.name}`);
      return { terminalId: terminal.id, messageId: task.id };
    } catch (err) {
      await shutdownTerminal(this.rt, terminal).catch(() => undefined);
      throw err;
    }
  }

  /** A launched run goes on until its prompt was delivered and its agent is completed, idle or gone. */
  async going(run: FlowRunRow): Promise<string | undefined> {
    const t = run.terminal_id ? await this.rt.terminals.find(run.terminal_id) : undefined;
    if (!t || t.status === 'exited') return undefined;
    const task = run.message_id ? await this.rt.messages.get(run.message_id) : undefined;
    if (task && (task.state === 'pending' || task.state === 'delivering')) {
      return `run #${run.id} is still going: its prompt waits for terminal ${t.id} (${t.status})`;
    }
    const status = this.rt.monitor.status(t.id) ?? t.status;
    if (status === 'completed' || status === 'idle') return undefined;
    return `run #${run.id} is still going: terminal ${t.id} is ${status}`;
  }

  /** Every run's end is an event (`flow.finished`), so a failed one can be notified. */
  ended(flow: string, runId: number, state: 'finished' | 'skipped' | 'failed', reason: string | null, terminalId?: string | null): void {
    void this.rt.bus
      .publish('flow.finished', { terminalId: terminalId ?? null }, { flow, runId, state, reason })
      .catch((err) => log.warn({ flow, run: runId, err: (err as Error).message }, 'could not publish the end of a flow run'));
  }

  launched(runId: number): void {
    void this.store
      .run(runId)
      .then((run) => run && this.evaluate(run))
      .catch((err) => log.warn({ run: runId, err: (err as Error).message }, 'flow run check failed'));
  }

  private async onTerminal(terminalId: string): Promise<void> {
    for (const run of await this.store.launched()) if (run.terminal_id === terminalId) await this.evaluate(run);
  }

  private async evaluate(run: FlowRunRow): Promise<void> {
    if (run.state !== 'launched' || !run.terminal_id) return;
    const t = await this.rt.terminals.find(run.terminal_id);
    const task = run.message_id ? await this.rt.messages.get(run.message_id) : undefined;
    const delivered = task?.state === 'delivered';
    let outcome: { state: 'finished' | 'failed'; reason: string | null } | undefined;
    if (!t) outcome = { state: 'failed', reason: `its terminal ${run.terminal_id} no longer exists` };
    else if (task?.state === 'failed') outcome = { state: 'failed', reason: `the prompt could not be delivered: ${task.reason}` };
    else if (t.status === 'exited') {
      outcome = delivered
        ? { state: 'finished', reason: `the agent exited (${t.statusDetail ?? 'no detail'})` }
        : { state: 'failed', reason: `the agent exited before its prompt was delivered (${t.statusDetail ?? 'no detail'})` };
    } else if (delivered && t.status === 'error') {
      outcome = { state: 'failed', reason: `the agent shows an error: ${t.statusDetail ?? 'no detail'}; terminal ${t.id} is kept` };
    } else if (delivered && t.status === 'completed') outcome = { state: 'finished', reason: null };
    if (!outcome || !(await this.end(run, outcome.state, outcome.reason))) return;
    if (!t || t.status !== 'completed') return;
    const flow = await this.store.find(run.flow);
    if (flow && definitionOf(flow).keep) return;
    await shutdownTerminal(this.rt, t).catch((err) => log.warn({ terminal: t.id, err: (err as Error).message }, 'cannot shut down'));
  }

  private async end(run: FlowRunRow, state: 'finished' | 'failed', reason: string | null): Promise<boolean> {
    const ended = await this.store.endLaunched(run.id, state, reason, this.rt.clock());
    if (ended) log.info({ flow: run.flow, run: run.id, state, reason }, `flow run ${state}`);
    if (ended) this.ended(run.flow, run.id, state, reason, run.terminal_id);
    return ended;
  }
}
