import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestEnv } from '../helpers/env.js';
import { waitForFile } from '../helpers/wait.js';

const NASTY = [
  'single line',
  'quotes "double" and \'single\' and `backticks`',
  'semicolons; && || | > < $HOME $(whoami) ${PATH} \\ backslash \\n not a newline',
  'multi\nline\ntext\n\nwith blank line',
  'unicode: héllo wörld — 日本語 🎼 emoji ✓',
  'tmux-ish: ; send-keys C-c \\; kill-server #{pane_id}',
  '  leading and trailing spaces  ',
];

interface Recorded {
  prompt: string;
}

describe('terminals with the fake TUI agent', () => {
  const env = new TestEnv();
  const record = join(env.home, 'prompts.jsonl');
  let id = '';

  const prompts = (): string[] => {
    try {
      return readFileSync(record, 'utf8').trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as Recorded).prompt);
    } catch {
      return [];
    }
  };

  beforeAll(async () => {
    const script = join(env.home, 'script.json');
    writeFileSync(script, JSON.stringify([{ match: '^ASK:', ask: 'delete the branch?' }]));
    const t = await env.launchFakeAgent({ FAKE_AGENT_RECORD: record, FAKE_AGENT_STARTUP_MS: '300', FAKE_AGENT_SCRIPT: script });
    id = t.id;
    expect(t.status).toBe('idle');
  });
  afterAll(() => env.cleanup());

  it('delivers awkward texts verbatim and sees each answered', async () => {
    for (const text of NASTY) {
      const before = prompts().length;
      await env.cliOk(['send', id, '-'], { input: `${text}\n` });
      const got = await waitForFile(record, () => prompts().length > before && prompts()[before]);
      expect(got).toBe(text);
      const done = await env.waitForStatus(id, ['completed']);
      expect(done.status).toBe('completed');
    }
  });

  it('delivers 50 KB in one piece', async () => {
    const big = Array.from({ length: 1000 }, (_, i) => `line ${i} ${'x'.repeat(40)} ünï ${i % 7 === 0 ? '$HOME;' : ''}`).join('\n').slice(0, 50_000);
    const before = prompts().length;
    await env.cliOk(['send', id, '-'], { input: big });
    const got = await waitForFile(record, () => prompts().length > before && prompts()[before], 30_000);
    expect(got.length).toBe(big.length);
    expect(got).toBe(big);
    await env.waitForStatus(id, ['completed'], 30_000);
  });

  it('goes busy then completed, and extracts the last response exactly', async () => {
    const client = await env.client();
    const { openEvents } = await import('../../src/cli/events.js');
    const stream = await openEvents(client, { terminal: id, types: 'terminal.status' });
    await env.cliOk(['send', id, 'please', 'answer']);
    const seen: string[] = [];
    for (;;) {
      const e = await stream.next();
      seen.push(String(e?.data.status));
      if (e?.data.status === 'completed') break;
    }
    stream.close();
    expect(seen[0]).toBe('busy');
    expect(seen).not.toContain('idle');
    const last = await env.cliOk(['output', id, '--last']);
    expect(last.trimEnd()).toBe('Echo: please answer');
  });

  it('reports a question as waiting_input and takes the answer keys', async () => {
    await env.cliOk(['send', id, 'ASK: delete the branch?']);
    await env.waitForStatus(id, ['waiting_input']);
    const client = await env.client();
    await client.post(`/terminals/${id}/keys`, { keys: ['1'] });
    const done = await env.waitForStatus(id, ['completed']);
    expect(done.status).toBe('completed');
    expect((await env.cliOk(['output', id, '--last'])).trim()).toMatch(/^Approved: /);
  });

  it('keeps a clean log with no escape sequences or carriage returns', async () => {
    const log = readFileSync(join(env.home, 'logs', 'terminal', `${id}.log`), 'utf8');
    expect(log).toContain('Echo: please answer');
    expect(log).toContain('unicode: héllo wörld — 日本語 🎼 emoji ✓');
    expect(log).not.toMatch(/\u001b|\r/);
  });

  it('lists the terminal with its status', async () => {
    const sessions = await env.sessions();
    const t = sessions.flatMap((s) => s.terminals).find((x) => x.id === id)!;
    expect(t.provider).toBe('fake_agent');
    expect(t.status).toBe('completed');
    const table = await env.cliOk(['ls']);
    expect(table).toMatch(new RegExp(`${id}\\s+fake_agent\\s+-\\s+completed`));
  });
});
