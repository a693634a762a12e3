import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvents } from '../../src/cli/events.js';
import { isAlive, paneProcessTree } from '../../src/process/tree.js';
import type { TerminalRecord } from '../../src/terminal/schema.js';
import { commandLine, STATUS_PATHS, statusesUntil, useStatusPath, type StatusPath } from '../e2e/shared.js';
import { startFakeChatApi, type ChatScript, type FakeChatApi } from '../fakes/openai-chat-api.js';
import { ensureExampleCli, installExample, type ExampleCli } from '../helpers/exampleClis.js';
import { TestEnv } from '../helpers/env.js';

/**
 * One example YAML provider, its real CLI launched through the real daemon against the Chat
 * Completions fake, on both status paths: its own events (the example's events section) and the
 * screen alone. Start headless to idle, busy then completed (never while the answer streams: the
 * fake pauses mid-answer), the last answer exactly right, shutdown with nothing left running.
 */

/** The answer the fake streams, markdown with a list, bullets and a code block. */
export const ANSWER_CHUNKS = [
  'Here is the plan for the parser.\n\n',
  '1. Read the **config** file.\n',
  '2. Parse the `YAML` body.\n\n',
  '- first point\n- second point\n\n',
  '```ts\nconst a = 1;\n```\n\n',
  'That is all.',
];
export const ANSWER = ANSWER_CHUNKS.join('');
const PAUSE_MS = 2500;

export interface ExampleRun {
  name: string;
  cli: ExampleCli;
  /** How the CLI's program shows up in the pane's process tree. */
  process: RegExp;
  /** The answer as the CLI renders it: what the screen path reads (see its golden idle_multiline_answer). */
  rendered: string;
  /** Requests the CLI makes on its own (titles, suggestions, memory) and what they get. */
  sideRequest: ChatScript['sideRequest'];
  sideReply?: ChatScript['sideReply'];
  /** Points this world at the fake: variables for the launching shell, files in the test's home. */
  configure(env: TestEnv, apiUrl: string): void;
  /** The status paths it is tested on (default both). */
  paths?: StatusPath[];
}

export function describeExampleEndToEnd(run: ExampleRun): void {
  const paths = STATUS_PATHS.filter(({ path }) => (run.paths ?? ['events', 'screen']).includes(path));
  describe.each(paths)(`${run.name} example end to end, status from $path (real CLI, fake model API)`, ({ path }) => {
    const env = new TestEnv();
    const workdir = join(env.home, 'project');
    let api: FakeChatApi;
    let id = '';

    beforeAll(async () => {
      const binDir = await ensureExampleCli(run.cli);
      api = await startFakeChatApi({
        turns: [{ chunks: ANSWER_CHUNKS, delayMs: 50, pauseAfterChunk: 3, pauseMs: PAUSE_MS }],
        sideRequest: run.sideRequest,
        sideReply: run.sideReply,
      });
      mkdirSync(workdir, { recursive: true });
      env.env.PATH = `${binDir}:${process.env.PATH}`;
      run.configure(env, api.url);
      useStatusPath(env, path);
      installExample(env.home, run.name);
    }, 10 * 60_000);
    afterAll(async () => {
      await env.cleanup();
      await api?.close();
    });

    it('launches headless: no dialog blocks, the terminal becomes idle', async () => {
      const t = await env.launch(['--provider', run.name, '--cwd', workdir]);
      id = t.id;
      expect(t.status).toBe('idle');
    }, 90_000);

    it('goes busy, and completed only after the answer, paused midway, has ended', async () => {
      const stream = await openEvents(await env.client(), { terminal: id, types: 'terminal.status' });
      try {
        await env.cliOk(['send', id, 'Explain the plan']);
        const seen = await statusesUntil(stream, (s) => s === 'completed' || s === 'error', 45_000);
        const turn = api.turnRequests()[0];
        expect(turn?.endedAt).toBeDefined();
        expect(turn.endedAt! - turn.at).toBeGreaterThanOrEqual(PAUSE_MS);
        expect(seen[0].status).toBe('busy');
        expect(seen.at(-1)!.status).toBe('completed');
        expect(seen.at(-1)!.at).toBeGreaterThanOrEqual(turn.endedAt!);
        expect(seen.slice(0, -1).map((s) => s.status)).not.toContain('idle');
      } finally {
        stream.close();
      }
    }, 60_000);

    it('reports the answer: exactly as the model wrote it (events), or as the CLI rendered it (screen)', async () => {
      expect(await env.cliOk(['output', id, '--last'])).toBe(path === 'events' ? ANSWER : run.rendered);
      const t = await (await env.client()).get<{ statusSource: string }>(`/terminals/${id}`);
      expect(t.statusSource).toBe(path === 'events' ? 'events' : 'screen');
    });

    it('shuts down, leaving no process of the pane behind', async () => {
      const t = await (await env.client()).get<TerminalRecord>(`/terminals/${id}`);
      const pane = await env.tmux(['display-message', '-p', '-t', t.tmuxPane, '#{pane_pid}']);
      const tree = paneProcessTree(Number(String(pane.stdout).trim()));
      expect(tree.map(commandLine).some((c) => run.process.test(c))).toBe(true);
      const report = JSON.parse(await env.cliOk(['shutdown', id, '--json'])).shutdown[0];
      expect(report.terminalId).toBe(id);
      expect(report.method).toBe('exit-command');
      expect(tree.filter(isAlive)).toEqual([]);
      const after = (await env.sessions(true)).flatMap((s) => s.terminals).find((x) => x.id === id);
      expect(after?.status).toBe('exited');
    }, 45_000);
  });
}
