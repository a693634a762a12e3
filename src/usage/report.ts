import { NotFoundError } from '../errors.js';
import type { PriceTable } from './prices.js';
import { addCounts, ZERO, type ModelUsage, type TerminalUsage, type UsageFigures, type UsageReport } from './schema.js';
import type { ModelTotals, UsageSource, UsageStore } from './store.js';

export const UNKNOWN: UsageFigures = {
  inputTokens: null,
  outputTokens: null,
  cacheReadTokens: null,
  cacheWriteTokens: null,
  costUsd: null,
  model: null,
  priced: false,
  models: [],
};

/** Sums per-model rows (of one terminal or many) into figures, pricing each model apart. */
export function summarize(rows: ModelTotals[], prices: PriceTable): UsageFigures {
  const byModel = new Map<string, ModelTotals>();
  for (const row of rows) {
    const seen = byModel.get(row.model);
    byModel.set(
      row.model,
      seen ? { ...seen, ...addCounts(seen, row), responses: seen.responses + row.responses, lastAt: Math.max(seen.lastAt, row.lastAt) } : row,
    );
  }
  const models: ModelUsage[] = [...byModel.values()]
    .sort((a, b) => a.lastAt - b.lastAt || a.model.localeCompare(b.model))
    .map((m) => {
      const tokens = { inputTokens: m.inputTokens, outputTokens: m.outputTokens, cacheReadTokens: m.cacheReadTokens, cacheWriteTokens: m.cacheWriteTokens };
      const costUsd = prices.cost(m.model, tokens);
      return { model: m.model, ...tokens, responses: m.responses, costUsd, priced: costUsd !== null };
    });
  const sum = models.reduce((acc, m) => addCounts(acc, m), ZERO);
  const priced = models.every((m) => m.priced);
  return {
    ...sum,
    costUsd: priced ? models.reduce((acc, m) => acc + (m.costUsd ?? 0), 0) : null,
    model: models.at(-1)?.model ?? null,
    priced,
    models,
  };
}

/** Builds usage figures from the store: per terminal, per delegation tree, in total. */
export class UsageReporter {
  constructor(
    private readonly store: UsageStore,
    private readonly prices: () => PriceTable,
  ) {}

  /** The terminal and all its workers, at any depth (cycles cannot occur, but are cut anyway). */
  async tree(terminalId: string): Promise<string[]> {
    const seen = new Set([terminalId]);
    let level = [terminalId];
    while (level.length) {
      level = (await this.store.workersOf(level)).filter((id) => !seen.has(id));
      for (const id of level) seen.add(id);
    }
    return [...seen];
  }

  /** Figures of each terminal asked for; `UNKNOWN` for those whose agent keeps no records the conductor reads. */
  async figures(terminalIds: string[], since?: number): Promise<Map<string, UsageFigures>> {
    const sources = new Map((await this.store.sources({ terminalIds })).map((s) => [s.terminal_id, s]));
    const rows = await this.store.totals(terminalIds.filter((id) => sources.get(id)?.format), since);
    const prices = this.prices();
    const out = new Map<string, UsageFigures>();
    for (const id of terminalIds) {
      out.set(id, sources.get(id)?.format ? summarize(rows.filter((r) => r.terminalId === id), prices) : UNKNOWN);
    }
    return out;
  }

  /** A tree's figures: unknown only when no terminal in it keeps records. */
  async treeFigures(terminalId: string, since?: number): Promise<UsageFigures & { terminals: string[] }> {
    const ids = await this.tree(terminalId);
    const sources = await this.store.sources({ terminalIds: ids });
    const known = sources.filter((s) => s.format).map((s) => s.terminal_id);
    if (known.length === 0) return { ...UNKNOWN, terminals: ids };
    return { ...summarize(await this.store.totals(known, since), this.prices()), terminals: ids };
  }

  async report(query: { terminalId?: string; session?: string; since?: number }): Promise<UsageReport> {
    let sources: UsageSource[];
    if (query.terminalId) {
      const one = await this.store.source(query.terminalId);
      if (!one) throw new NotFoundError('terminal', query.terminalId, 'run `conductor usage` to see the terminals with usage figures');
      sources = [one];
    } else {
      sources = await this.store.sources();
      if (query.session) {
        sources = sources.filter((s) => s.session_id === query.session || s.session_name === query.session);
        if (sources.length === 0) throw new NotFoundError('session', query.session, 'run `conductor usage` to see the sessions with usage figures');
      }
    }
    let own = await this.figures(sources.map((s) => s.terminal_id), query.since);
    // With a date, terminals idle all that time are left out (they would only add zeros).
    if (query.since !== undefined && !query.terminalId) {
      sources = sources.filter((s) => s.created_at >= query.since! || (own.get(s.terminal_id)?.models.length ?? 0) > 0);
      own = new Map(sources.map((s) => [s.terminal_id, own.get(s.terminal_id)!]));
    }
    const terminals: TerminalUsage[] = [];
    for (const s of sources) {
      terminals.push({
        terminalId: s.terminal_id,
        sessionId: s.session_id,
        sessionName: s.session_name,
        provider: s.provider,
        profile: s.profile,
        callerTerminalId: s.caller_terminal_id,
        ...own.get(s.terminal_id)!,
        tree: await this.treeFigures(s.terminal_id, query.since),
      });
    }
    const known = sources.filter((s) => s.format).map((s) => s.terminal_id);
    const totals = known.length ? summarize(await this.store.totals(known, query.since), this.prices()) : UNKNOWN;
    return {
      terminals,
      totals: { ...totals, unknownTerminals: sources.length - known.length },
      since: query.since === undefined ? null : new Date(query.since).toISOString(),
    };
  }
}
