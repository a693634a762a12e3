import { basename, join } from 'node:path';
import type { ResponseUsage } from '../schema.js';
import { entries, filesUnder, firstLine } from './files.js';
import { count, jsonLines, timestamp, type RecordReader } from './types.js';

interface Totals {
  input: number;
  cached: number;
  cacheWrite: number;
  output: number;
}

interface CodexState {
  /** The last running total seen (`total_token_usage`). */
  total: Totals | null;
  /** From the latest `turn_context`. */
  model: string | null;
}

function totals(raw: unknown): Totals | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  return { input: count(r.input_tokens), cached: count(r.cached_input_tokens), cacheWrite: count(r.cache_write_input_tokens), output: count(r.output_tokens) };
}

function minus(a: Totals, b: Totals): Totals | null {
  const d = { input: a.input - b.input, cached: a.cached - b.cached, cacheWrite: a.cacheWrite - b.cacheWrite, output: a.output - b.output };
  return Object.values(d).some((n) => n < 0) ? null : d;
}

/**
 * Codex rollouts: `<CODEX_HOME>/sessions/YYYY/MM/DD/rollout-*.jsonl`. Each `token_count` event
 * carries the session's running total; a response's figures are the growth of that total, so an
 * event repeated with the same total adds nothing. Codex's input includes its cached input.
 */
export const codexReader: RecordReader = {
  files({ dir }) {
    return filesUnder(join(dir, 'sessions'), (name) => name.startsWith('rollout-') && name.endsWith('.jsonl'));
  },

  // Rollouts are filed by day (sessions/YYYY/MM/DD); days well before `since` are not looked into.
  sharedFiles(dir, since) {
    const from = new Date(since - 24 * 3600 * 1000).toISOString().slice(0, 10).replace(/-/g, '/');
    const days = entries(join(dir, 'sessions')).flatMap((y) => entries(y.path).flatMap((m) => entries(m.path)));
    return days
      .filter((d) => d.isDir && d.path.slice(-10) >= from)
      .flatMap((d) => filesUnder(d.path, (name) => name.startsWith('rollout-') && name.endsWith('.jsonl')));
  },

  origin(file) {
    const meta = firstLine(file);
    const payload = meta?.type === 'session_meta' ? (meta.payload as Record<string, unknown>) : undefined;
    if (typeof payload?.cwd !== 'string') return null;
    return { cwd: payload.cwd, startedAt: timestamp(payload.timestamp ?? meta?.timestamp, 0) };
  },

  parse(lines, file, previous, warn) {
    const state: CodexState = { total: null, model: null, ...(previous as CodexState | null) };
    const responses: ResponseUsage[] = [];
    for (const { value, offset } of jsonLines(lines, file, warn)) {
      const payload = value.payload as Record<string, unknown> | undefined;
      if (value.type === 'turn_context' && typeof payload?.model === 'string') state.model = payload.model;
      if (value.type !== 'event_msg' || payload?.type !== 'token_count') continue;
      const info = payload.info as Record<string, unknown> | null | undefined;
      if (!info) continue;
      const total = totals(info.total_token_usage);
      const last = totals(info.last_token_usage);
      const grown = total ? (state.total ? minus(total, state.total) : total) : null;
      const delta = grown ?? last;
      if (total) state.total = total;
      if (!delta || (delta.input === 0 && delta.output === 0 && delta.cached === 0 && delta.cacheWrite === 0)) continue;
      if (!state.model) warn('a Codex token_count event came before any turn_context: its model is unknown', { file, offset });
      responses.push({
        key: `${basename(file)}:${offset}`,
        model: state.model ?? 'unknown',
        inputTokens: Math.max(0, delta.input - delta.cached),
        outputTokens: delta.output,
        cacheReadTokens: delta.cached,
        cacheWriteTokens: delta.cacheWrite,
        at: timestamp(value.timestamp, Date.now()),
      });
    }
    return { responses, state };
  },
};
