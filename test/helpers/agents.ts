import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
