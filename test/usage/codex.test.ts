import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesUnder } from '../../src/usage/readers/files.js';
import { startFakeOpenAiApi, type FakeOpenAiApi, type FakeUsage } from '../fakes/openai-api.js';
import { TestEnv } from '../helpers/env.js';
import { ccusage, restartDuringTurn, sum, tokensOf, turn, usageJson } from './e2e.js';
import { useFakeCodex } from '../e2e/shared.js';

/**
 * Real Codex against the fake Responses API, each response with its own usage figures: the
 * conductor's figures equal what the fake reported and what ccusage reads from the same
 * rollout, and a daemon restart in the middle of a turn neither loses nor double-counts.
 */

const FIGURES: FakeUsage[] = [
  { input: 201, cached: 50, output: 21, reasoning: 5 },
  { input: 202, cached: 60, output: 22 },
  { input: 203, cached: 70, output: 23 },
  { input: 204, cached: 80, output: 24 },
];
/** Codex's input includes the cached part; the conductor reports it as cache reads apart. */
const counts = (u: FakeUsage) => ({ inputTokens: u.input! - u.cached!, outputTokens: u.output!, cacheReadTokens: u.cached!, cacheWriteTokens: 0 });
const LATE_ANSWER = 'Answer written while no daemon ran.';

describe('Codex usage (real CLI, fake model API)', () => {
  const env = new TestEnv();
  const workdir = join(env.home, 'project');
  let api: FakeOpenAiApi;
  let id = '';
  const codexHome = () => join(env.home, 'run', id, 'codex-home');
  const rollout = () => filesUnder(join(codexHome(), 'sessions'), (name) => name.endsWith('.jsonl'))[0];

  beforeAll(async () => {
    mkdirSync(workdir, { recursive: true });
    writeFileSync(join(workdir, 'notes.txt'), 'hello notes\n');
    api = await startFakeOpenAiApi({
      turns: [
        { kind: 'text', chunks: ['First ', 'answer, ', 'streamed.'], delayMs: 20, usage: FIGURES[0] },
        { kind: 'shell', command: 'cat notes.txt', usage: FIGURES[1] },
        { kind: 'text', chunks: ['The notes say hello.'], usage: FIGURES[2] },
        { kind: 'text', chunks: ['Answer written ', 'while no daemon ran.'], delayMs: 1500, usage: FIGURES[3] },
      ],
    });
    useFakeCodex(env, api.url);
  });
  afterAll(async () => {
    await env.cleanup();
    await api?.close();
  });

  it('counts each response once, from the growth of the running total', async () => {
    id = (await env.launch(['--provider', 'codex', '--cwd', workdir])).id;
    expect(await turn(env, id, 'Say something')).toBe('completed');
    expect(await turn(env, id, 'Read notes.txt')).toBe('completed');
    const report = await usageJson(env, [id]);
    expect(tokensOf(report.terminals[0])).toEqual(sum(FIGURES.slice(0, 3).map(counts)));
    expect(report.terminals[0].models[0].responses).toBe(3);
  }, 120_000);

  it('survives a daemon restart in the middle of a turn: nothing lost, nothing counted twice', async () => {
    await restartDuringTurn(env, id, 'One more', rollout, LATE_ANSWER);
    const report = await usageJson(env);
    expect(tokensOf(report.terminals[0])).toEqual(sum(FIGURES.map(counts)));
    expect(tokensOf(report.totals)).toEqual(sum(FIGURES.map(counts)));
  }, 90_000);

  it('equals what ccusage reads from the same rollout', async () => {
    const ours = (await usageJson(env, [id])).terminals[0];
    const theirs = await ccusage('codex', codexHome());
    expect({ input: ours.inputTokens, output: ours.outputTokens, cacheRead: ours.cacheReadTokens, cacheWrite: ours.cacheWriteTokens }).toEqual({
      input: theirs.inputTokens,
      output: theirs.outputTokens,
      cacheRead: theirs.cacheReadTokens,
      cacheWrite: theirs.cacheCreationTokens,
    });
  }, 60_000);

  it('shows a model without a price as tokens and "no price", never a made-up cost', async () => {
    const report = await usageJson(env, [id]);
    const t = report.terminals[0];
    expect(t.model).toBeTruthy();
    expect(t.priced).toBe(false);
    expect(t.costUsd).toBeNull();
    expect(await env.cliOk(['usage', id])).toMatch(/no price/);
    const log = await import('node:fs').then((fs) => fs.readFileSync(env.layout.daemonLog, 'utf8'));
    expect(log).toContain('a model without a price');
  }, 30_000);
});
