import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PriceTable } from '../../src/usage/prices.js';
import { readNewLines } from '../../src/usage/readers/lines.js';
import { ccusage } from './e2e.js';
import { fixture, terminal, usageWorld } from './helpers.js';

/**
 * The readers on records the real CLIs wrote (test/usage/fixtures), whole, in pieces, spoiled
 * and repeated. Expected figures are what the fake APIs sent (see fixtures/README.md).
 */

type World = Awaited<ReturnType<typeof usageWorld>>;
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const SESSION = '920799af-f82b-40a7-88db-1d3983141fb9';
const CLAUDE = { inputTokens: 306, outputTokens: 66, cacheReadTokens: 3006, cacheWriteTokens: 1506 };
const CODEX = { inputTokens: 426, outputTokens: 66, cacheReadTokens: 180, cacheWriteTokens: 0 };
const GEMINI = { inputTokens: 825, outputTokens: 99, cacheReadTokens: 81, cacheWriteTokens: 0 };

async function setUp(provider: 'claude_code' | 'codex' | 'gemini_cli', prices?: PriceTable) {
  world = await usageWorld(prices);
  const dir = join(world.home, provider);
  const file = {
    claude_code: join(dir, 'projects', '-home-dev-project', `${SESSION}.jsonl`),
    codex: join(dir, 'sessions', '2026', '12', '01', 'rollout-2026-12-01T11-33-07-01a23161-427a-7611-92be-cd9df14d2700.jsonl'),
    gemini_cli: join(dir, '.gemini', 'tmp', 'project', 'chats', 'session-2026-12-01T11-33-1216d5c2.jsonl'),
  }[provider];
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, '');
  const tracker = world.tracker();
  await tracker.track(terminal('t0000001', provider), { format: provider, dir, sessionId: SESSION }, undefined);
  const w = world;
  return {
    dir,
    file,
    tracker,
    figures: async () => (await w.reporter.figures(['t0000001'])).get('t0000001')!,
    tokens: async () => {
      const f = (await w.reporter.figures(['t0000001'])).get('t0000001')!;
      return { inputTokens: f.inputTokens, outputTokens: f.outputTokens, cacheReadTokens: f.cacheReadTokens, cacheWriteTokens: f.cacheWriteTokens };
    },
  };
}

const lines = (text: string) => text.split('\n').filter(Boolean);

describe('incremental line reading', () => {
  it('returns only complete lines, each once, and waits for a partial one', async () => {
    world = await usageWorld();
    const file = join(world.home, 'records.jsonl');
    writeFileSync(file, '{"a":1}\n{"b":');
    const first = readNewLines(file, 0);
    expect(first.lines.map((l) => l.text)).toEqual(['{"a":1}']);
    expect(first.nextOffset).toBe(8);
    expect(readNewLines(file, first.nextOffset).lines).toEqual([]);
    appendFileSync(file, '2}\n');
    const second = readNewLines(file, first.nextOffset);
    expect(second.lines).toEqual([{ text: '{"b":2}', offset: 8 }]);
    expect(readNewLines(file, second.nextOffset)).toEqual({ lines: [], nextOffset: 16, restarted: false });
  });

  it('starts again from the beginning when the file shrank', async () => {
    world = await usageWorld();
    const file = join(world.home, 'records.jsonl');
    writeFileSync(file, '{"a":1}\n');
    expect(readNewLines(file, 100)).toMatchObject({ restarted: true, nextOffset: 8 });
  });
});

describe('Claude Code transcript (2.1.197)', () => {
  it('counts each response once; a response written as two lines counts once', async () => {
    const t = await setUp('claude_code');
    writeFileSync(t.file, fixture('claude_code-2.1.197/transcript.jsonl'));
    await t.tracker.refresh('t0000001');
    expect(await t.tokens()).toEqual(CLAUDE);
    expect((await t.figures()).models).toMatchObject([{ model: 'claude-opus-4-8', responses: 3 }]);
  });

  it('equals what ccusage reads from the same file', async () => {
    const t = await setUp('claude_code');
    writeFileSync(t.file, fixture('claude_code-2.1.197/transcript.jsonl'));
    await t.tracker.refresh('t0000001');
    const theirs = await ccusage('claude', t.dir);
    expect(await t.tokens()).toEqual({
      inputTokens: theirs.inputTokens,
      outputTokens: theirs.outputTokens,
      cacheReadTokens: theirs.cacheReadTokens,
      cacheWriteTokens: theirs.cacheCreationTokens,
    });
  }, 30_000);

  it('reads a file that grows in arbitrary pieces, cut mid-line, to the same figures', async () => {
    const t = await setUp('claude_code');
    const text = fixture('claude_code-2.1.197/transcript.jsonl');
    for (let at = 0; at < text.length; at += 997) {
      appendFileSync(t.file, text.slice(at, at + 997));
      await t.tracker.refresh('t0000001');
    }
    expect(await t.tokens()).toEqual(CLAUDE);
    expect((await world!.store.progress('t0000001', t.file))!.offset).toBe(Buffer.byteLength(text));
  });

  it('takes the final usage of a response streamed as lines that grow, in whatever order they come', async () => {
    const t = await setUp('claude_code');
    const base = JSON.parse(lines(fixture('claude_code-2.1.197/transcript.jsonl')).find((l) => l.includes('"type":"assistant"'))!);
    const variant = (messageId: string, output: number) =>
      JSON.stringify({ ...base, requestId: `req_${messageId}`, message: { ...base.message, id: messageId, usage: { ...base.message.usage, output_tokens: output } } });
    writeFileSync(t.file, [variant('m1', 1), variant('m1', 20), variant('m1', 50), variant('m2', 70), variant('m2', 7)].join('\n') + '\n');
    await t.tracker.refresh('t0000001');
    const ours = await t.tokens();
    expect(ours.outputTokens).toBe(120);
    expect(ours.inputTokens).toBe(2 * base.message.usage.input_tokens);
    const theirs = await ccusage('claude', t.dir);
    expect(ours.outputTokens).toBe(theirs.outputTokens);
    expect(ours.inputTokens).toBe(theirs.inputTokens);
  }, 30_000);

  it('skips a corrupt line with a warning; the other figures stay right', async () => {
    const t = await setUp('claude_code');
    const all = lines(fixture('claude_code-2.1.197/transcript.jsonl'));
    writeFileSync(t.file, [...all.slice(0, 5), '{"type":"assistant","message":{"id":"broken', 'not json at all', ...all.slice(5)].join('\n') + '\n');
    await t.tracker.refresh('t0000001');
    expect(await t.tokens()).toEqual(CLAUDE);
    expect(world!.log()).toContain('skipped a corrupt or truncated usage record line');
  });

  it('counts a line cut short only once it is complete', async () => {
    const t = await setUp('claude_code');
    const text = fixture('claude_code-2.1.197/transcript.jsonl');
    const lastAssistant = text.lastIndexOf('{"parentUuid"', text.lastIndexOf('"type":"assistant"'));
    writeFileSync(t.file, text.slice(0, lastAssistant + 200));
    await t.tracker.refresh('t0000001');
    expect((await t.tokens()).inputTokens).toBe(101 + 102);
    appendFileSync(t.file, text.slice(lastAssistant + 200));
    await t.tracker.refresh('t0000001');
    expect(await t.tokens()).toEqual(CLAUDE);
  });

  it('keeps the figures of a transcript that vanished, and says so in the log', async () => {
    const t = await setUp('claude_code');
    writeFileSync(t.file, fixture('claude_code-2.1.197/transcript.jsonl'));
    await t.tracker.refresh('t0000001');
    rmSync(t.file);
    await t.tracker.refresh('t0000001');
    expect(await t.tokens()).toEqual(CLAUDE);
    expect(world!.log()).toContain('a usage record file vanished');
  });

  it('shows a model without a price as tokens and no cost, and warns once', async () => {
    const t = await setUp('claude_code');
    writeFileSync(t.file, fixture('claude_code-2.1.197/transcript.jsonl'));
    await t.tracker.refresh('t0000001');
    const f = await t.figures();
    expect(f).toMatchObject({ ...CLAUDE, priced: false, costUsd: null, model: 'claude-opus-4-8' });
    expect(world!.log().match(/a model without a price/g)).toHaveLength(1);
  });

  it('prices a model from the table: per million tokens, each kind at its own price', async () => {
    const prices = new PriceTable({ 'claude-opus-4-8': { input: 10, output: 50, cacheRead: 1, cacheWrite: 12.5 } });
    const t = await setUp('claude_code', prices);
    writeFileSync(t.file, fixture('claude_code-2.1.197/transcript.jsonl'));
    await t.tracker.refresh('t0000001');
    const f = await t.figures();
    expect(f.priced).toBe(true);
    expect(f.costUsd).toBeCloseTo((306 * 10 + 66 * 50 + 3006 * 1 + 1506 * 12.5) / 1e6, 12);
  });

  it('a new tracker on the same database (a daemon restart) goes on where the last one stopped', async () => {
    const t = await setUp('claude_code');
    const text = fixture('claude_code-2.1.197/transcript.jsonl');
    const half = text.indexOf('\n', text.length / 2) + 1;
    writeFileSync(t.file, text.slice(0, half));
    await t.tracker.refresh('t0000001');
    appendFileSync(t.file, text.slice(half));
    const restarted = world!.tracker();
    await restarted.refresh('t0000001');
    await restarted.refresh('t0000001');
    expect(await t.tokens()).toEqual(CLAUDE);
  });
});

describe('terminals that stopped', () => {
  it('are read to the end once, then never again, not even by a new daemon', async () => {
    const t = await setUp('claude_code');
    writeFileSync(t.file, fixture('claude_code-2.1.197/transcript.jsonl'));
    await world!.tracker(undefined, () => false).refresh('t0000001');
    expect((await world!.store.source('t0000001'))!.finished_at).not.toBeNull();
    rmSync(t.file);
    const restarted = world!.tracker(undefined, () => false);
    await restarted.start();
    await restarted.stop();
    expect(await t.tokens()).toEqual(CLAUDE);
    expect(world!.log()).not.toContain('vanished');
  });
});

describe('Codex rollout (0.169.0)', () => {
  it('counts each token_count event once, as ccusage does', async () => {
    const t = await setUp('codex');
    writeFileSync(t.file, fixture('codex-0.169.0/rollout.jsonl'));
    await t.tracker.refresh('t0000001');
    expect(await t.tokens()).toEqual(CODEX);
    expect((await t.figures()).models).toMatchObject([{ model: 'gpt-6.1-sol', responses: 3 }]);
    const theirs = await ccusage('codex', t.dir);
    expect(await t.tokens()).toEqual({
      inputTokens: theirs.inputTokens,
      outputTokens: theirs.outputTokens,
      cacheReadTokens: theirs.cacheReadTokens,
      cacheWriteTokens: theirs.cacheCreationTokens,
    });
  }, 30_000);

  it('adds nothing for a repeated token_count event (same running total)', async () => {
    const t = await setUp('codex');
    const text = fixture('codex-0.169.0/rollout.jsonl');
    const repeated = lines(text).filter((l) => l.includes('"token_count"')).at(-1)!;
    writeFileSync(t.file, text + repeated + '\n');
    await t.tracker.refresh('t0000001');
    expect(await t.tokens()).toEqual(CODEX);
    const theirs = await ccusage('codex', t.dir);
    expect((await t.tokens()).inputTokens).toBe(theirs.inputTokens);
  }, 30_000);

  it('carries the running total across reads, so a rollout read in pieces gives the same figures', async () => {
    const t = await setUp('codex');
    for (const line of lines(fixture('codex-0.169.0/rollout.jsonl'))) {
      appendFileSync(t.file, line + '\n');
      await world!.tracker().refresh('t0000001');
    }
    expect(await t.tokens()).toEqual(CODEX);
  });
});

describe('Gemini CLI chat records (0.61.0)', () => {
  it('counts each model message once: cached input apart, thoughts as output', async () => {
    const t = await setUp('gemini_cli');
    writeFileSync(t.file, fixture('gemini_cli-0.61.0/chat.jsonl'));
    await t.tracker.refresh('t0000001');
    expect(await t.tokens()).toEqual(GEMINI);
    expect((await t.figures()).models).toMatchObject([{ model: 'gemini-3.8-flash', responses: 3 }]);
  });

  it('counts a message written again (same id) once', async () => {
    const t = await setUp('gemini_cli');
    const text = fixture('gemini_cli-0.61.0/chat.jsonl');
    const message = lines(text).find((l) => l.includes('"type":"gemini"'))!;
    writeFileSync(t.file, text + message + '\n' + JSON.stringify({ $set: { messages: [JSON.parse(message)] } }) + '\n');
    await t.tracker.refresh('t0000001');
    expect(await t.tokens()).toEqual(GEMINI);
  });
});
