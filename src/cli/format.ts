/** Plain-text tables and durations for humans; `--json` bypasses all of this. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export function ago(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** 1234 → 1.2k, 5600000 → 5.6M: a token count for a narrow column. */
export function tokens(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(n < 10_000_000 ? 1 : 0)}M`;
}

/** A cost in USD, or why there is none. */
export function cost(costUsd: number | null, priced: boolean): string {
  if (!priced || costUsd === null) return 'no price';
  return costUsd < 0.01 && costUsd > 0 ? `$${costUsd.toFixed(4)}` : `$${costUsd.toFixed(2)}`;
}

/** Tokens and cost in one cell: `12k tok $0.42`, `12k tok no price`, or `unknown`. */
export function usageCell(u: { inputTokens: number | null; outputTokens: number | null; cacheReadTokens: number | null; cacheWriteTokens: number | null; costUsd: number | null; priced: boolean } | null | undefined): string {
  if (!u || u.inputTokens === null) return 'unknown';
  const total = u.inputTokens + (u.outputTokens ?? 0) + (u.cacheReadTokens ?? 0) + (u.cacheWriteTokens ?? 0);
  return `${tokens(total)} tok ${cost(u.costUsd, u.priced)}`;
}
