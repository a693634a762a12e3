import { EventEmitter } from 'node:events';
import { readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { terminalLogPath, terminalRawLogPath, terminalRuntimeDir, type HomeLayout } from '../config/paths.js';
import { exitStatusFile } from '../terminal/launch.js';
import type { EventBus } from '../events/bus.js';
import { moduleLogger } from '../logger.js';
import type { ProviderDefinition } from '../providers/types.js';
import { CleanLog } from '../terminal/cleanLog.js';
import { recordExit } from '../terminal/exit.js';
import { RAW_LOG_MAX_BYTES, rotateIfOver } from '../terminal/logRotation.js';
import { injectedFailure } from '../server/faultInjection.js';
import type { TerminalRecord, TerminalStatus } from '../terminal/schema.js';
import type { TerminalStore } from '../terminal/store.js';
import { TmuxTargetMissingError, type PaneInfo, type Tmux } from '../tmux/client.js';
import { initialTracker, inputSent, observe, type TrackerState } from './tracker.js';

const log = moduleLogger('monitor');

/** Continuous output is still judged this often, so streaming shows as busy and reaches the log. */
const MAX_JUDGE_DELAY_MS = 1000;
/** Scrollback captured on a normal judge; more is fetched only when more has scrolled by. */
const HISTORY_GUESS = 200;
const RESPONSE_HISTORY = 3000;
const MAX_DIALOG_ANSWERS = 3;
const DEAD_STATUS_CHECKS = 20;
/** After a failed judgement (tmux stalled, disk full…) the terminal is judged again this much later. */
const JUDGE_RETRY_MS = 1000;

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
  lastOutputAt: number;
  /** Counts output events, so a waiter can ask for output after a point it saw, race-free. */
  outputSeq: number;
  pendingSince: number | null;
  timer: NodeJS.Timeout | null;
  judging: Promise<void> | null;
  rejudge: boolean;
  output: EventEmitter;
  dialogAnswers: number;
  deadChecks: number;
  stopping?: boolean;
}

/**
 * Watches every live terminal. Output (the raw log growing) schedules a judgement once the
 * provider's quiet window has passed; a slow sweep catches closed windows and anything missed.
 * Idle terminals cost nothing: no timers run for them.
 */
export class TerminalMonitor {
  private readonly tracked = new Map<string, Tracked>();
  private watcher: FSWatcher | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private sweeping = false;

  constructor(private readonly deps: MonitorDeps) {}

  async start(): Promise<void> {
    // One inotify watch on the folder: every append to any terminal's raw log names its file.
    // (chokidar compares mtimes and drops appends that land within the same tick, which is
    // exactly when a prompt's Enter must be confirmed.)
    this.watcher = watch(this.deps.layout.terminalLogs, (_event, file) => {
      if (file && file.endsWith('.raw')) this.onOutput(file.slice(0, -4));
    });
    this.watcher.on('error', (err) => log.error({ err: err.message }, 'watching the terminal logs failed; the sweep still notices output'));
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
    this.watcher?.close();
    for (const t of this.tracked.values()) if (t.timer) clearTimeout(t.timer);
    await Promise.allSettled([...this.tracked.values()].map((t) => t.judging));
  }

  /** Starts watching a terminal. `resumed`: the daemon restarted and the terminal kept running. */
  track(record: TerminalRecord, provider: ProviderDefinition, resumed = false): void {
    const now = this.deps.clock();
    const cleanLog = new CleanLog(terminalLogPath(this.deps.layout, record.id));
    if (resumed) cleanLog.resume();
    // A terminal that was working when the daemon went down is still answering its input.
    const working = record.status === 'busy' || record.status === 'waiting_input';
    const tracker: TrackerState = resumed
      ? { ...initialTracker(now), status: record.status, awaitingResponse: working, sawBusySinceInput: working }
      : initialTracker(now);
    const t: Tracked = {
      id: record.id,
      sessionId: record.sessionId,
      pane: record.tmuxPane,
      provider,
      tracker,
      cleanLog,
      rawFile: terminalRawLogPath(this.deps.layout, record.id),
      judgedSize: -1,
      lastOutputAt: now,
      outputSeq: 0,
      pendingSince: null,
      timer: null,
      judging: null,
      rejudge: false,
      output: new EventEmitter(),
      dialogAnswers: 0,
      deadChecks: 0,
    };
    t.output.setMaxListeners(0);
    this.tracked.set(record.id, t);
    this.schedule(t);
  }

  untrack(id: string): void {
    const t = this.tracked.get(id);
    if (!t) return;
    if (t.timer) clearTimeout(t.timer);
    t.output.emit('gone');
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

  /** Records that input was delivered: the terminal is busy until its answer is seen. */
  async noteInput(id: string, screenBefore: string): Promise<void> {
    const t = this.tracked.get(id);
    if (!t) return;
    await this.apply(t, inputSent(t.tracker, screenBefore), this.deps.clock());
    this.schedule(t);
  }

  outputSeq(id: string): number {
    return this.tracked.get(id)?.outputSeq ?? 0;
  }

  /**
   * Resolves true once the pane printed something after output number `afterSeq` (default: now),
   * false after the timeout or when the terminal is no longer watched.
   */
  waitForOutput(id: string, timeoutMs: number, afterSeq?: number): Promise<boolean> {
    const t = this.tracked.get(id);
    if (!t) return Promise.resolve(false);
    if (afterSeq !== undefined && t.outputSeq > afterSeq) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        t.output.off('output', onOutput);
        t.output.off('gone', onGone);
        resolve(value);
      };
      const onOutput = () => done(true);
      const onGone = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      t.output.on('output', onOutput);
      t.output.on('gone', onGone);
    });
  }

  /** Resolves once the pane printed nothing for `quietMs`, or after `maxMs` in any case. */
  async waitForQuiet(id: string, quietMs: number, maxMs: number): Promise<void> {
    const t = this.tracked.get(id);
    if (!t) return;
    const deadline = this.deps.clock() + maxMs;
    for (;;) {
      const quietFor = this.deps.clock() - t.lastOutputAt;
      const left = deadline - this.deps.clock();
      if (quietFor >= quietMs || left <= 0) return;
      // Each output restarts the wait; silence for the rest of the window ends it.
      const more = await this.waitForOutput(id, Math.min(quietMs - quietFor, left));
      if (!more && !this.tracked.has(id)) return;
    }
  }

  private onOutput(id: string): void {
    const t = this.tracked.get(id);
    if (!t) return;
    t.lastOutputAt = this.deps.clock();
    t.outputSeq++;
    t.output.emit('output');
    this.schedule(t);
  }

  private schedule(t: Tracked): void {
    if (t.timer || this.stopped) return;
    t.pendingSince ??= this.deps.clock();
    t.timer = setTimeout(() => this.fire(t), t.provider.quietWindowMs);
  }

  private fire(t: Tracked): void {
    t.timer = null;
    const now = this.deps.clock();
    const quietFor = now - t.lastOutputAt;
    const waited = now - (t.pendingSince ?? now);
    if (quietFor < t.provider.quietWindowMs && waited < MAX_JUDGE_DELAY_MS) {
      t.timer = setTimeout(() => this.fire(t), t.provider.quietWindowMs - quietFor);
      return;
    }
    t.pendingSince = null;
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
    t.judgedSize = fileSize(t.rawFile);
    if (t.judgedSize > RAW_LOG_MAX_BYTES && rotateIfOver(t.rawFile, RAW_LOG_MAX_BYTES)) t.judgedSize = 0;
    let { info, text } = await this.deps.tmux.snapshot(t.pane, HISTORY_GUESS);
    const needed = t.cleanLog.historyNeeded(info.historySize);
    if (needed > HISTORY_GUESS) ({ info, text } = await this.deps.tmux.snapshot(t.pane, Math.min(needed, 50_000)));
    t.cleanLog.update(text, info.historySize, info.height);
    const screen = visible(text, info.height);
    if (info.dead) {
      // The status may be written a moment after the pane's output ends.
      const status = recordedExitStatus(this.deps.layout, t.id) ?? info.deadStatus;
      if (status === null && info.deadSignal === null && t.deadChecks++ < DEAD_STATUS_CHECKS) {
        this.judgeLater(t, 50);
        return;
      }
      await this.exited(t, status, deathDetail(status, info.deadSignal));
      return;
    }
    const now = this.deps.clock();
    const state = t.provider.detect(screen);
    if (await this.answerStartupDialog(t, screen)) return;
    const next = observe(t.tracker, { screenState: state, screen, now, startupTimeoutMs: t.provider.startupTimeoutMs });
    let lastResponse: string | null | undefined;
    if (next.status === 'completed' && t.tracker.status !== 'completed') {
      const full = await this.deps.tmux.capture(t.pane, RESPONSE_HISTORY);
      lastResponse = t.provider.lastResponse(full);
    }
    await this.apply(t, next, now, lastResponse);
    if (next.status === 'starting') this.rearmStartupCheck(t);
  }

  /** Start-up dialogs the provider knows how to answer (trust this folder…), a bounded number of times. */
  private async answerStartupDialog(t: Tracked, screen: string): Promise<boolean> {
    const dialogs = t.provider.startupDialogs ?? [];
    if (t.tracker.status !== 'starting' || t.dialogAnswers >= MAX_DIALOG_ANSWERS) return false;
    const dialog = dialogs.find((d) => d.match.test(screen));
    if (!dialog) return false;
    t.dialogAnswers++;
    log.info({ terminal: t.id, dialog: dialog.description }, 'answering start-up dialog');
    await this.deps.tmux.sendKeys(t.pane, dialog.keys);
    return true;
  }

  /** A terminal still starting is re-checked so a start-up timeout fires even if it prints nothing. */
  private rearmStartupCheck(t: Tracked): void {
    const left = t.tracker.startedAt + t.provider.startupTimeoutMs - this.deps.clock();
    this.judgeLater(t, Math.max(50, Math.min(left + 10, 2000)));
  }

  private judgeLater(t: Tracked, delayMs: number): void {
    if (t.timer || this.stopped) return;
    t.timer = setTimeout(() => {
      t.timer = null;
      void this.judge(t);
    }, delayMs);
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
      else if (pane.dead || (!t.timer && fileSize(t.rawFile) !== t.judgedSize)) void this.judge(t);
    }
  }

}

function deathDetail(status: number | null, signal: string | null): string {
  if (status === null && signal !== null) return `the process was killed by signal ${signal}`;
  return `the process exited with status ${status ?? 'unknown'}`;
}

/** The status the pane's wrapper wrote when the agent ended (see launchArgv). */
export function recordedExitStatus(l: HomeLayout, id: string): number | null {
  try {
    const text = readFileSync(exitStatusFile(terminalRuntimeDir(l, id)), 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : null;
  } catch {
    return null;
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function visible(text: string, height: number): string {
  const lines = text.replace(/\n$/, '').split('\n');
  return lines.slice(Math.max(0, lines.length - height)).join('\n');
}
