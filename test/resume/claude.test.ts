import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvents } from '../../src/cli/events.js';
import { terminalRuntimeDir } from '../../src/config/paths.js';
import { startFakeAnthropicApi, lastUserText, type FakeAnthropicApi } from '../fakes/anthropic-api.js';
import { claudeVersion, ensureClaude, PINNED_CLAUDE_VERSION } from '../helpers/claudeVersions.js';
import { TestEnv } from '../helpers/env.js';
import { statusesUntil, useFakeClaude, writeClaudeDefaultProfile } from '../e2e/shared.js';
import { filesUnder } from '../../src/usage/readers/files.js';
import { reboot, terminalRecord } from './reboot.js';

/**
 * Real Claude Code against the fake Anthropic API, through a reboot: two turns, everything
 * killed with SIGKILL, the daemon started again, `conductor resume`; the next request to the
 * model carries the earlier turns, so the conversation really continued.
 */
describe('resume after a reboot: Claude Code (real CLI, fake model API)', () => {
  const env = new TestEnv();
  const workdir = join(env.home, 'project');
  const { binDir } = claudeVersion(PINNED_CLAUDE_VERSION);
  let api: FakeAnthropicApi;
  let id = '';

  beforeAll(async () => {
    await ensureClaude(PINNED_CLAUDE_VERSION);
    api = await startFakeAnthropicApi({
      turns: [
        { kind: 'text', text: 'Alpha is the first answer.' },
        { kind: 'text', text: 'Beta is the second answer.' },
        { kind: 'text', text: 'Gamma comes after the reboot.' },
        { kind: 'text', text: 'Delta starts anew.' },
      ],
    });
    mkdirSync(workdir, { recursive: true });
    useFakeClaude(env, api.url, binDir);
    writeClaudeDefaultProfile(env);
  }, 600_000);
  afterAll(async () => {
    await env.cleanup();
    await api?.close();
  });

  async function ask(text: string): Promise<string> {
    const stream = await openEvents(await env.client(), { terminal: id, types: 'terminal.status' });
    try {
      await env.cliOk(['send', id, text]);
      const seen = await statusesUntil(stream, (s) => s === 'completed' || s === 'error', 45_000);
      expect(seen.at(-1)!.status).toBe('completed');
    } finally {
      stream.close();
    }
    return env.cliOk(['output', id, '--last']);
  }

  async function outputTokens(terminal: string): Promise<number> {
    const report = JSON.parse(await env.cliOk(['usage', terminal, '--json'])) as { totals: { outputTokens: number } };
    return report.totals.outputTokens;
  }

  /** Everything the model was sent in the request that answered `prompt`. */
  function requestFor(prompt: string): string {
    const request = api.turnRequests().find((r) => lastUserText(r.body).includes(prompt));
    expect(request, `a request for '${prompt}'`).toBeDefined();
    return JSON.stringify(request!.body.messages);
  }

  it('continues the conversation after the reboot under the same id', async () => {
    id = (await env.launch(['--profile', 'claude_default', '--cwd', workdir])).id;
    expect(await ask('What is the first answer?')).toBe('Alpha is the first answer.');
    expect(await ask('And the second one?')).toBe('Beta is the second answer.');
    const usageBefore = await outputTokens(id);
    await reboot(env);
    expect((await terminalRecord(env, id)).status).toBe('lost');

    const out = await env.cliOk(['resume', id]);
    expect(out).toMatch(new RegExp(`^${id}: resumed, continuing conversation [0-9a-f-]{36}$`));
    const t = await env.waitForStatus(id, ['idle'], 45_000);
    expect(t.cwd).toBe(workdir);
    expect(t.profile).toBe('claude_default');
    expect(await ask('What came before?')).toBe('Gamma comes after the reboot.');
    // The resumed agent's usage is followed again: the answer after the reboot counts.
    expect(await outputTokens(id)).toBeGreaterThan(usageBefore);
    const sent = requestFor('What came before?');
    for (const earlier of ['What is the first answer?', 'Alpha is the first answer.', 'And the second one?', 'Beta is the second answer.']) {
      expect(sent).toContain(earlier);
    }
  }, 180_000);

  it('says why when the conversation file is gone, and --fresh starts anew with the same id and profile', async () => {
    await reboot(env);
    expect((await terminalRecord(env, id)).status).toBe('lost');
    const transcripts = filesUnder(join(terminalRuntimeDir(env.layout, id), 'claude-config', 'projects'), (n) => n.endsWith('.jsonl'));
    expect(transcripts.length).toBeGreaterThan(0);
    for (const file of transcripts) rmSync(file);

    const refused = await env.cli(['resume', id]);
    expect(refused.exitCode).toBe(4);
    expect(String(refused.stderr)).toMatch(/conversation file .*\.jsonl is gone/);
    expect(String(refused.stderr)).toContain('--fresh');
    expect((await terminalRecord(env, id)).status).toBe('lost');

    expect(await env.cliOk(['resume', id, '--fresh'])).toBe(`${id}: started anew`);
    const t = await env.waitForStatus(id, ['idle'], 45_000);
    expect(t.profile).toBe('claude_default');
    expect(await ask('Anything before this?')).toBe('Delta starts anew.');
    expect(requestFor('Anything before this?')).not.toContain('Alpha is the first answer.');
  }, 180_000);
});
