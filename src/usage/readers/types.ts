import type { ResponseUsage } from '../schema.js';
import type { NewLine } from './lines.js';

/** Where one terminal's agent keeps its records (from the provider's launch spec). */
export interface RecordLocation {
  dir: string;
  sessionId: string | null;
}

export type Warn = (message: string, details: Record<string, unknown>) => void;

export interface Parsed {
  responses: ResponseUsage[];
  /** Carried to the next read of the same file (JSON-serialisable). */
  state: unknown;
}

/** How one agent CLI's usage records are found and read. Pure apart from `files`. */
export interface RecordReader {
  /** The files holding this terminal's records as they stand now. */
  files(location: RecordLocation): string[];
  /** In a home shared with other sessions: every record file that may have been started since `since` (ms). */
  sharedFiles?(dir: string, since: number): string[];
  /** The working directory and start of the session a record file belongs to; null while that is not written yet. */
  origin?(file: string): { cwd: string; startedAt: number } | null;
  /** The responses in newly appended lines. `state` is what the previous call returned (null at first). */
  parse(lines: NewLine[], file: string, state: unknown, warn: Warn): Parsed;
}

/** Each line parsed as a JSON object; a corrupt or truncated line is skipped with a warning. */
export function jsonLines(lines: NewLine[], file: string, warn: Warn): Array<{ value: Record<string, unknown>; offset: number }> {
  const out: Array<{ value: Record<string, unknown>; offset: number }> = [];
  for (const line of lines) {
    try {
      const value = JSON.parse(line.text) as unknown;
      if (value && typeof value === 'object' && !Array.isArray(value)) out.push({ value: value as Record<string, unknown>, offset: line.offset });
    } catch {
      warn('skipped a corrupt or truncated usage record line', { file, offset: line.offset, start: line.text.slice(0, 80) });
    }
  }
  return out;
}

export function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

export function timestamp(value: unknown, fallback: number): number {
  const at = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(at) ? fallback : at;
}
