import { Cron } from 'croner';
import { ConflictError } from '../errors.js';
import { moduleLogger } from '../logger.js';
import { injectedFailure } from '../server/faultInjection.js';
import { MAX_INPUT_BYTES } from '../terminal/schema.js';
import { runGate } from './gate.js';
import type { FlowDefinition, FlowRunRecord, FlowTrigger } from './schema.js';
import { definitionOf, toRunRecord, type FlowRow, type FlowRunRow, type FlowStore } from './store.js';
import { fillTemplate, TemplateError } from './template.js';

const log = moduleLogger('flow');

/** The scheduler wakes at least this often, so a clock jump (suspend, NTP) is noticed soon. */
const MAX_SLEEP_MS = 60_000;

/** What a run needs from the rest of the conductor; tests give a fake. */
export interface FlowLauncher {
  /** Starts the agent for a run and queues its prompt. */
  launch(flow: FlowRow, def: FlowDefinition, prompt: string, runId: number): Promise<{ terminalId: string; messageId: number }>;
  /** Why a launched run is still going, or undefined when it is not. */
  going(run: FlowRunRow): Promise<string | undefined>;
  /** Called once a run is recorded as launched, to see it through to its end. */
  launched?(runId: number): void;
  /** Called once a run ended before launching an agent (failed or skipped), so it can be announced. */
  ended?(flow: string, runId: number, state: 'finished' | 'skipped' | 'failed', reason: string | null, terminalId?: string | null): void;
}

export interface SchedulerOptions {
  clock: () => number;
  launcher: FlowLauncher;
  /** The environment gate scripts inherit. */
  baseEnv?: NodeJS.ProcessEnv;
}

/** The next time `def` is due strictly after `after`, or null if its schedule has no more. */
export function nextRunAfter(def: Pick<FlowDefinition, 'schedule' | 'timezone'>, after: number): number | null {
  const next = new Cron(def.schedule, { paused: true, timezone: def.timezone }).nextRun(new Date(after));
  return next ? next.getTime() : null;
}

/**
 * Runs enabled flows when they are due. A flow that came due while the daemon was down is due
 * once at the next tick: the next time is always computed from now, never from the missed one.
 * A flow never starts while its previous run is still going; such a tick is recorded as skipped.
 */
export class FlowScheduler {
  private timer: NodeJS.Timeout | null = null;
  private armed = 0;
  private started = false;
  private readonly active = new Set<string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly aborter = new AbortController();

  constructor(
    private readonly store: FlowStore,
    private readonly opts: SchedulerOptions,
  ) {}

  async start(): Promise<void> {
    const stale = await this.store.failStale('the daemon stopped while this run was starting', this.opts.clock());
    if (stale) log.info({ stale }, 'runs left starting by a stopped daemon marked failed');
    this.started = true;
    void this.onTimer();
  }

  /** Stops scheduling, kills running gate scripts and waits for the runs under way to record their end. */
  async stop(): Promise<void> {
    this.started = false;
    this.armed++;
    if (this.timer) clearTimeout(this.timer);
    this.aborter.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Re-reads when the next flow is due (after a flow was added, changed or removed). */
  rearm(): void {
    if (!this.started) return;
    const generation = ++this.armed;
    void this.store.nextWake().then(
      (next) => {
        if (generation !== this.armed || !this.started) return;
        if (this.timer) clearTimeout(this.timer);
        const delay = next === undefined ? MAX_SLEEP_MS : Math.min(MAX_SLEEP_MS, Math.max(0, next - this.opts.clock()));
        this.timer = setTimeout(() => void this.onTimer(), delay);
        this.timer.unref();
      },
      (err) => log.warn({ err: (err as Error).message }, 'cannot read the next due flow'),
    );
  }

  private async onTimer(): Promise<void> {
    try {
      await this.tick();
    } catch (err) {
      log.error({ err: (err as Error).message }, 'flow tick failed');
      // A tick that failed before it re-armed must not end scheduling for good.
      this.rearm();
    }
  }

  /** Starts every due flow; resolves with their runs once each has launched, skipped or failed. */
  async tick(): Promise<FlowRunRecord[]> {
    injectedFailure('flows');
    const now = this.opts.clock();
    const runs: Array<Promise<FlowRunRecord | undefined>> = [];
    for (const row of await this.store.due(now)) {
      let def: FlowDefinition;
      try {
        def = definitionOf(row);
        await this.store.setSchedule(row.name, { nextRunAt: nextRunAfter(def, now) });
      } catch (err) {
        log.error({ flow: row.name, err: (err as Error).message }, 'stored flow no longer valid: disabled');
        await this.store.setSchedule(row.name, { enabled: false, nextRunAt: null });
        continue;
      }
      runs.push(this.run(row, def, 'schedule').catch((err) => {
        log.error({ flow: row.name, err: (err as Error).message }, 'flow run failed unexpectedly');
        return undefined;
      }));
    }
    this.rearm();
    return (await Promise.all(runs)).filter((r): r is FlowRunRecord => r !== undefined);
  }

  /** Runs a flow now, whatever its schedule says; refused while its previous run is going. */
  async runNow(name: string): Promise<FlowRunRecord> {
    const row = await this.store.get(name);
    return this.run(row, definitionOf(row), 'manual');
  }

  private async previousGoing(flow: string): Promise<string | undefined> {
    const previous = await this.store.lastActive(flow);
    if (!previous || previous.state !== 'launched') return undefined;
    return this.opts.launcher.going(previous);
  }

  private async refuse(row: FlowRow, trigger: FlowTrigger, going: string): Promise<FlowRunRecord> {
    if (trigger === 'manual') throw new ConflictError(`flow '${row.name}' is not started again: ${going}`);
    const id = await this.store.startRun(row.name, trigger, this.opts.clock());
    await this.store.updateRun(id, { state: 'skipped', reason: going, finishedAt: this.opts.clock() });
    log.info({ flow: row.name, run: id, reason: going }, 'flow run skipped: previous run still going');
    return toRunRecord((await this.store.run(id))!);
  }

  private run(row: FlowRow, def: FlowDefinition, trigger: FlowTrigger): Promise<FlowRunRecord> {
    const p = this.runOnce(row, def, trigger);
    this.inFlight.add(p);
    void p.catch(() => undefined).finally(() => this.inFlight.delete(p));
    return p;
  }

  private async runOnce(row: FlowRow, def: FlowDefinition, trigger: FlowTrigger): Promise<FlowRunRecord> {
    // Claimed before the first await, so two triggers at once cannot both start it.
    if (this.active.has(row.name)) return this.refuse(row, trigger, 'its previous run is still starting');
    this.active.add(row.name);
    try {
      const going = await this.previousGoing(row.name);
      if (going) return await this.refuse(row, trigger, going);
      const previous = await this.store.lastRun(row.name);
      const id = await this.store.startRun(row.name, trigger, this.opts.clock());
      try {
        await this.execute(row, def, id, trigger, previous);
      } catch (err) {
        // Never leave a run 'started': it would read as still going until the next daemon start.
        log.error({ flow: row.name, run: id, err: (err as Error).message }, 'flow run failed unexpectedly');
        await this.store.updateRun(id, { state: 'failed', reason: `internal error: ${(err as Error).message}`, finishedAt: this.opts.clock() });
      }
      return toRunRecord((await this.store.run(id))!);
    } finally {
      this.active.delete(row.name);
    }
  }

  private async execute(row: FlowRow, def: FlowDefinition, id: number, trigger: FlowTrigger, previous: FlowRunRow | undefined): Promise<void> {
    const end = async (state: 'skipped' | 'failed', reason: string) => {
      await this.store.updateRun(id, { state, reason, finishedAt: this.opts.clock() });
      log.info({ flow: row.name, run: id, state, reason }, `flow run ${state}`);
      this.opts.launcher.ended?.(row.name, id, state, reason);
    };
    let output: Record<string, unknown> = {};
    if (def.script) {
      const gate = await runGate({
        script: def.script,
        cwd: row.cwd,
        timeoutS: def.timeout,
        signal: this.aborter.signal,
        env: {
          ...(this.opts.baseEnv ?? process.env),
          CONDUCTOR_FLOW: row.name,
          CONDUCTOR_FLOW_RUN: String(id),
          CONDUCTOR_FLOW_TRIGGER: trigger,
          CONDUCTOR_FLOW_PREVIOUS_RUN_AT: previous ? new Date(previous.started_at).toISOString() : '',
        } as Record<string, string>,
      });
      if (!gate.ok) return end('failed', gate.reason);
      if (!gate.decision.execute) {
        const why = typeof gate.decision.output.reason === 'string' ? `: ${gate.decision.output.reason}` : '';
        return end('skipped', `the gate script said execute: false${why}`);
      }
      output = gate.decision.output;
    }
    let prompt: string;
    try {
      prompt = fillTemplate(def.prompt, { flow: { name: row.name }, run: { id, trigger }, output });
    } catch (err) {
      if (err instanceof TemplateError) return end('failed', err.message);
      throw err;
    }
    if (Buffer.byteLength(prompt) > MAX_INPUT_BYTES - 4096) return end('failed', 'the filled prompt is larger than 1 MiB');
    if (!(await this.store.find(row.name))) return end('failed', 'the flow was removed while this run was starting');
    let launched: { terminalId: string; messageId: number };
    try {
      launched = await this.opts.launcher.launch(row, def, prompt, id);
    } catch (err) {
      return end('failed', `cannot start the agent: ${(err as Error).message}`);
    }
    await this.store.updateRun(id, { state: 'launched', terminalId: launched.terminalId, messageId: launched.messageId });
    log.info({ flow: row.name, run: id, terminal: launched.terminalId }, 'flow run launched');
    this.opts.launcher.launched?.(id);
  }
}
