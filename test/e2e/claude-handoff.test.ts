import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropicApi, toolResults, type FakeAnthropicApi } from '../fakes/anthropic-api.js';
import { recordedPrompts, writeFakeProfile } from '../helpers/agents.js';
import { TestEnv } from '../helpers/env.js';
import { useFakeClaude } from './shared.js';

/**
 * The flagship: real Claude Code as the supervisor, its model a local fake that scripts a
 * tool_use of the conductor's handoff tool; the worker (the fake agent) answers, and the
 * supervisor's final answer carries the worker's answer.
 */
describe('Claude Code supervisor hands off through MCP', () => {
  const env = new TestEnv();
  let api: FakeAnthropicApi;

  beforeAll(async () => {
    api = await startFakeAnthropicApi({
      turns: [
        {
          kind: 'tool_use',
          name: 'mcp__conductor__handoff',
          input: { profile: 'worker', message: 'please compute the answer' },
          text: 'I will ask a worker.',
        },
        { kind: 'dynamic', make: (body) => ({ kind: 'text', text: `The worker reported: ${toolResults(body).join(' ').split('\n\n[handoff')[0]}` }) },
      ],
    });
    useFakeClaude(env, api.url);
    writeFakeProfile(env, 'worker', [{ match: 'compute', answer: 'The answer is 42.' }]);
    mkdirSync(join(env.home, 'profiles'), { recursive: true });
    writeFileSync(
      join(env.home, 'profiles', 'boss.md'),
      '---\nname: boss\ndescription: supervisor on Claude Code\nprovider: claude_code\n---\nYou supervise workers through the conductor tools.\n',
    );
  });
  afterAll(async () => {
    await env.cleanup();
    await api?.close();
  });

  it('gets the worker’s answer back into Claude’s final response', async () => {
    const boss = await env.launch(['--profile', 'boss']);
    expect(boss.provider).toBe('claude_code');
    await env.cliOk(['send', boss.id, 'Find out the answer, using a worker.']);
    const done = await env.waitForStatus(boss.id, ['completed', 'error'], 90_000);
    expect(done.status).toBe('completed');
    const last = await env.cliOk(['output', boss.id, '--last']);
    expect(last).toContain('The worker reported: The answer is 42.');
    // The model really received the worker's answer as the tool result.
    const followUp = api.turnRequests()[1];
    expect(toolResults(followUp.body).join('\n')).toContain('The answer is 42.');
    expect(recordedPrompts(join(env.home, 'worker.prompts.jsonl'))[0]).toContain('please compute the answer');
  }, 120_000);
});
