import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalRecord } from '../../src/approval/schema.js';
import { openEvents } from '../../src/cli/events.js';
import { startFakeAnthropicApi, toolResults, type FakeAnthropicApi, type FakeTurn } from '../fakes/anthropic-api.js';
import { CLAUDE_VERSIONS, ensureClaude } from '../helpers/claudeVersions.js';
import { TestEnv } from '../helpers/env.js';
import { useFakeClaude } from './shared.js';

const riskyTurns = (): FakeTurn[] => [
  { kind: 'tool_use', name: 'Bash', input: { command: 'rm -rf victim', description: 'Delete the victim folder' } },
  { kind: 'dynamic', make: (body) => ({ kind: 'text', text: `Tool said: ${toolResults(body).join(' ')}` }) },
];

/** Real Claude Code whose model asks to run `rm -rf`: the conductor's hook holds it for a human. */
describe.each(CLAUDE_VERSIONS)('the approval gate in Claude Code $version', ({ version, binDir }) => {
  const env = new TestEnv();
  let api: FakeAnthropicApi;
  let boss = '';

  beforeAll(async () => {
    await ensureClaude(version);
    api = await startFakeAnthropicApi({ turns: riskyTurns() });
    useFakeClaude(env, api.url, binDir);
    mkdirSync(join(env.home, 'profiles'), { recursive: true });
    writeFileSync(join(env.home, 'profiles', 'cleaner.md'), '---\nname: cleaner\ndescription: cleans up\nprovider: claude_code\n---\nYou clean up.\n');
    mkdirSync(join(env.home, 'victim'));
    boss = (await env.launch(['--profile', 'cleaner'])).id;
  }, 600_000);
  afterAll(async () => {
    await env.cleanup();
    await api?.close();
  });

  async function askAndDecide(prompt: string, decide: (id: string) => Promise<unknown>): Promise<ApprovalRecord> {
    const client = await env.client();
    const events = await openEvents(client, { types: 'approval.requested' });
    await env.cliOk(['send', boss, prompt]);
    const e = await events.next();
    events.close();
    const listed = JSON.parse(await env.cliOk(['approvals', '--json'])).approvals as ApprovalRecord[];
    const held = listed.find((a) => a.id === e!.data.approvalId)!;
    expect(held).toMatchObject({ action: 'Bash: rm -rf victim', source: 'hook', requester: boss, state: 'pending' });
    expect(existsSync(join(env.home, 'victim'))).toBe(true);
    await decide(held.id);
    try {
      await env.waitForStatus(boss, ['completed'], 60_000);
    } catch (error) {
      // Say what the agent shows, not only that it did not finish.
      throw new Error(`${(error as Error).message}; its screen:\n${await env.cliOk(['output', boss, '--screen']).catch(() => '?')}`);
    }
    return held;
  }

  it('holds rm -rf; a denial reaches Claude with its reason and the command never runs', async () => {
    await askAndDecide('Please clean up the victim folder.', (id) => env.cliOk(['deny', id, '--reason', 'keep the victim']));
    expect(existsSync(join(env.home, 'victim'))).toBe(true);
    const followUp = api.turnRequests()[1];
    expect(toolResults(followUp.body).join('\n')).toMatch(/Denied by human.*: keep the victim/);
    expect(await env.cliOk(['output', boss, '--last'])).toMatch(/Tool said: .*Denied by human/);
  }, 120_000);

  it('lets it run once approved', async () => {
    api.push(...riskyTurns());
    await askAndDecide('Clean up the victim folder now.', (id) => env.cliOk(['approve', id, '--note', 'fine']));
    expect(existsSync(join(env.home, 'victim'))).toBe(false);
    const followUp = api.turnRequests()[3];
    expect(toolResults(followUp.body).join('\n')).not.toMatch(/Denied/);
  }, 120_000);
});
