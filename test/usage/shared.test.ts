import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, terminal, usageWorld } from './helpers.js';

/**
 * In the user's own home (~/.codex, ~/.gemini) many sessions write side by side: a record file
 * belongs to the terminal launched last, before it started, in the same working directory.
 */

type World = Awaited<ReturnType<typeof usageWorld>>;
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const CODEX = { inputTokens: 426, outputTokens: 66, cacheReadTokens: 180, cacheWriteTokens: 0 };
const GEMINI = { inputTokens: 825, outputTokens: 99, cacheReadTokens: 81, cacheWriteTokens: 0 };
const T = Date.now() - 120_000;

/** Terminal a (project) at T, b (project) a minute later, c (other) at T. */
async function launches(format: 'codex' | 'gemini_cli', dir: string) {
  const w = world!;
  const at = (ms: number) => w.tracker(undefined, () => true, () => ms);
  const records = { format, dir, shared: true };
  await at(T).track(terminal('a0000001', format, null, '/home/dev/project'), records, undefined);
  await at(T + 60_000).track(terminal('b0000002', format, null, '/home/dev/project'), records, undefined);
  await at(T).track(terminal('c0000003', format, null, '/home/dev/other'), records, undefined);
  const tracker = w.tracker();
  for (const id of ['a0000001', 'b0000002', 'c0000003']) await tracker.refresh(id);
  const figures = await w.reporter.figures(['a0000001', 'b0000002', 'c0000003']);
  const tokens = (id: string) => {
    const f = figures.get(id)!;
    return { inputTokens: f.inputTokens, outputTokens: f.outputTokens, cacheReadTokens: f.cacheReadTokens, cacheWriteTokens: f.cacheWriteTokens };
  };
  return { tokens, responses: (id: string) => figures.get(id)!.models.reduce((n, m) => n + m.responses, 0) };
}

describe('records in a shared home', () => {
  it('Codex: each rollout goes to the terminal that started it, none to two, others to nobody', async () => {
    world = await usageWorld();
    const dir = join(world.home, 'codex');
    const rollout = fixture('codex-0.169.0/rollout.jsonl').split('\n');
    const write = (name: string, cwd: string, startedAt: number) => {
      const meta = JSON.parse(rollout[0]);
      meta.payload.cwd = cwd;
      meta.payload.timestamp = new Date(startedAt).toISOString();
      const day = new Date(startedAt).toISOString().slice(0, 10).replace(/-/g, '/');
      mkdirSync(join(dir, 'sessions', day), { recursive: true });
      writeFileSync(join(dir, 'sessions', day, `rollout-${name}.jsonl`), [JSON.stringify(meta), ...rollout.slice(1)].join('\n'));
    };
    write('a', '/home/dev/project', T + 1_000);
    write('b', '/home/dev/project', T + 61_000);
    write('c', '/home/dev/other', T + 2_000);
    write('before-any-launch', '/home/dev/project', T - 3_600_000);
    write('elsewhere', '/home/dev/third', T + 1_000);
    const { tokens, responses } = await launches('codex', dir);
    expect(tokens('a0000001')).toEqual(CODEX);
    expect(tokens('b0000002')).toEqual(CODEX);
    expect(tokens('c0000003')).toEqual(CODEX);
    expect([responses('a0000001'), responses('b0000002'), responses('c0000003')]).toEqual([3, 3, 3]);
  });

  it('Gemini CLI: each chat goes to the terminal that started it in that project folder', async () => {
    world = await usageWorld();
    const dir = join(world.home, 'home');
    const chat = fixture('gemini_cli-0.61.0/chat.jsonl').split('\n');
    const write = (project: string, cwd: string, name: string, startedAt: number) => {
      const head = { ...JSON.parse(chat[0]), startTime: new Date(startedAt).toISOString() };
      const folder = join(dir, '.gemini', 'tmp', project);
      mkdirSync(join(folder, 'chats'), { recursive: true });
      writeFileSync(join(folder, '.project_root'), cwd);
      writeFileSync(join(folder, 'chats', `session-${name}.jsonl`), [JSON.stringify(head), ...chat.slice(1)].join('\n'));
    };
    write('project', '/home/dev/project', 'a', T + 1_000);
    write('project', '/home/dev/project', 'b', T + 61_000);
    write('other', '/home/dev/other', 'c', T + 2_000);
    write('project', '/home/dev/project', 'old', T - 3_600_000);
    const { tokens } = await launches('gemini_cli', dir);
    expect(tokens('a0000001')).toEqual(GEMINI);
    expect(tokens('b0000002')).toEqual(GEMINI);
    expect(tokens('c0000003')).toEqual(GEMINI);
  });
});
