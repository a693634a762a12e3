import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandoffRecord } from '../../src/handoff/schema.js';
import type { MessageRecord } from '../../src/inbox/schema.js';
import { writeFakeProfile } from '../helpers/agents.js';
import { TestEnv } from '../helpers/env.js';
import { reboot, terminalRecord } from './reboot.js';

/** A handoff whose worker was lost in a reboot and not resumed fails to its caller, saying so. */
describe('a handoff whose worker is lost', () => {
  const env = new TestEnv();

  beforeAll(() => {
    writeFakeProfile(env, 'thinker', [{ match: 'ponder', answer: 'Never said.', thinkMs: 120_000 }]);
  });
  afterAll(() => env.cleanup());

  it('waits for the lost worker until its deadline, then fails naming conductor resume', async () => {
    const client = await env.client();
    const started = await client.post<HandoffRecord>('/handoffs', { profile: 'thinker', message: 'ponder forever', timeout: 15 });
    expect(started.state).toBe('running');
    const worker = started.worker!;
    await env.waitForStatus(worker, ['busy']);
    const { messages } = await client.get<{ messages: MessageRecord[] }>(`/terminals/${worker}/messages?direction=received`);
    expect(messages.some((m) => m.state === 'delivered')).toBe(true);
    await reboot(env);
    expect((await terminalRecord(env, worker)).status).toBe('lost');
    const again = await env.client();
    const still = await again.get<HandoffRecord>(`/handoffs/${started.id}`);
    expect(still.state).toBe('running');
    const done = await again.get<HandoffRecord>(`/handoffs/${started.id}?wait=30000`);
    expect(done.state).toBe('failed');
    expect(done.error).toMatch(new RegExp(`the worker ${worker} was lost .*conductor resume ${worker}`));
  }, 60_000);
});
