import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../config/paths.js';
import { InvalidInputError } from '../errors.js';
import type { TokenCounts } from './schema.js';

const price = z.number().min(0);
const modelPrice = z.object({ input: price, output: price, cacheRead: price, cacheWrite: price }).strict();
export type ModelPrice = z.infer<typeof modelPrice>;

const priceFileSchema = z.object({ about: z.string().optional(), models: z.record(z.string().min(1), modelPrice) }).strict();

/** The price table shipped with the conductor. */
export const builtInPriceFile = join(packageRoot(), 'providers', 'prices.json');

export function userPriceFile(home: string): string {
  return join(home, 'prices.json');
}

function readPriceFile(file: string): Record<string, ModelPrice> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InvalidInputError(`price table ${file} is not valid JSON (${(err as Error).message}): fix it or remove it`);
  }
  const parsed = priceFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidInputError(
      `price table ${file}: ${issue.path.join('.') || 'top level'}: ${issue.message} (expected { "models": { "<model>": { "input", "output", "cacheRead", "cacheWrite" } } } in USD per million tokens)`,
    );
  }
  return parsed.data.models;
}

/** Prices per model: the built-in table, each model overridden by the user's file when it has one. */
export class PriceTable {
  constructor(private readonly models: Record<string, ModelPrice>) {}

  static load(home: string, builtIn = builtInPriceFile): PriceTable {
    const user = userPriceFile(home);
    return new PriceTable({ ...readPriceFile(builtIn), ...(existsSync(user) ? readPriceFile(user) : {}) });
  }

  static builtIn(file = builtInPriceFile): PriceTable {
    return new PriceTable(readPriceFile(file));
  }

  /** The model's price; a dated variant (`claude-sonnet-4-5-20250929`) takes its base model's. */
  lookup(model: string): ModelPrice | undefined {
    return this.models[model] ?? this.models[model.replace(/-\d{8}$/, '')];
  }

  /** Cost in USD, or null when the model has no price. */
  cost(model: string, tokens: TokenCounts): number | null {
    const p = this.lookup(model);
    if (!p) return null;
    const micro =
      tokens.inputTokens * p.input + tokens.outputTokens * p.output + tokens.cacheReadTokens * p.cacheRead + tokens.cacheWriteTokens * p.cacheWrite;
    return micro / 1_000_000;
  }
}
