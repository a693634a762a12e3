import { terminalLogPath, terminalRawLogPath, type HomeLayout } from '../config/paths.js';
import type { EventBus } from '../events/bus.js';
import { moduleLogger } from '../logger.js';
import type { AgentEvent, ProviderDefinition } from '../providers/types.js';
import { CleanLog } from '../terminal/cleanLog.js';
import { recordExit } from '../terminal/exit.js';
import { injectedFailure } from '../server/faultInjection.js';
import type { TerminalRecord, TerminalStatus } from '../terminal/schema.js';
import type { TerminalStore } from '../terminal/store.js';
import { TmuxTargetMissingError, type PaneInfo, type Tmux } from '../tmux/client.js';
import { DEAD_STATUS_CHECKS, deathDetail, fileSize, recordedExitStatus } from './exits.js';
import { JudgeTimer } from './judgeTimer.js';
import { OutputWatch } from './outputWatch.js';
import { readForResponse, readPane } from './paneReader.js';
import { dialogToAnswer } from './startupDialogs.js';
import {
  confirmationDelayMs,
  DEAD_RECHECK_MS,
  EVENT_TURN_RECHECK_MS,
  JUDGE_RETRY_MS,
  MAX_JUDGE_DELAY_MS,
  quietWindowMs,
  startupRecheckMs,
} from './timing.js';
import {
  DISAGREEMENT_LOG_MS,
  disagreesLongerThan,
  eventReceived,
  initialTracker,
  interruptSent,
  inputAbandoned,
  inputExpected,
  inputSent,
  observe,
  wantsConfirmation,
  type TrackerState,
} from './tracker.js';

const log = moduleLogger('monitor');

export interface MonitorDeps {
  tmux: Tmux;
  store: TerminalStore;
  bus: EventBus;
  layout: HomeLayout;
  clock: () => number;
  sweepMs: number;
}

interface Tracked {
  id: string;
  sessionId: string;
  pane: string;
  provider: ProviderDefinition;
  tracker: TrackerState;
  cleanLog: CleanLog;
  rawFile: string;
  judgedSize: number;
  timer: JudgeTimer;
  judging: Promise<void> | null;
  rejudge: boolean;
  dialogAnswers: number;
  deadChecks: number;
  disagreementLogged: boolean;
  stopping?: boolean;
}

export interface TrackOptions {
  /** The daemon restarted and the terminal kept running. */
  resumed?: boolean;
  /** The agent's hooks report its state to the daemon (see src/hooks). */
  events?: boolean;
}

/**
 * Watches every live terminal. Its status comes from the agent's own hook events where it has
 * them, and from judging its screen: output (the raw log growing) schedules a judgement once the
 * provider's quiet window has passed; a slow sweep catches closed windows and anything missed.
 * Idle terminals cost nothing: no timers run for them.
 */
export class TerminalMonitor {
  private readonly tracked = new Map<string, Tracked>();
  private readonly output: OutputWatch;
  private sweepTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private sweeping = false;

  constructor(private readonly deps: MonitorDeps) {
    this.output = new OutputWatch(deps.clock, (id) => this.onOutput(id));
  }

  async start(): Promise<void> {
    this.output.start(this.deps.layout.terminalLogs);
    this.sweepTimer = setInterval(() => {
      // A sweep stalled on tmux must not pile up behind the next one.
      if (this.sweeping) return;
      this.sweeping = true;
      void this.sweep()
        .catch((err) => log.warn({ err: (err as Error).message }, 'sweep failed'))
        .finally(() => (this.sweeping = false));
    }, this.deps.sweepMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.output.stop();
    for (const t of this.tracked.values()) t.timer.cancel();
    await Promise.allSettled([...this.tracked.values()].map((t) => t.judging));
  }

  /** Starts watching a terminal. */
  track(record: TerminalRecord, provider: ProviderDefinition, opts: TrackOptions | boolean = {}): void {
    const { resumed = false, events = false } = typeof opts === 'boolean' ? { resumed: opts } : opts;
    const now = this.deps.clock();
    const cleanLog = new CleanLog(terminalLogPath(this.deps.layout, record.id));
    if (resumed) cleanLog.resume();
    const fresh = initialTracker(now, events && provider.events ? 'expected' : 'none');
    // A terminal that was working when the daemon went down is still answering its input.
    const working = record.status === 'busy' || record.status === 'waiting_input';
    const tracker: TrackerState = resumed ? { ...fresh, status: record.status, awaitingResponse: working, sawBusySinceInput: working } : fresh;
    const t: Tracked = {
      id: record.id,
      sessionId: record.sessionId,
      pane: record.tmuxPane,
      provider,
      tracker,
      cleanLog,
      rawFile: terminalRawLogPath(this.deps.layout, record.id),
      judgedSize: -1,
      timer: new JudgeTimer(this.deps.clock),
      judging: null,
      rejudge: false,
      dialogAnswers: 0,
      deadChecks: 0,
      disagreementLogged: false,
    };
    this.output.add(record.id);
    this.tracked.set(record.id, t);
    this.schedule(t);
  }

  untrack(id: string): void {
    const t = this.tracked.get(id);
    if (!t) return;
    t.timer.cancel();
    this.output.remove(id);
    this.tracked.delete(id);
  }

  /** A terminal being shut down takes no more input (the inbox checks this). */
  markStopping(id: string): void {
    const t = this.tracked.get(id);
    if (t) t.stopping = true;
  }

  isStopping(id: string): boolean {
    return this.tracked.get(id)?.stopping === true;
  }

  isTracked(id: string): boolean {
    return this.tracked.has(id);
  }

  status(id: string): TerminalStatus | undefined {
    return this.tracked.get(id)?.tracker.status;
  }

  /**
   * Where a watched terminal's status comes from: `events` (its agent's hooks reach the daemon),
   * `events-expected` (hooks installed, none heard yet) or `screen` (judged from the screen alone).
   */
  statusSource(id: string): 'events' | 'events-expected' | 'screen' | undefined {
    const events = this.tracked.get(id)?.tracker.events;
    if (events === undefined) return undefined;
    return events === 'live' ? 'events' : events === 'expected' ? 'events-expected' : 'screen';
  }

  /** The provider of a watched terminal (the hook route normalises events with it). */
  providerOf(id: string): ProviderDefinition | undefined {
    return this.tracked.get(id)?.provider;
  }

  /** Input is about to be submitted: with events, its turn opens now (the hooks may be faster than the Enter's confirmation). */
  async expectInput(id: string): Promise<void> {
    const t = this.tracked.get(id);
    if (t) await this.apply(t, inputExpected(t.tracker), this.deps.clock());
  }

  /** The agent's interrupt keys were sent: the next idle screen ends its turn. */
  noteInterrupt(id: string): void {
    const t = this.tracked.get(id);
    if (t) t.tracker = interruptSent(t.tracker);
  }

  /** The expected input was never submitted. */
  async abandonInput(id: string): Promise<void> {
    const t = this.tracked.get(id);
    if (t) await this.apply(t, inputAbandoned(t.tracker), this.deps.clock());
  }

  /** Records that input was delivered: the terminal is busy until its answer is seen. */
  async noteInput(id: string, screenBefore: string): Promise<void> {
    const t = this.tracked.get(id);
    if (!t) return;
    await this.apply(t, inputSent(t.tracker, screenBefore), this.deps.clock());
    this.schedule(t);
  }

  /** One event from the agent's own hooks, already normalised by its provider. */
  async noteEvent(id: string, event: AgentEvent): Promise<void> {
    const t = this.tracked.get(id);
    if (!t) return;
    const now = this.deps.clock();
    if (event.kind === 'turn_end' && !t.tracker.awaitingResponse && t.tracker.status !== 'exited') {
      // A turn nobody saw start (typed by hand into a CLI that reports only turn ends): shown as one.
      await this.apply(t, { ...t.tracker, status: 'busy', detail: 'a turn the agent reported' }, now);
    }
    const next = eventReceived(t.tracker, event, now);
    let lastResponse: string | null | undefined;
    if (next.status === 'completed' && t.tracker.status !== 'completed') {
      const fromTranscript = event.transcriptPath ? t.provider.events?.answerFromTranscript?.(event.transcriptPath) : undefined;
      lastResponse = fromTranscript ?? next.eventResponse ?? (await this.screenResponse(t));
    }
    log.debug({ terminal: id, event: event.kind, status: next.status }, 'agent event');
    await this.apply(t, next, now, lastResponse);
    // A turn that started by event is still watched on screen, for dialogs and as the fallback.
    if (next.awaitingResponse) this.judgeLater(t, EVENT_TURN_RECHECK_MS);
  }

  outputSeq(id: string): number {
    return this.output.seq(id);
  }

  waitForOutput(id: string, timeoutMs: number, afterSeq?: number): Promise<boolean> {
    return this.output.waitForOutput(id, timeoutMs, afterSeq);
  }

  waitForQuiet(id: string, quietMs: number, maxMs: number): Promise<void> {
    return this.output.waitForQuiet(id, quietMs, maxMs);
  }

  private onOutput(id: string): void {
    const t = this.tracked.get(id);
    if (t) this.schedule(t);
  }

  private schedule(t: Tracked): void {
    if (this.stopped) return;
    t.timer.pendingSince ??= this.deps.clock();
    t.timer.at(this.quietWindow(t), () => this.fire(t));
  }

  private quietWindow(t: Tracked): number {
    return quietWindowMs(t.provider, t.tracker.status);
  }

  private fire(t: Tracked): void {
    const now = this.deps.clock();
    const quietFor = now - this.output.lastOutputAt(t.id);
    const waited = now - (t.timer.pendingSince ?? now);
    const window = this.quietWindow(t);
    if (quietFor < window && waited < MAX_JUDGE_DELAY_MS) {
      t.timer.at(window - quietFor, () => this.fire(t));
      return;
    }
    t.timer.pendingSince = null;
    void this.judge(t);
  }

  /** Captures and judges the screen now; concurrent requests fold into one follow-up judgement. */
  judge(t: Tracked): Promise<void> {
    if (t.judging) {
      t.rejudge = true;
      return t.judging;
    }
    t.judging = (async () => {
      do {
        t.rejudge = false;
        try {
          await this.judgeOnce(t);
        } catch (err) {
          await this.judgeFailed(t, err).catch((e) => log.error({ terminal: t.id, err: (e as Error).message }, 'recording a failed judgement failed'));
        }
      } while (t.rejudge && this.tracked.has(t.id));
      t.judging = null;
    })();
    return t.judging;
  }

  private async judgeFailed(t: Tracked, err: unknown): Promise<void> {
    if (err instanceof TmuxTargetMissingError) return this.exited(t, null, 'its tmux window was closed');
    log.warn({ terminal: t.id, err: (err as Error).message }, 'judging failed; trying again shortly');
    this.judgeLater(t, JUDGE_RETRY_MS);
  }

  judgeNow(id: string): Promise<void> {
    const t = this.tracked.get(id);
    return t ? this.judge(t) : Promise.resolve();
  }

  private async judgeOnce(t: Tracked): Promise<void> {
    if (!this.tracked.has(t.id)) return;
    injectedFailure('monitor');
    const { info, screen, rawSize } = await readPane(this.deps.tmux, t);
    t.judgedSize = rawSize;
    if (info.dead) {
      // The status may be written a moment after the pane's output ends.
      const status = recordedExitStatus(this.deps.layout, t.id) ?? info.deadStatus;
      if (status === null && info.deadSignal === null && t.deadChecks++ < DEAD_STATUS_CHECKS) {
        this.judgeLater(t, DEAD_RECHECK_MS);
        return;
      }
      await this.exited(t, status, deathDetail(status, info.deadSignal));
      return;
    }
    const now = this.deps.clock();
    const state = t.provider.detect(screen);
    if (await this.answerStartupDialog(t, screen)) return;
    const next = observe(t.tracker, { screenState: state, screen, now, startupTimeoutMs: t.provider.startupTimeoutMs });
    this.noteDisagreement(t, next, state, now);
    let lastResponse: string | null | undefined;
    if (next.status === 'completed' && t.tracker.status !== 'completed') lastResponse = await this.screenResponse(t);
    await this.apply(t, next, now, lastResponse);
    if (wantsConfirmation(next)) this.judgeLater(t, confirmationDelayMs(t.provider, next));
    else if (next.status === 'starting') this.rearmStartupCheck(t);
  }

  private async screenResponse(t: Tracked): Promise<string | null> {
    return t.provider.lastResponse(await readForResponse(this.deps.tmux, t.pane));
  }

  private noteDisagreement(t: Tracked, next: TrackerState, screenState: string, now: number): void {
    if (next.disagreeSince === null) {
      t.disagreementLogged = false;
      return;
    }
    if (t.disagreementLogged || !disagreesLongerThan(next, now, DISAGREEMENT_LOG_MS)) return;
    t.disagreementLogged = true;
    log.warn(
      { terminal: t.id, provider: t.provider.name, screen: screenState, status: next.status, forMs: now - next.disagreeSince },
      'the screen disagrees with the agent\'s own events; trusting the events',
    );
  }

  /** Start-up dialogs the provider knows how to answer (trust this folder…), a bounded number of times. */
  private async answerStartupDialog(t: Tracked, screen: string): Promise<boolean> {
    const dialog = dialogToAnswer(t.provider, t.tracker.status, t.dialogAnswers, screen);
    if (!dialog) return false;
    t.dialogAnswers++;
    log.info({ terminal: t.id, dialog: dialog.description }, 'answering start-up dialog');
    await this.deps.tmux.sendKeys(t.pane, dialog.keys);
    return true;
  }

  /** A terminal still starting is re-checked so a start-up timeout fires even if it prints nothing. */
  private rearmStartupCheck(t: Tracked): void {
    this.judgeLater(t, startupRecheckMs(t.tracker.startedAt, t.provider.startupTimeoutMs, this.deps.clock()));
  }

  private judgeLater(t: Tracked, delayMs: number): void {
    if (this.stopped) return;
    t.timer.at(delayMs, () => void this.judge(t));
  }

  private async apply(t: Tracked, next: TrackerState, now: number, lastResponse?: string | null): Promise<void> {
    const previous = t.tracker;
    t.tracker = next;
    const changed = previous.status !== next.status || previous.detail !== next.detail;
    if (!changed && lastResponse === undefined) return;
    await this.deps.store.updateStatus(t.id, { status: next.status, detail: next.detail, lastResponse, at: now });
    if (changed) {
      await this.deps.bus.publish(
        'terminal.status',
        { sessionId: t.sessionId, terminalId: t.id },
        { status: next.status, previous: previous.status, detail: next.detail },
      );
    }
  }

  private async exited(t: Tracked, exitCode: number | null, detail: string): Promise<void> {
    if (!this.tracked.has(t.id)) return;
    this.untrack(t.id);
    const at = this.deps.clock();
    const ended = await recordExit(this.deps, { id: t.id, sessionId: t.sessionId, previous: t.tracker.status }, { exitCode, detail, at });
    if (ended) log.info({ terminal: t.id, exitCode, detail }, 'terminal exited');
  }

  /** The safety net: one tmux call for all panes, plus a stat of each raw log. */
  async sweep(): Promise<void> {
    if (this.tracked.size === 0) return;
    const panes = new Map<string, PaneInfo>();
    for (const p of await this.deps.tmux.listPanes()) panes.set(p.paneId, p);
    for (const t of [...this.tracked.values()]) {
      const pane = panes.get(t.pane);
      if (!pane) await this.exited(t, null, 'its tmux window was closed');
      else if (pane.dead || (!t.timer.armed && fileSize(t.rawFile) !== t.judgedSize)) void this.judge(t);
    }
  }
}

export { screenConfirmationDelayMs } from './timing.js';
export { recordedExitStatus } from './exits.js';
