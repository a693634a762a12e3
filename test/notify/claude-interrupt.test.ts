import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvents } from '../../src/cli/events.js';
import { terminalRawLogPath } from '../../src/config/paths.js';
import { startFakeAnthropicApi, type FakeAnthropicApi } from '../fakes/anthropic-api.js';
import { statusesUntil, useFakeClaude } from '../e2e/shared.js';
import { TestEnv } from '../helpers/env.js';
import { waitForFile } from '../helpers/wait.js';

/** Long enough that it is surely still streaming when the interrupt comes: 200 chunks, 150 ms apart. */
const WORDS = Array.from({ length: 200 }, (_, i) => `word${i}`);
const LAST_WORD = WORDS.at(-1)!;

describe('interrupting real Claude Code mid-answer (fake model API)', () => {
  const env = new TestEnv();
  const workdir = join(env.home, 'project');
  let api: FakeAnthropicApi;

  beforeAll(async () => {
    api = await startFakeAnthropicApi({
      turns: [
        { kind: 'text', text: WORDS.join(' '), chunkSize: 'word0 '.length + 1, delayMs: 150 },
        { kind: 'text', text: 'Fresh answer after the interrupt.' },
      ],
    });
    mkdirSync(workdir, { recursive: true });
    useFakeClaude(env, api.url);
  });
  afterAll(async () => {
    await env.cleanup();
    await api?.close();
  });

  it('stops the streaming answer with Escape, confirms it, and takes the next prompt', async () => {
    const t = await env.launch(['--provider', 'claude_code', '--cwd', workdir]);
    expect(t.status).toBe('idle');
    const stream = await openEvents(await env.client(), { terminal: t.id, types: 'terminal.status' });
    try {
      await env.cliOk(['send', t.id, 'Tell me a very long story']);
      // Busy, and the streamed answer has begun to show.
      await statusesUntil(stream, (s) => s === 'busy', 30_000);
      const raw = terminalRawLogPath(env.layout, t.id);
      await waitForFile(raw, () => readFileSync(raw, 'utf8').includes('word3'), 30_000);
      expect(api.turnRequests()).toHaveLength(1);
      const report = JSON.parse(await env.cliOk(['interrupt', t.id, '--json']));
      expect(report).toMatchObject({ terminalId: t.id, keys: ['Escape'], before: 'busy' });
      expect(report.status).not.toBe('busy');
    } finally {
      stream.close();
    }
    // The answer was cut: its end never reached the screen, and the stream was still going.
    const screen = await env.cliOk(['output', t.id, '--screen']);
    expect(screen).toMatch(/Interrupted/);
    expect(screen).not.toContain(LAST_WORD);
    expect(api.turnRequests()[0].endedAt).toBeUndefined();

    await env.cliOk(['send', t.id, 'Something else']);
    await env.waitForStatus(t.id, ['completed'], 30_000);
    expect(await env.cliOk(['output', t.id, '--last'])).toContain('Fresh answer after the interrupt.');
  }, 120_000);
});
