import type { Db } from '../db/database.js';
import { moduleLogger } from '../logger.js';
import type { UsageRecords } from '../providers/types.js';
import { BudgetGuard, type BudgetDeps } from './budget.js';
import { PriceTable } from './prices.js';
import { UsageReporter } from './report.js';
import type { UsageFigures, UsageQuery, UsageReport } from './schema.js';
import { UsageStore } from './store.js';
import { UsageTracker, type TrackedTerminal } from './tracker.js';

const log = moduleLogger('usage');

export interface UsageServiceDeps {
  db: Db;
  home: string;
  clock: () => number;
  isLive: (terminalId: string) => boolean;
  /** The daemon's event stream: a terminal's status change is when its records have grown. */
  subscribe?: (listener: (event: { type: string; terminalId?: string | null }) => void) => () => void;
  fileApproval: BudgetDeps['fileApproval'];
  approvalState: BudgetDeps['approvalState'];
  announce?: BudgetDeps['announce'];
}

/** The usage domain as the daemon uses it: tracking, reports, budgets. */
export class UsageService {
  readonly store: UsageStore;
  readonly reporter: UsageReporter;
  readonly tracker: UsageTracker;
  readonly budgets: BudgetGuard;
  private unsubscribe?: () => void;

  constructor(private readonly deps: UsageServiceDeps) {
    this.store = new UsageStore(deps.db);
    const prices = () => this.prices();
    this.reporter = new UsageReporter(this.store, prices);
    this.budgets = new BudgetGuard({ ...deps, store: this.store, reporter: this.reporter });
    this.tracker = new UsageTracker({ store: this.store, prices, clock: deps.clock, isLive: deps.isLive, onNewUsage: (id) => this.budgets.check(id) });
  }

  /** The price table as it stands on disk; a broken user file is reported and the built-in one used. */
  prices(): PriceTable {
    try {
      return PriceTable.load(this.deps.home);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'the user price table is unusable; using the built-in one');
      return PriceTable.builtIn();
    }
  }

  /** Remembers a new terminal and where its records go. Never fails a launch: a failure is logged. */
  async track(terminal: TrackedTerminal, records: UsageRecords | undefined, maxCostUsd?: number): Promise<void> {
    await this.tracker.track(terminal, records, maxCostUsd).catch((err) =>
      log.warn({ terminal: terminal.id, err: (err as Error).message }, 'could not register the terminal for usage figures'),
    );
  }

  /** A terminal that `conductor resume` started again: its records are followed again. */
  async resumed(terminal: TrackedTerminal, records: UsageRecords | undefined): Promise<void> {
    await this.store.reopen(terminal.id, records?.sessionId ?? null).catch((err) =>
      log.warn({ terminal: terminal.id, err: (err as Error).message }, 'could not follow the resumed terminal for usage figures'),
    );
  }

  /** A fresh report: every terminal it covers is read up to date first. */
  async report(query: UsageQuery): Promise<UsageReport> {
    const since = query.since === undefined ? undefined : Date.parse(query.since);
    const sources = await this.store.sources(query.terminal ? { terminalIds: await this.reporter.tree(query.terminal) } : {});
    for (const s of sources) if (s.format && s.finished_at === null) await this.tracker.refresh(s.terminal_id);
    return this.reporter.report({ terminalId: query.terminal, session: query.session, since });
  }

  /** Figures for terminal records (as stored; the tracker keeps them current). */
  figures(terminalIds: string[]): Promise<Map<string, UsageFigures>> {
    return this.reporter.figures(terminalIds);
  }

  /** Refuses a new worker for `callerId` while a budget over its tree waits for, or was refused, approval. */
  async assertMayDelegate(callerId: string): Promise<void> {
    const chain = await this.budgets.chain(callerId);
    for (const id of await this.reporter.tree(chain.at(-1)!)) await this.tracker.refresh(id);
    await this.budgets.check(callerId);
    await this.budgets.assertMayDelegate(callerId);
  }

  async start(): Promise<void> {
    this.unsubscribe = this.deps.subscribe?.((event) => {
      if ((event.type === 'terminal.status' || event.type === 'terminal.exited') && event.terminalId) void this.tracker.refresh(event.terminalId);
    });
    await this.tracker.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.tracker.stop();
  }
}
