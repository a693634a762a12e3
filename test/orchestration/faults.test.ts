import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findDaemon, type DaemonClient } from '../../src/cli/client.js';
import { openEvents } from '../../src/cli/events.js';
import type { MessageRecord } from '../../src/inbox/schema.js';
import { waitForExit } from '../../src/process/tree.js';
import { writeFakeProfile } from '../helpers/agents.js';
import { TestEnv } from '../helpers/env.js';

const RECEIVERS = 10;
const MESSAGES = 1000;
const KILL_AFTER = 400;

async function post(c: DaemonClient, to: string, message: string): Promise<MessageRecord> {
  return c.post<MessageRecord>('/messages', { to, message });
}

describe('the inbox under a daemon crash', () => {
  const env = new TestEnv();
  afterAll(() => env.cleanup());

  it('loses and duplicates nothing when the daemon is SIGKILLed during a burst of 1,000 messages', async () => {
    writeFakeProfile(env, 'sink', [{ match: '[\\s\\S]', answer: 'ok', thinkMs: 0 }], { FAKE_AGENT_CHUNK_MS: '1' });
    const receivers = [];
    for (let i = 0; i < RECEIVERS; i++) {
      receivers.push(await env.launch(['--profile', 'sink', '--session', `sink${i}`], { FAKE_AGENT_RECORD: join(env.home, `sink${i}.jsonl`) }));
    }
    let client = await env.client();
    const acked = new Map<number, { to: string; body: string }>();
    const uncertain: string[] = [];
    let n = 0;
    for (; n < KILL_AFTER; n++) {
      const to = receivers[n % RECEIVERS].id;
      const m = await post(client, to, `payload ${n} for ${to}`);
      acked.set(m.id, { to, body: m.body });
    }
    // Kill it while deliveries are in flight: a few posts race the kill and their fate is unknown.
    const racing = Array.from({ length: 5 }, (_, i) => {
      const body = `payload ${n + i} racing`;
      uncertain.push(body);
      return post(client, receivers[(n + i) % RECEIVERS].id, body).catch(() => undefined);
    });
    process.kill(client.state.pid, 'SIGKILL');
    await waitForExit([client.state.pid], 5000);
    await Promise.all(racing);
    n += 5;

    client = await env.client();
    expect(client.state.pid).not.toBe(undefined);
    const events = await openEvents(client, { types: 'message' });
    for (; n < MESSAGES; n++) {
      const to = receivers[n % RECEIVERS].id;
      const m = await post(client, to, `payload ${n} for ${to}`);
      acked.set(m.id, { to, body: m.body });
    }
    const outstanding = async () => {
      let open = 0;
      for (const r of receivers) {
        const { messages } = await client.get<{ messages: MessageRecord[] }>(`/terminals/${r.id}/messages?direction=received`);
        open += messages.filter((m) => m.state === 'pending' || m.state === 'delivering').length;
        expect(messages.filter((m) => m.state === 'failed')).toEqual([]);
      }
      return open;
    };
    while ((await outstanding()) > 0) await events.next();
    events.close();

    const seen = new Map<number, number>();
    const bodies = new Map<string, number>();
    for (let i = 0; i < RECEIVERS; i++) {
      const text = readFileSync(join(env.home, `sink${i}.jsonl`), 'utf8');
      for (const line of text.split('\n').filter(Boolean)) {
        const prompt = (JSON.parse(line) as { prompt: string }).prompt;
        for (const m of prompt.matchAll(/\[conductor\] Message #(\d+) from a human operator:\n(payload [^\n]*)/g)) {
          seen.set(Number(m[1]), (seen.get(Number(m[1])) ?? 0) + 1);
          bodies.set(m[2], (bodies.get(m[2]) ?? 0) + 1);
        }
      }
    }
    const lost = [...acked.keys()].filter((id) => !seen.has(id));
    const duplicated = [...seen.entries()].filter(([, count]) => count > 1);
    expect(lost).toEqual([]);
    expect(duplicated).toEqual([]);
    for (const body of uncertain) expect(bodies.get(body) ?? 0).toBeLessThanOrEqual(1);
    expect(acked.size).toBeGreaterThanOrEqual(MESSAGES - 5);
  }, 180_000);
});
