import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ResponseUsage } from '../schema.js';
import { entries, firstLine } from './files.js';
import { count, jsonLines, timestamp, type RecordReader } from './types.js';

/**
 * Gemini CLI 0.61 chat records: `<GEMINI_CLI_HOME>/.gemini/tmp/<project>/chats/session-*.jsonl`,
 * one JSON object a line: messages (`type: "gemini"` ones carry `tokens` and `model`) and
 * `$set` updates, which may hold messages too. A message id is counted once, with its latest
 * figures. Gemini's input includes its cached input; thoughts are billed as output.
 */
export const geminiReader: RecordReader = {
  files({ dir }) {
    const files: string[] = [];
    for (const project of entries(join(dir, '.gemini', 'tmp')).filter((e) => e.isDir)) {
      files.push(...entries(join(project.path, 'chats')).filter((e) => !e.isDir && e.name.endsWith('.jsonl')).map((e) => e.path));
    }
    return files.sort();
  },

  sharedFiles(dir, since) {
    return geminiReader.files({ dir, sessionId: null }).filter((file) => {
      try {
        return statSync(file).mtimeMs >= since;
      } catch {
        return false;
      }
    });
  },

  // The project folder's `.project_root` names the working directory; the first line, the start.
  origin(file) {
    const head = firstLine(file);
    if (typeof head?.startTime !== 'string') return null;
    try {
      const cwd = readFileSync(join(dirname(dirname(file)), '.project_root'), 'utf8').trim();
      return { cwd, startedAt: timestamp(head.startTime, 0) };
    } catch {
      return null;
    }
  },

  parse(lines, file, _state, warn) {
    const responses: ResponseUsage[] = [];
    const take = (message: unknown) => {
      const m = message as Record<string, unknown> | null;
      if (!m || m.type !== 'gemini' || typeof m.id !== 'string') return;
      const tokens = m.tokens as Record<string, unknown> | undefined;
      if (!tokens) return;
      const cached = count(tokens.cached);
      responses.push({
        key: m.id,
        model: typeof m.model === 'string' && m.model ? m.model : 'unknown',
        inputTokens: Math.max(0, count(tokens.input) - cached) + count(tokens.tool),
        outputTokens: count(tokens.output) + count(tokens.thoughts),
        cacheReadTokens: cached,
        cacheWriteTokens: 0,
        at: timestamp(m.timestamp, Date.now()),
      });
    };
    for (const { value } of jsonLines(lines, file, warn)) {
      take(value);
      const set = value.$set as Record<string, unknown> | undefined;
      if (Array.isArray(set?.messages)) set.messages.forEach(take);
    }
    return { responses, state: null };
  },
};
