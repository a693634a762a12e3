import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../src/terminal/schema.js';
import { filesUnder } from '../../src/usage/readers/files.js';
import { startFakeAnthropicApi, type FakeAnthropicApi, type FakeUsage } from '../fakes/anthropic-api.js';
import { TestEnv } from '../helpers/env.js';
import { ccusage, expectKnown, restartDuringTurn, sum, tokensOf, turn, usageJson } from './e2e.js';
import { useFakeClaude } from '../e2e/shared.js';

/**
 * Real Claude Code against the fake Messages API, each response with its own usage figures:
 * the conductor's figures equal what the fake reported and what ccusage reads from the same
 * transcript, a response written as several lines counts once, and a daemon restart in the
 * middle of a turn neither loses nor double-counts.
 */

const MODEL = 'claude-sonnet-4-5';
const FIGURES: FakeUsage[] = [
  { input: 101, output: 11, cacheRead: 1001, cacheWrite: 501 },
  { input: 102, output: 22, cacheRead: 1002, cacheWrite: 502 },
  { input: 103, output: 33, cacheRead: 1003, cacheWrite: 503 },
  { input: 104, output: 44, cacheRead: 1004, cacheWrite: 504 },
];
const counts = (u: FakeUsage) => ({ inputTokens: u.input!, outputTokens: u.output!, cacheReadTokens: u.cacheRead!, cacheWriteTokens: u.cacheWrite! });
const LATE_ANSWER = 'Answer written while no daemon ran.';
/** Passed by the third response (about $0.008 by then; $0.0116 in the end). */
const BUDGET_USD = 0.005;

describe('Claude Code usage (real CLI, fake model API)', () => {
  const env = new TestEnv();
  const workdir = join(env.home, 'project');
  let api: FakeAnthropicApi;
  let id = '';
  const configDir = () => join(env.home, 'run', id, 'claude-config');
  const transcript = () => filesUnder(join(configDir(), 'projects'), (name) => name.endsWith('.jsonl'))[0];

  beforeAll(async () => {
    mkdirSync(workdir, { recursive: true });
    writeFileSync(join(workdir, 'notes.txt'), 'hello notes\n');
    api = await startFakeAnthropicApi({
      turns: [
        { kind: 'text', text: 'First answer, streamed in small pieces.', chunkSize: 5, delayMs: 20, usage: FIGURES[0] },
        // Text and a tool call in one response: Claude writes it as two transcript lines.
        { kind: 'tool_use', name: 'Read', input: { file_path: join(workdir, 'notes.txt') }, text: 'Reading it.', usage: FIGURES[1] },
        { kind: 'text', text: 'The notes say hello.', usage: FIGURES[2] },
        { kind: 'text', text: LATE_ANSWER, startDelayMs: 3000, usage: FIGURES[3] },
      ],
    });
    useFakeClaude(env, api.url);
    mkdirSync(join(env.home, 'profiles'), { recursive: true });
    writeFileSync(
      join(env.home, 'profiles', 'claude_usage.md'),
      `---\nname: claude_usage\ndescription: Claude Code on a priced model\nprovider: claude_code\nmodel: ${MODEL}\nmaxCostUsd: ${BUDGET_USD}\n---\nYou are a test agent.\n`,
    );
  });
  afterAll(async () => {
    await env.cleanup();
    await api?.close();
  });

  it('knows a new terminal has used nothing yet (0, not unknown)', async () => {
    id = (await env.launch(['--profile', 'claude_usage', '--cwd', workdir])).id;
    const report = await usageJson(env, [id]);
    expect(tokensOf(report.terminals[0])).toEqual({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });
  }, 60_000);

  it('counts a streamed response and one written as two lines once each', async () => {
    expect(await turn(env, id, 'Say something')).toBe('completed');
    expect(await turn(env, id, 'Read notes.txt')).toBe('completed');
    const report = await usageJson(env, [id]);
    expect(tokensOf(report.terminals[0])).toEqual(sum(FIGURES.slice(0, 3).map(counts)));
    expect(report.terminals[0].model).toBe(MODEL);
    expect(report.terminals[0].models[0].responses).toBe(3);
  }, 90_000);

  it('survives a daemon restart in the middle of a turn: nothing lost, nothing counted twice', async () => {
    await restartDuringTurn(env, id, 'One more', transcript, LATE_ANSWER);
    const report = await usageJson(env);
    const expected = sum(FIGURES.map(counts));
    expect(tokensOf(report.terminals[0])).toEqual(expected);
    expect(tokensOf(report.totals)).toEqual(expected);
    // Built-in price of claude-sonnet-4-5: $3 input, $15 output, $0.30 cache read, $3.75 cache write per million.
    const cost = (expected.inputTokens * 3 + expected.outputTokens * 15 + expected.cacheReadTokens * 0.3 + expected.cacheWriteTokens * 3.75) / 1e6;
    expect(report.terminals[0].priced).toBe(true);
    expect(report.terminals[0].costUsd).toBeCloseTo(cost, 10);
  }, 90_000);

  it('equals what ccusage reads from the same transcript', async () => {
    const ours = (await usageJson(env, [id])).terminals[0];
    const theirs = await ccusage('claude', configDir());
    expect({ input: ours.inputTokens, output: ours.outputTokens, cacheRead: ours.cacheReadTokens, cacheWrite: ours.cacheWriteTokens }).toEqual({
      input: theirs.inputTokens,
      output: theirs.outputTokens,
      cacheRead: theirs.cacheReadTokens,
      cacheWrite: theirs.cacheCreationTokens,
    });
  }, 60_000);

  it('asks a human once the tree passes its budget, and starts no workers for it until allowed', async () => {
    const client = await env.client();
    const { approvals } = await client.get<{ approvals: Array<{ id: string; requester: string; action: string }> }>('/approvals');
    const asked = approvals.filter((a) => a.requester === id);
    expect(asked.map((a) => a.action)).toEqual([`continue past $${BUDGET_USD.toFixed(2)}?`]);
    const refused = await client.post('/assign', { profile: 'claude_usage', message: 'Help me', caller: id }).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(refused?.message).toMatch(new RegExp(`approval ${asked[0].id} is pending`));
    await env.cliOk(['deny', asked[0].id, '--reason', 'enough for today']);
    const still = await client.post('/assign', { profile: 'claude_usage', message: 'Help me', caller: id }).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(still?.message).toMatch(/was denied/);
    expect((await env.sessions()).flatMap((s) => s.terminals)).toHaveLength(1);
  }, 30_000);

  it('shows the same figures in the terminal record and in `ls`', async () => {
    const { sessions } = JSON.parse(await env.cliOk(['ls', '--json'])) as { sessions: SessionRecord[] };
    const record = sessions.flatMap((s) => s.terminals).find((t) => t.id === id)!;
    expectKnown(record.usage!);
    expect(tokensOf(record.usage!)).toEqual(sum(FIGURES.map(counts)));
    const table = await env.cliOk(['ls']);
    expect(table).toMatch(/USAGE/);
    expect(table).toMatch(/6\.5k tok \$0\.01/);
  }, 30_000);
});
