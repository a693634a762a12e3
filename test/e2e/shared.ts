import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { openEvents, type EventStream } from '../../src/cli/events.js';
import type { ConductorEvent } from '../../src/events/bus.js';
import type { TerminalStatus } from '../../src/terminal/schema.js';

import { repoRoot, type TestEnv } from '../helpers/env.js';
import { waitForScreen } from '../helpers/screen.js';

/** What the real-CLI end-to-end tests share. */

/** Points this world's CLI at a Claude Code (`claude` in `binDir`, default the pinned one) whose model is the fake API. */
export function useFakeClaude(env: TestEnv, apiUrl: string, binDir = join(repoRoot, 'node_modules', '.bin')): void {
  env.env.PATH = `${binDir}:${process.env.PATH}`;
  env.env.ANTHROPIC_BASE_URL = apiUrl;
  env.env.ANTHROPIC_API_KEY = 'sk-ant-test-dummy-key-0000000000000000';
}

/** Points this world's CLI at the pinned Codex, whose model provider is the fake API. */
export function useFakeCodex(env: TestEnv, apiUrl: string): void {
  env.env.PATH = `${join(repoRoot, 'node_modules', '.bin')}:${process.env.PATH}`;
  env.env.CONDUCTOR_CODEX_BASE_URL = apiUrl;
}

/** A user profile `codex_default`: Codex with its default approval policy. */
export function writeCodexDefaultProfile(env: TestEnv): void {
  mkdirSync(join(env.home, 'profiles'), { recursive: true });
  writeFileSync(
    join(env.home, 'profiles', 'codex_default.md'),
    '---\nname: codex_default\ndescription: Codex with its default approval policy\nprovider: codex\npermissionMode: default\n---\nYou are a test agent.\n',
  );
}

/** A user profile `claude_default`: Claude Code in its default permission mode. */
export function writeClaudeDefaultProfile(env: TestEnv): void {
  mkdirSync(join(env.home, 'profiles'), { recursive: true });
  writeFileSync(
    join(env.home, 'profiles', 'claude_default.md'),
    '---\nname: claude_default\ndescription: Claude Code in its default permission mode\nprovider: claude_code\npermissionMode: default\n---\nYou are a test agent.\n',
  );
}

/** What the fake streams for the first prompt: markdown with a heading, lists and a fenced code block. */
export const MARKDOWN_ANSWER = [
  'Here is the plan for the parser.',
  '',
  '## Steps',
  '',
  '1. Read the **config** file.',
  '2. Parse the `YAML` body.',
  '3. Write the result.',
  '',
  '- first point',
  '- second point with `inline code`',
  '',
  '```ts',
  'function add(a: number, b: number): number {',
  '  return a + b;',
  '}',
  '```',
  '',
  'That is all.',
].join('\n');

export const CHUNK_DELAY_MS = 50;
export const MARKER = 'approved-marker.txt';
export const AFTER_TOOL_ANSWER = 'Created the marker file.';

/** What the fake answers to the prompt a person types into the pane by hand. */
export const HAND_TYPED_ANSWER = 'Answered the prompt you typed yourself.';

/**
 * A person at the keyboard of an attached pane types a prompt and presses Enter (tmux send-keys,
 * not the conductor's input path); the turn is followed to `completed`, with its answer.
 */
export async function expectHandTypedPromptFollowed(env: TestEnv, id: string): Promise<void> {
  const seen = await typeByHand(env, id, 'a question typed by hand');
  expect(seen[0].status).toBe('busy');
  expect(seen.at(-1)!.status).toBe('completed');
  expect(await env.cliOk(['output', id, '--last'])).toBe(HAND_TYPED_ANSWER);
}

async function typeByHand(env: TestEnv, id: string, text: string): Promise<Seen[]> {
  const client = await env.client();
  const t = await client.get<{ tmuxPane: string }>(`/terminals/${id}`);
  const stream = await openEvents(client, { terminal: id, types: 'terminal.status' });
  try {
    await env.tmux(['send-keys', '-t', t.tmuxPane, '-l', text]);
    await screenShows(env, id, new RegExp(text));
    await env.tmux(['send-keys', '-t', t.tmuxPane, 'Enter']);
    return await statusesUntil(stream, (s) => s === 'completed' || s === 'error', 30_000);
  } finally {
    stream.close();
  }
}

/** Its first paragraph is wider than the pane: the CLI wraps it, the extractor joins it again. */
export const SECOND_ANSWER = [
  'Second answer: the tests pass now, all of them, on the first try, and this sentence goes on for long enough that it cannot fit',
  'on a single row of the two hundred column pane, so the agent wraps it and the conductor has to join the rows again.',
].join(' ') + '\n\nNothing else to do.';

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Reads status events until `done` holds for one, failing after `timeoutMs`. */
export async function statusesUntil(stream: EventStream, done: (s: TerminalStatus) => boolean, timeoutMs: number): Promise<Seen[]> {
  const seen: Seen[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no matching status after ${timeoutMs} ms; saw ${seen.map((s) => s.status).join(' → ') || 'nothing'}`)), timeoutMs);
  });
  try {
    for (;;) {
      const event: ConductorEvent | undefined = await Promise.race([stream.next(), timeout]);
      if (!event) throw new Error('the event stream ended');
      const status = event.data.status as TerminalStatus;
      seen.push({ status, at: Date.now() });
      if (done(status)) return seen;
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Cuts a text into `count` pieces of nearly equal length. */
export function split(text: string, count: number): string[] {
  const at = (i: number) => Math.round((i * text.length) / count);
  return Array.from({ length: count }, (_, i) => text.slice(at(i), at(i + 1)));
}

export interface Seen {
  status: TerminalStatus;
  at: number;
}

/**
 * The two ways a built-in agent's status is followed: its own hook events (the default), and its
 * screen alone (`CONDUCTOR_AGENT_EVENTS=off`, as for a CLI with hooks switched off).
 */
export const STATUS_PATHS = [{ path: 'events' as const }, { path: 'screen' as const }];
export type StatusPath = (typeof STATUS_PATHS)[number]['path'];

export function useStatusPath(env: TestEnv, path: StatusPath): void {
  if (path === 'screen') env.env.CONDUCTOR_AGENT_EVENTS = 'off';
}

/**
 * Resolves once the terminal's screen matches `pattern`: what a person answering a dialog waits
 * for (an agent's own event may announce the dialog before the CLI has drawn it).
 */
export async function screenShows(env: TestEnv, id: string, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  return waitForScreen(await env.client(), join(env.layout.terminalLogs, `${id}.raw`), id, (screen) => pattern.test(screen), timeoutMs);
}
