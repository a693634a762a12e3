import { expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { openEvents } from '../../src/cli/events.js';
import { terminalLogPath } from '../../src/config/paths.js';
import { waitForFile } from '../helpers/wait.js';
import { statusesUntil } from '../e2e/shared.js';
import type { TestEnv } from '../helpers/env.js';
import { reboot, terminalRecord } from './reboot.js';

export interface ConversationCase {
  env: TestEnv;
  /** How the terminal is launched, e.g. `--profile NAME` or `--provider NAME`. */
  launchArgs: string[];
  cwd: string;
  /** The bodies of every conversation request the fake model API received so far. */
  requestBodies(): unknown[];
  answers: [string, string, string];
}

/**
 * Two turns, the reboot, `conductor resume`, a third turn: the request for the third prompt
 * carries both earlier prompts and answers, so the agent's own conversation really continued.
 */
export async function conversationSurvivesReboot(c: ConversationCase): Promise<void> {
  const { env } = c;
  const id = (await env.launch([...c.launchArgs, '--cwd', c.cwd])).id;
  const ask = async (text: string): Promise<string> => {
    const stream = await openEvents(await env.client(), { terminal: id, types: 'terminal.status' });
    try {
      await env.cliOk(['send', id, text]);
      const seen = await statusesUntil(stream, (s) => s === 'completed' || s === 'error', 60_000);
      expect(seen.at(-1)!.status).toBe('completed');
    } finally {
      stream.close();
    }
    return env.cliOk(['output', id, '--last']);
  };
  const prompts = ['Name the first letter please', 'Name the second letter please', 'Which letters came before?'];
  expect(await ask(prompts[0])).toBe(c.answers[0]);
  expect(await ask(prompts[1])).toBe(c.answers[1]);
  await reboot(env);
  expect((await terminalRecord(env, id)).status).toBe('lost');
  const out = await env.cliOk(['resume', id]);
  expect(out).toMatch(new RegExp(`^${id}: resumed, continuing conversation \\S+$`));
  await env.waitForStatus(id, ['idle'], 60_000);
  // Ready once the resumed agent has shown the restored conversation: a prompt typed while it
  // still redraws it can be swallowed.
  const log = terminalLogPath(env.layout, id);
  await waitForFile(log, () => readFileSync(log, 'utf8').split('--- conductor: resumed at').at(-1)!.includes(c.answers[1]), 60_000, 'the restored conversation on screen');
  expect(await ask(prompts[2])).toBe(c.answers[2]);
  const third = c.requestBodies().map((b) => JSON.stringify(b)).filter((b) => b.includes(prompts[2]));
  expect(third.length).toBeGreaterThan(0);
  for (const earlier of [prompts[0], c.answers[0], prompts[1], c.answers[1]]) expect(third[0]).toContain(earlier);
}
