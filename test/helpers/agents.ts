import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openEvents } from '../../src/cli/events.js';
import type { MessageRecord } from '../../src/inbox/schema.js';
import type { TestEnv } from './env.js';

export interface FakeRule {
  match: string;
  flags?: string;
  answer?: string;
  thinkMs?: number;
  ask?: string;
  tool?: { name: string; arguments: Record<string, unknown> };
}

/** Writes a fake-agent script into the test's home and returns its path. */
export function writeScript(env: TestEnv, name: string, rules: FakeRule[]): string {
  const file = join(env.home, `${name}.script.json`);
  writeFileSync(file, JSON.stringify(rules));
  return file;
}

/** A profile whose agent is the fake agent with its own script and record file. */
export function writeFakeProfile(env: TestEnv, name: string, rules: FakeRule[], extraEnv: Record<string, string> = {}): string {
  const script = writeScript(env, name, rules);
  const record = join(env.home, `${name}.prompts.jsonl`);
  const dir = join(env.home, 'profiles');
  mkdirSync(dir, { recursive: true });
  const envLines = Object.entries({ FAKE_AGENT_SCRIPT: script, FAKE_AGENT_RECORD: record, ...extraEnv })
    .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)
    .join('\n');
  writeFileSync(
    join(dir, `${name}.md`),
    `---\nname: ${name}\ndescription: test profile ${name}\nprovider: fake_agent\nenv:\n${envLines}\n---\nYou are ${name}, a test agent.\n`,
  );
  return record;
}

export function recordedPrompts(file: string): string[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { prompt: string }).prompt);
  } catch {
    return [];
  }
}

/**
 * Waits until a message to `terminal` matching `match` is delivered, then until the agent has
 * answered it. An agent records a prompt as it reads it, a moment before the delivery is
 * confirmed, so seeing it recorded is not enough to type the next input.
 */
export async function waitUntilDeliveredAndAnswered(env: TestEnv, terminal: string, match: (body: string) => boolean): Promise<void> {
  const client = await env.client();
  const events = await openEvents(client, { terminal, types: 'message.delivered' });
  try {
    const delivered = async () =>
      (await client.get<{ messages: MessageRecord[] }>(`/terminals/${terminal}/messages?direction=received`)).messages.some(
        (m) => match(m.body) && m.state === 'delivered',
      );
    while (!(await delivered())) await events.next();
  } finally {
    events.close();
  }
  await env.waitForStatus(terminal, ['completed']);
}
