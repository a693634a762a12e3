import { existsSync } from 'node:fs';
import { moduleLogger } from '../logger.js';
import type { UsageRecords } from '../providers/types.js';
import type { PriceTable } from './prices.js';
import { readers } from './readers/index.js';
import { readNewLines } from './readers/lines.js';
import type { UsageSource, UsageStore } from './store.js';

const log = moduleLogger('usage');

const SWEEP_MS = 10_000;
/** A session in a shared home may have written its start a little before the conductor noted the launch. */
const START_SLACK_MS = 5_000;

export interface UsageTrackerDeps {
  store: UsageStore;
  prices: () => PriceTable;
  clock: () => number;
  /** Terminals still running: only their records can grow, so only they are swept. */
  isLive: (terminalId: string) => boolean;
  /** Called after new responses of a terminal were stored (budgets are checked there). */
  onNewUsage?: (terminalId: string) => Promise<void>;
}

/** What a terminal is at launch, as the usage figures remember it (they outlive the terminal row). */
export interface TrackedTerminal {
  id: string;
  sessionId: string;
  sessionName: string;
  provider: string;
  profile: string | null;
  callerTerminalId: string | null;
  cwd: string;
}

/**
 * Reads each terminal's own usage records as they grow: when its status changes, on a slow
 * sweep of live terminals, and before any report. Each file is read from where the last read
 * stopped; one read at a time per terminal.
 */
export class UsageTracker {
  private timer: NodeJS.Timeout | null = null;
  private readonly reads = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  /** Warnings already logged this run (a vanished file, a model without a price), by key. */
  private readonly warned = new Set<string>();
  /** Where and when each record file in a shared home started (it never changes once written). */
  private readonly origins = new Map<string, { cwd: string; startedAt: number }>();

  constructor(private readonly deps: UsageTrackerDeps) {}

  async track(terminal: TrackedTerminal, records: UsageRecords | undefined, maxCostUsd: number | undefined): Promise<void> {
    await this.deps.store.addSource({
      terminal_id: terminal.id,
      session_id: terminal.sessionId,
      session_name: terminal.sessionName,
      provider: terminal.provider,
      profile: terminal.profile,
      caller_terminal_id: terminal.callerTerminalId,
      format: records && readers[records.format] ? records.format : null,
      dir: records?.dir ?? null,
      record_session_id: records?.sessionId ?? null,
      shared: records?.shared ? 1 : 0,
      cwd: terminal.cwd,
      max_cost_usd: maxCostUsd ?? null,
      created_at: this.deps.clock(),
      finished_at: null,
    });
  }

  /** Catches up on every unfinished terminal (records written while the daemon was down), then sweeps the live ones. */
  async start(): Promise<void> {
    await this.refreshAll(() => true);
    this.timer = setInterval(() => void this.refreshAll((id) => this.deps.isLive(id)), SWEEP_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all([...this.reads.values()].map((p) => p.catch(() => undefined)));
  }

  async refreshAll(which: (terminalId: string) => boolean = () => true): Promise<void> {
    const sources = (await this.deps.store.sources({ unfinished: true })).filter((s) => s.format && which(s.terminal_id));
    for (const s of sources) await this.refresh(s.terminal_id);
  }

  /** Reads what is new in the terminal's records; a call during a read runs once more after it. */
  refresh(terminalId: string): Promise<void> {
    const running = this.reads.get(terminalId);
    if (running) {
      this.again.add(terminalId);
      return running;
    }
    const read = (async () => {
      do {
        this.again.delete(terminalId);
        await this.readOnce(terminalId).catch((err) =>
          log.warn({ terminal: terminalId, err: (err as Error).message }, 'reading usage records failed; the next read retries'),
        );
      } while (this.again.has(terminalId));
    })().finally(() => this.reads.delete(terminalId));
    this.reads.set(terminalId, read);
    return read;
  }

  private warnOnce(key: string, details: Record<string, unknown>, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    log.warn(details, message);
  }

  private async readOnce(terminalId: string): Promise<void> {
    const source = await this.deps.store.source(terminalId);
    if (!source?.format || !source.dir) return;
    const reader = readers[source.format];
    const files = source.shared ? await this.sharedFilesOf(source) : reader.files({ dir: source.dir, sessionId: source.record_session_id });
    for (const gone of (await this.deps.store.knownFiles(terminalId)).filter((f) => !files.includes(f) && !existsSync(f))) {
      this.warnOnce(`gone:${gone}`, { terminal: terminalId, file: gone }, 'a usage record file vanished; the figures read from it are kept');
    }
    const live = this.deps.isLive(terminalId);
    let added = 0;
    for (const file of files) added += await this.readFile(source, file);
    if (added > 0) await this.deps.onNewUsage?.(terminalId);
    // Read to the end after the agent stopped: nothing more can come, so no later start reads it again.
    if (!live) await this.deps.store.finish(terminalId, this.deps.clock());
  }

  /**
   * In a home shared with other sessions, a record file is this terminal's when it was started in
   * the terminal's cwd, and this terminal is the latest launched there, before the file started,
   * of those (same agent, same home) still running then.
   */
  private async sharedFilesOf(source: UsageSource): Promise<string[]> {
    const reader = readers[source.format!];
    if (!reader.sharedFiles || !reader.origin) return [];
    const rivals = (await this.deps.store.sources()).filter(
      (s) => s.shared && s.format === source.format && s.dir === source.dir && s.cwd === source.cwd,
    );
    return reader.sharedFiles(source.dir!, source.created_at - START_SLACK_MS).filter((file) => {
      let origin = this.origins.get(file);
      if (!origin) {
        origin = reader.origin!(file) ?? undefined;
        if (!origin) return false;
        this.origins.set(file, origin);
      }
      if (origin.cwd !== source.cwd) return false;
      const started = origin.startedAt;
      const owner = rivals
        .filter((s) => s.created_at <= started + START_SLACK_MS && (s.finished_at === null || s.finished_at >= started))
        .sort((a, b) => b.created_at - a.created_at)[0];
      return owner?.terminal_id === source.terminal_id;
    });
  }

  private async readFile(source: UsageSource, file: string): Promise<number> {
    const terminalId = source.terminal_id;
    const progress = (await this.deps.store.progress(terminalId, file)) ?? { offset: 0, state: null };
    let batch;
    try {
      batch = readNewLines(file, progress.offset);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.warnOnce(`gone:${file}`, { terminal: terminalId, file }, 'a usage record file vanished; the figures read from it are kept');
      return 0;
    }
    if (batch.restarted) log.warn({ terminal: terminalId, file }, 'a usage record file shrank; reading it again from the start (responses already counted stay counted once)');
    if (!batch.restarted && batch.nextOffset === progress.offset) return 0;
    const warn = (message: string, details: Record<string, unknown>) => log.warn({ terminal: terminalId, ...details }, message);
    const parsed = readers[source.format!].parse(batch.lines, file, batch.restarted ? null : progress.state, warn);
    const prices = this.deps.prices();
    for (const r of parsed.responses) {
      if (!prices.lookup(r.model)) {
        this.warnOnce(`model:${r.model}`, { terminal: terminalId, model: r.model }, 'a model without a price: its tokens are counted, its cost shows "no price" (add it to CONDUCTOR_HOME/prices.json)');
      }
    }
    await this.deps.store.record(terminalId, file, { offset: batch.nextOffset, state: parsed.state }, parsed.responses, this.deps.clock());
    return parsed.responses.length;
  }
}
