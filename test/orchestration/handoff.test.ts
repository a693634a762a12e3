import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDaemon } from '../../src/cli/client.js';
import type { HandoffRecord } from '../../src/handoff/schema.js';
import type { MessageRecord } from '../../src/inbox/schema.js';
import { recordedPrompts, waitUntilDeliveredAndAnswered, writeFakeProfile } from '../helpers/agents.js';
import { TestEnv } from '../helpers/env.js';
import { waitForFile } from '../helpers/wait.js';

describe('handoffs that outlast their caller’s patience', () => {
  const env = new TestEnv();

  beforeAll(() => {
    writeFakeProfile(env, 'slowpoke', [{ match: 'ponder', answer: 'After long thought: 7.', thinkMs: 2500 }]);
    // The supervisor's MCP server waits only 1 s per call, so the handoff returns a handle.
    writeFakeProfile(
      env,
      'impatient',
      [
        { match: '^HANDOFF (.*)$', tool: { name: 'handoff', arguments: { profile: 'slowpoke', message: '{{1}}' } }, answer: 'Handoff said: {{result}}' },
        { match: '^RESULT (h-[0-9a-f]+)$', tool: { name: 'handoff_result', arguments: { handle: '{{1}}', wait: 30 } }, answer: 'Result: {{result}}' },
      ],
      { CONDUCTOR_MCP_WAIT_SECONDS: '1' },
    );
  });
  afterAll(() => env.cleanup());

  it('returns a handle at once and delivers the result to the caller’s inbox when it comes', async () => {
    const sup = await env.launch(['--profile', 'impatient']);
    await env.cliOk(['send', sup.id, 'HANDOFF ponder the question']);
    await env.waitForStatus(sup.id, ['completed']);
    const reply = await env.cliOk(['output', sup.id, '--last']);
    const handle = /handoff_result with handle "(h-[0-9a-f]{8})"/.exec(reply.replace(/\n\s*/g, ' '))?.[1];
    expect(reply).toMatch(/still running on worker [0-9a-f]{8}/);
    expect(handle).toBeDefined();

    const record = join(env.home, 'impatient.prompts.jsonl');
    const notice = await waitForFile(record, () => recordedPrompts(record).find((p) => p.includes(`Handoff ${handle}`)), 20_000);
    expect(notice).toMatch(new RegExp(`^\\[conductor\\] Message #\\d+ from the conductor:\\nHandoff ${handle} \\(profile slowpoke\\) is done\\. The worker answered:\\n\\nAfter long thought: 7\\.`));

    await waitUntilDeliveredAndAnswered(env, sup.id, (body) => body.includes(handle!));
    await env.cliOk(['send', sup.id, `RESULT ${handle}`]);
    await env.waitForStatus(sup.id, ['completed']);
    expect(await env.cliOk(['output', sup.id, '--last'])).toContain('Result: After long thought: 7.');
    const client = await env.client();
    const { messages } = await client.get<{ messages: MessageRecord[] }>(`/terminals/${sup.id}/messages?direction=received`);
    expect(messages.filter((m) => m.body.includes(handle!))).toHaveLength(1);
  });

  it('survives a daemon restart while the worker is still thinking', async () => {
    const client = await env.client();
    const started = await client.post<HandoffRecord>('/handoffs', { profile: 'slowpoke', message: 'ponder again' });
    expect(started.state).toBe('running');
    await env.stopDaemon();
    expect(await findDaemon(env.layout)).toBeUndefined();
    const again = await env.client();
    const done = await again.get<HandoffRecord>(`/handoffs/${started.id}?wait=30000`);
    expect(done.state).toBe('completed');
    expect(done.result).toBe('After long thought: 7.');
  });

  it('refuses unknown handles and bad waits with a clear message', async () => {
    const client = await env.client();
    await expect(client.get('/handoffs/h-00000000')).rejects.toThrow(/handoff 'h-00000000' not found/);
    await expect(client.get('/handoffs/nonsense')).rejects.toThrow(/handle looks like h-/);
    await expect(client.get('/handoffs/h-00000000?wait=-5')).rejects.toThrow(/wait/);
  });
});
