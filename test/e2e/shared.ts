import { readFileSync } from 'node:fs';
import type { EventStream } from '../../src/cli/events.js';
import type { ConductorEvent } from '../../src/events/bus.js';
import type { TerminalStatus } from '../../src/terminal/schema.js';

/** What the real-CLI end-to-end tests share. */

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
