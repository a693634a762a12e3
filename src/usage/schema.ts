import { z } from 'zod';
import { terminalIdSchema } from '../terminal/schema.js';

/** Token counts of one response, or summed. Input excludes cached input, as every vendor bills it. */
export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** One model response as an agent recorded it, keyed so that re-reading it changes nothing. */
export interface ResponseUsage extends TokenCounts {
  key: string;
  model: string;
  /** When the agent recorded it (ms since the epoch). */
  at: number;
}

/** Per-model figures: tokens, and their cost when the model has a price. */
export interface ModelUsage extends TokenCounts {
  model: string;
  responses: number;
  costUsd: number | null;
  priced: boolean;
}

/**
 * What `conductor usage --json`, `conductor ls` and the API's terminal record show. Token fields
 * are null when the conductor cannot know them (a provider without records): unknown, never 0.
 * `costUsd` is null unless every token is priced.
 */
export interface UsageFigures {
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  costUsd: number | null;
  /** The model of the latest response (see `models` when there were several). */
  model: string | null;
  priced: boolean;
  models: ModelUsage[];
}

export interface TerminalUsage extends UsageFigures {
  terminalId: string;
  sessionId: string;
  sessionName: string;
  provider: string;
  profile: string | null;
  callerTerminalId: string | null;
  /** The terminal and every worker it started, directly or through its workers. */
  tree: UsageFigures & { terminals: string[] };
}

export interface UsageReport {
  terminals: TerminalUsage[];
  /** Sum over the listed terminals' own figures; terminals with unknown usage are counted apart. */
  totals: UsageFigures & { unknownTerminals: number };
  since: string | null;
}

export const usageQuerySchema = z.object({
  terminal: terminalIdSchema.optional(),
  /** A session's name or id. */
  session: z.string().min(1).max(64).optional(),
  since: z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)), 'since must be a date such as 2026-01-31 or 2026-01-31T09:00:00Z')
    .optional(),
});
export type UsageQuery = z.infer<typeof usageQuerySchema>;

export const ZERO: TokenCounts = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };

export function addCounts(a: TokenCounts, b: TokenCounts): TokenCounts {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
  };
}
