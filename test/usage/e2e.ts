import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect } from 'vitest';
import { openEvents } from '../../src/cli/events.js';
import type { TerminalStatus } from '../../src/terminal/schema.js';
import type { TokenCounts, UsageReport } from '../../src/usage/schema.js';
import { statusesUntil } from '../e2e/shared.js';
import { repoRoot, type TestEnv } from '../helpers/env.js';
import { waitForFile } from '../helpers/wait.js';

/** What the real-CLI usage tests share. */

export const ccusageBin = join(repoRoot, 'node_modules', '.bin', 'ccusage');

/** Sends a prompt and waits until the turn has ended. */
export async function turn(env: TestEnv, id: string, prompt: string, done: (s: TerminalStatus) => boolean = (s) => s === 'completed' || s === 'error'): Promise<TerminalStatus> {
  const stream = await openEvents(await env.client(), { terminal: id, types: 'terminal.status' });
  try {
    await env.cliOk(['send', id, prompt]);
    return (await statusesUntil(stream, done, 45_000)).at(-1)!.status;
  } finally {
    stream.close();
  }
}

export async function usageJson(env: TestEnv, args: string[] = []): Promise<UsageReport> {
  return JSON.parse(await env.cliOk(['usage', '--json', ...args])) as UsageReport;
}

export function sum(figures: TokenCounts[]): TokenCounts {
  return figures.reduce(
    (a, b) => ({
      inputTokens: a.inputTokens + b.inputTokens,
      outputTokens: a.outputTokens + b.outputTokens,
      cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
      cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    }),
    { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
  );
}

export function tokensOf(u: { inputTokens: number | null; outputTokens: number | null; cacheReadTokens: number | null; cacheWriteTokens: number | null }) {
  return { inputTokens: u.inputTokens, outputTokens: u.outputTokens, cacheReadTokens: u.cacheReadTokens, cacheWriteTokens: u.cacheWriteTokens };
}

/**
 * A restart mid-session: the daemon stops while the agent is busy with a slow answer, the agent
 * writes that answer's record while no daemon runs, and a new daemon starts.
 */
export async function restartDuringTurn(env: TestEnv, id: string, prompt: string, recordFile: () => string, answer: string): Promise<void> {
  await env.cliOk(['send', id, prompt]);
  await env.stopDaemon();
  await waitForFile(recordFile(), () => readFileSync(recordFile(), 'utf8').includes(answer), 30_000, 'the answer written to the agent\'s record');
  await env.cliOk(['daemon', 'start']);
  await env.waitForStatus(id, ['completed', 'idle'], 30_000);
}

/** ccusage's figures for the records in `home` (CLAUDE_CONFIG_DIR or CODEX_HOME). */
export async function ccusage(kind: 'claude' | 'codex', home: string): Promise<Record<string, number>> {
  const env = kind === 'claude' ? { CLAUDE_CONFIG_DIR: home } : { CODEX_HOME: home };
  const r = await execa(ccusageBin, [kind, 'session', '--json', '--offline'], { env: { ...process.env, ...env }, timeout: 60_000 });
  return (JSON.parse(r.stdout) as { totals: Record<string, number> }).totals;
}

export function expectKnown(u: { inputTokens: number | null }): void {
  expect(u.inputTokens, 'figures are known for this agent').not.toBeNull();
}
