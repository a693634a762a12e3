import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvents } from '../../src/cli/events.js';
import { derivedModelName } from '../../providers/ollama.js';
import { fixtures, TestEnv } from '../helpers/env.js';

/**
 * The `ollama` provider end to end, over real tmux and the real daemon, with the stand-in
 * (test/fixtures/fake-ollama.mjs) on PATH as `ollama`: no real Ollama is involved.
 */

const LONG_LINE =
  'This answer is one long line, longer than the two hundred columns of the pane, so that the stand-in wraps it the way ' +
  'ollama run does, moving the word that would pass column 195 to the next line, and the provider has to join it again.';
const ANSWER = `${LONG_LINE}\n\nA second paragraph:\n- one\n- two`;

interface Recorded {
  model: string;
  system: string;
  messages: Array<{ role: string; content: string }>;
}

describe('ollama provider with the stand-in', () => {
  const env = new TestEnv();
  const record = join(env.home, 'ollama-requests.jsonl');
  const recorded = (): Recorded[] => {
    try {
      return readFileSync(record, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Recorded);
    } catch {
      return [];
    }
  };

  beforeAll(() => {
    const bin = join(env.home, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'ollama'), `#!/bin/sh\nexec node ${JSON.stringify(join(fixtures, 'fake-ollama.mjs'))} "$@"\n`);
    chmodSync(join(bin, 'ollama'), 0o755);
    const script = join(env.home, 'ollama-script.json');
    writeFileSync(script, JSON.stringify([{ match: '^Explain', answer: ANSWER, chunkMs: 15, chunkSize: 12 }, { match: '^Who', answer: 'My instructions: {{system}}' }]));
    Object.assign(env.env, {
      PATH: `${bin}:${process.env.PATH}`,
      FAKE_OLLAMA_SCRIPT: script,
      FAKE_OLLAMA_RECORD: record,
      FAKE_OLLAMA_HOME: join(env.home, 'fake-ollama'),
      FAKE_OLLAMA_MODELS: 'llama3.2,qwen2.5-coder:7b',
    });
    mkdirSync(join(env.home, 'profiles'), { recursive: true });
    writeFileSync(
      join(env.home, 'profiles', 'terse.md'),
      '---\nname: terse\ndescription: a terse local model\nprovider: ollama\nmodel: qwen2.5-coder:7b\n---\nYou answer in one line.\n',
    );
  });
  afterAll(() => env.cleanup());

  it('goes busy then completed, and `output --last` is the answer exactly', async () => {
    const t = await env.launch(['--provider', 'ollama']);
    expect(t.provider).toBe('ollama');
    expect(t.status).toBe('idle');
    const stream = await openEvents(await env.client(), { terminal: t.id, types: 'terminal.status' });
    await env.cliOk(['send', t.id, 'Explain word wrap, please.']);
    const seen: string[] = [];
    for (;;) {
      const e = await stream.next();
      seen.push(String(e?.data.status));
      if (e?.data.status === 'completed' || e?.data.status === 'error') break;
    }
    stream.close();
    expect(seen[0]).toBe('busy');
    expect(seen[seen.length - 1]).toBe('completed');
    const screen = await env.cliOk(['output', t.id, '--screen']);
    expect(screen.split('\n').some((l) => l.length > 150 && LONG_LINE.startsWith(l))).toBe(true); // wrapped on screen
    expect(await env.cliOk(['output', t.id, '--last'])).toBe(ANSWER);
    expect(recorded()[0]).toMatchObject({ model: 'llama3.2', system: '', messages: [{ role: 'user', content: 'Explain word wrap, please.' }] });
  }, 60_000);

  it('gives a profile’s system prompt to the model through a derived model', async () => {
    const t = await env.launch(['--profile', 'terse']);
    await env.cliOk(['send', t.id, 'Who are you?']);
    const done = await env.waitForStatus(t.id, ['completed', 'error']);
    expect(done.status).toBe('completed');
    expect(await env.cliOk(['output', t.id, '--last'])).toBe('My instructions: You answer in one line.');
    const last = recorded().pop()!;
    expect(last.model).toBe(derivedModelName('terse', 'qwen2.5-coder:7b', 'You answer in one line.'));
    expect(last.system).toBe('You answer in one line.');
  }, 60_000);

  it('leaves with /bye on shutdown', async () => {
    const t = await env.launch(['--provider', 'ollama']);
    await env.cliOk(['shutdown', t.id]);
    const gone = await env.waitForStatus(t.id, ['exited']);
    expect(gone.status).toBe('exited');
    expect(gone.exitCode).toBe(0); // `/bye` ended it; a signal would not give 0
  }, 60_000);
});
