import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesUnder } from '../../src/usage/readers/files.js';
import { startGeminiApi, type FakeGeminiApi, type FakeUsage } from '../fakes/gemini-api.js';
import { repoRoot, TestEnv } from '../helpers/env.js';
import { restartDuringTurn, sum, tokensOf, turn, usageJson } from './e2e.js';

/**
 * Real Gemini CLI against the fake Gemini API, each response with its own usage figures: the
 * conductor's figures equal what the fake reported (as Gemini CLI records them in its chat
 * records), and a daemon restart in the middle of a turn neither loses nor double-counts.
 * ccusage has no reader for Gemini CLI, so there is nothing to compare with there.
 */

const FIGURES: FakeUsage[] = [
  { prompt: 301, candidates: 31, cached: 40, thoughts: 3 },
  { prompt: 302, candidates: 32 },
  { prompt: 303, candidates: 33, cached: 41 },
  { prompt: 304, candidates: 34, cached: 42, thoughts: 4 },
];
/** Gemini's prompt count includes the cached part; thoughts are billed as output. */
const counts = (u: FakeUsage) => ({
  inputTokens: u.prompt! - (u.cached ?? 0),
  outputTokens: u.candidates! + (u.thoughts ?? 0),
  cacheReadTokens: u.cached ?? 0,
  cacheWriteTokens: 0,
});
const LATE_ANSWER = 'Answer written while no daemon ran.';

describe('Gemini CLI usage (real CLI, fake model API)', () => {
  const env = new TestEnv();
  const workdir = join(env.home, 'project');
  let api: FakeGeminiApi;
  let id = '';
  const chats = () => filesUnder(join(env.home, 'run', id, 'gemini-home', '.gemini', 'tmp'), (name) => name.endsWith('.jsonl'))[0];

  beforeAll(async () => {
    mkdirSync(workdir, { recursive: true });
    api = await startGeminiApi({
      turns: [
        { text: ['First ', 'answer, ', 'streamed.'], chunkDelayMs: 20, usage: FIGURES[0] },
        { text: 'Second answer.', usage: FIGURES[1] },
        { text: 'Third answer.', usage: FIGURES[2] },
        { text: LATE_ANSWER, firstByteDelayMs: 3000, usage: FIGURES[3] },
      ],
    });
    env.env.PATH = `${join(repoRoot, 'node_modules', '.bin')}:${process.env.PATH}`;
    env.env.GOOGLE_GEMINI_BASE_URL = api.url;
    env.env.GEMINI_API_KEY = 'dummy-gemini-key-for-tests';
  });
  afterAll(async () => {
    await env.cleanup();
    await api?.close();
  });

  it('counts each recorded response once, streamed ones included', async () => {
    id = (await env.launch(['--provider', 'gemini_cli', '--cwd', workdir])).id;
    for (const prompt of ['one', 'two', 'three']) expect(await turn(env, id, prompt)).toBe('completed');
    const report = await usageJson(env, [id]);
    expect(tokensOf(report.terminals[0])).toEqual(sum(FIGURES.slice(0, 3).map(counts)));
    expect(report.terminals[0].models[0].responses).toBe(3);
  }, 120_000);

  it('survives a daemon restart in the middle of a turn: nothing lost, nothing counted twice', async () => {
    await restartDuringTurn(env, id, 'four', chats, LATE_ANSWER);
    const session = (await usageJson(env)).terminals[0].sessionName;
    const report = await usageJson(env, ['--session', session]);
    expect(tokensOf(report.terminals[0])).toEqual(sum(FIGURES.map(counts)));
  }, 90_000);

  it('filters by date: nothing before --since counts', async () => {
    const future = new Date(Date.now() + 3600_000).toISOString();
    const report = await usageJson(env, [id, '--since', future]);
    expect(tokensOf(report.terminals[0])).toEqual({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });
  }, 30_000);
});
