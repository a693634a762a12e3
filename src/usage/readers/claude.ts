import { join } from 'node:path';
import type { ResponseUsage } from '../schema.js';
import { entries } from './files.js';
import { count, jsonLines, timestamp, type RecordReader } from './types.js';

/**
 * Claude Code's session transcript: `<config dir>/projects/<project>/<session id>.jsonl`, plus its
 * subagents' transcripts in `<session id>/subagents/`. A response is written as several lines
 * (one per content block), each with the same message id and request id: it is counted once,
 * with the usage of its most complete line (the most output tokens; on a tie, the later line).
 */
export const claudeReader: RecordReader = {
  files({ dir, sessionId }) {
    if (!sessionId) return [];
    const files: string[] = [];
    for (const project of entries(join(dir, 'projects')).filter((e) => e.isDir)) {
      files.push(...entries(project.path).filter((e) => e.name === `${sessionId}.jsonl`).map((e) => e.path));
      const subagents = join(project.path, sessionId, 'subagents');
      files.push(...entries(subagents).filter((e) => !e.isDir && e.name.endsWith('.jsonl')).map((e) => e.path));
    }
    return files.sort();
  },

  parse(lines, file, _state, warn) {
    const responses: ResponseUsage[] = [];
    for (const { value, offset } of jsonLines(lines, file, warn)) {
      if (value.type !== 'assistant') continue;
      const message = value.message as Record<string, unknown> | undefined;
      const usage = message?.usage as Record<string, unknown> | undefined;
      if (!message || !usage) continue;
      const model = typeof message.model === 'string' ? message.model : '';
      // Claude Code's own notices (API errors, interruptions) are recorded as `<synthetic>` messages.
      if (model === '<synthetic>') continue;
      if (!model) {
        warn('skipped a Claude Code response without a model', { file, offset });
        continue;
      }
      const messageId = typeof message.id === 'string' ? message.id : `@${offset}`;
      const requestId = typeof value.requestId === 'string' ? value.requestId : '';
      responses.push({
        key: `${messageId}:${requestId}`,
        model,
        inputTokens: count(usage.input_tokens),
        outputTokens: count(usage.output_tokens),
        cacheReadTokens: count(usage.cache_read_input_tokens),
        cacheWriteTokens: count(usage.cache_creation_input_tokens),
        at: timestamp(value.timestamp, Date.now()),
      });
    }
    return { responses, state: null };
  },
};
