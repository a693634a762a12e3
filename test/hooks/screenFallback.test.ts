import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvents, type EventStream } from '../../src/cli/events.js';
import type { TerminalRecord } from '../../src/terminal/schema.js';
import { statusesUntil } from '../e2e/shared.js';
import { TestEnv } from '../helpers/env.js';

/**
 * The hardened screen path, with the fake agent (no hooks): what used to give a false
 * `completed` — a silent pause mid-answer, a message delivered mid-turn, a reworded spinner.
 */
describe('status from the screen alone', () => {
  const env = new TestEnv();
  let script = '';

  beforeAll(async () => {
    script = join(env.home, 'script.json');
    writeFileSync(
      script,
      JSON.stringify([
        { match: '^pause', answer: 'first half of the answer, then the rest after five silent seconds', chunkSize: 6, chunkMs: 20, pauseAt: 24, pauseMs: 5000 },
        { match: '^first', answer: 'the first answer, slowly', thinkMs: 3000, chunkSize: 4, chunkMs: 40 },
        { match: '^long', answer: 'a long answer drawn under a spinner no pattern knows', thinkMs: 1500, chunkSize: 4, chunkMs: 40 },
      ]),
    );
    await env.client();
  });
  afterAll(() => env.cleanup());

  const statusEvents = async (id: string): Promise<EventStream> => openEvents(await env.client(), { terminal: id, types: 'terminal.status' });
  const launch = (extra: Record<string, string> = {}): Promise<TerminalRecord> => env.launchFakeAgent({ FAKE_AGENT_SCRIPT: script, ...extra });

  it('never reports completed during a five-second silent pause mid-answer', async () => {
    const t = await launch();
    const stream = await statusEvents(t.id);
    const sent = Date.now();
    try {
      await env.cliOk(['send', t.id, 'pause please']);
      const seen = await statusesUntil(stream, (s) => s === 'completed' || s === 'error', 20_000);
      expect(seen.at(-1)!.status).toBe('completed');
      expect(seen.at(-1)!.at - sent).toBeGreaterThanOrEqual(5000);
    } finally {
      stream.close();
    }
    expect(await env.cliOk(['output', t.id, '--last'])).toBe('first half of the answer, then the rest after five silent seconds');
  }, 30_000);

  it('does not let the end of a turn complete a message delivered during it', async () => {
    // The idle prompt shows for a second between the two turns: long enough to be judged idle twice.
    const t = await launch({ FAKE_AGENT_QUEUE: '1', FAKE_AGENT_QUEUE_DELAY_MS: '1000' });
    const stream = await statusEvents(t.id);
    try {
      await env.cliOk(['send', t.id, 'first question']);
      await statusesUntil(stream, (s) => s === 'busy', 5_000);
      // Delivered while the first turn runs: the agent queues it and answers it next.
      await env.cliOk(['send', t.id, 'second question']);
      const seen = await statusesUntil(stream, (s) => s === 'completed' || s === 'error', 30_000);
      expect(seen.at(-1)!.status).toBe('completed');
    } finally {
      stream.close();
    }
    // The first `completed` already has the second turn's answer: the first turn's end did not close it.
    expect(await env.cliOk(['output', t.id, '--last'])).toBe('Echo: second question');
  }, 40_000);

  it('keeps a turn drawn with a reworded spinner busy, and completes it at the idle prompt', async () => {
    const t = await launch({ FAKE_AGENT_SPINNER: 'reworded' });
    const stream = await statusEvents(t.id);
    try {
      await env.cliOk(['send', t.id, 'long answer please']);
      const seen = await statusesUntil(stream, (s) => s === 'completed' || s === 'idle' || s === 'error', 20_000);
      expect(seen.map((s) => s.status)).toEqual(['busy', 'completed']);
    } finally {
      stream.close();
    }
    expect(await env.cliOk(['output', t.id, '--last'])).toBe('a long answer drawn under a spinner no pattern knows');
  }, 30_000);
});
