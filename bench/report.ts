import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One line of the result table: a figure, the baseline measured in the same run, and its goal. */
export interface Figure {
  id: string;
  label: string;
  unit: 'ms' | '%' | 'MB' | 'KB';
  value: number;
  baseline: number | null;
  baselineLabel: string | null;
  /** value / baseline, when the goal is a ratio. */
  ratio: number | null;
  goal: string | null;
  /** null: reported for information, no goal. */
  met: boolean | null;
  /** Full sample statistics behind the figure. */
  detail?: Record<string, unknown>;
}

export function ratioOf(value: number, baseline: number): number {
  return baseline > 0 ? Math.round((value / baseline) * 100) / 100 : Number.POSITIVE_INFINITY;
}

function fmt(x: number | null, unit = ''): string {
  if (x === null || Number.isNaN(x)) return '-';
  if (!Number.isFinite(x)) return 'inf';
  const digits = Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2;
  return `${x.toFixed(digits)}${unit}`;
}

export function renderTable(figures: Figure[]): string {
  const header = ['figure', 'value', 'baseline', 'ratio', 'goal', 'result'];
  const rows = figures.map((f) => [
    f.label,
    fmt(f.value, ` ${f.unit}`),
    f.baseline === null ? '-' : `${fmt(f.baseline, ` ${f.unit}`)}${f.baselineLabel ? ` (${f.baselineLabel})` : ''}`,
    f.ratio === null ? '-' : `${fmt(f.ratio)}x`,
    f.goal ?? '-',
    f.met === null ? 'info' : f.met ? 'ok' : 'MISSED',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function writeJson(file: string, data: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}
