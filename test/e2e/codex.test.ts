import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvents, type EventStream } from '../../src/cli/events.js';
import { isAlive, paneProcessTree } from '../../src/process/tree.js';
import type { TerminalRecord, TerminalStatus } from '../../src/terminal/schema.js';
import { provider as codex } from '../../providers/codex.js';
import { startFakeOpenAiApi, type FakeOpenAiApi } from '../fakes/openai-api.js';
import { TestEnv } from '../helpers/env.js';
import { SECOND_ANSWER, commandLine, statusesUntil, split, CHUNK_DELAY_MS, MARKER, AFTER_TOOL_ANSWER, useFakeCodex, writeCodexDefaultProfile, STATUS_PATHS, useStatusPath, expectHandTypedPromptFollowed, HAND_TYPED_ANSWER } from './shared.js';

/**
 * Real Codex CLI, driven through the real `conductor` CLI and daemon, its model a local fake
 * (Responses API): start-up, a slow streamed answer, approvals, a second answer, shutdown.
 */

/** What the fake streams for the first prompt: markdown with lists and a fenced code block. */
const MARKDOWN_ANSWER = [
  'Here is the plan for the parser.',
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

/**
 * The same answer as Codex renders it on screen, which is what `output --last` reports (see the
 * golden idle_multiline_answer): bold and inline-code markup and the code fences are dropped,
 * `-` bullets become `•`; numbers, blank lines and code indentation are kept.
 */
const MARKDOWN_RENDERED = [
  'Here is the plan for the parser.',
  '',
  '1. Read the config file.',
  '2. Parse the YAML body.',
  '3. Write the result.',
  '',
  '• first point',
  '• second point with inline code',
  '',
  'function add(a: number, b: number): number {',
  '  return a + b;',
  '}',
  '',
  'That is all.',
].join('\n');

const CHUNKS = 40;

describe.each(STATUS_PATHS)('Codex end to end, status from $path (real CLI, fake model API)', ({ path }) => {
  const env = new TestEnv();
  const workdir = join(env.home, 'project');
  const chunks = split(MARKDOWN_ANSWER, CHUNKS);
  let api: FakeOpenAiApi;
  let id = '';

  beforeAll(async () => {
    api = await startFakeOpenAiApi({
      turns: [
        { kind: 'text', chunks, delayMs: CHUNK_DELAY_MS },
        { kind: 'text', chunks: [SECOND_ANSWER] },
        // Outside the sandbox: Codex asks before running it, whatever its sandbox can do here.
        {
          kind: 'shell',
          command: `touch ${MARKER} && echo created`,
          justification: `Create ${MARKER} outside the sandbox?`,
          sandboxPermissions: 'require_escalated',
        },
        { kind: 'text', chunks: [AFTER_TOOL_ANSWER] },
        { kind: 'text', chunks: [HAND_TYPED_ANSWER] },
      ],
    });
    mkdirSync(workdir, { recursive: true });
    useFakeCodex(env, api.url);
    useStatusPath(env, path);
    writeCodexDefaultProfile(env);
  });
  afterAll(async () => {
    await env.cleanup();
    await api?.close();
  });

  async function events(): Promise<EventStream> {
    return openEvents(await env.client(), { terminal: id, types: 'terminal.status' });
  }

  it('launches headless: no dialog blocks, the terminal becomes idle', async () => {
    const t = await env.launch(['--profile', 'codex_default', '--cwd', workdir]);
    id = t.id;
    expect(t.provider).toBe('codex');
    expect(t.status).toBe('idle');
  }, 45_000);

  it('goes busy, and completed only after the slow streamed answer has ended', async () => {
    const stream = await events();
    try {
      await env.cliOk(['send', id, 'Explain the plan']);
      const seen = await statusesUntil(stream, (s) => s === 'completed' || s === 'error', 30_000);
      const turn = api.turnRequests()[0];
      expect(turn.turnIndex).toBe(0);
      expect(turn.endedAt).toBeDefined();
      expect(seen[0].status).toBe('busy');
      expect(seen.at(-1)!.status).toBe('completed');
      // Completion is reported after the fake sent its last chunk, never while it streams.
      expect(seen.at(-1)!.at).toBeGreaterThanOrEqual(turn.endedAt!);
      expect(seen.slice(0, -1).map((s) => s.status)).not.toContain('idle');
      // The stream really was slow: one delay before each chunk.
      expect(chunks.length).toBe(CHUNKS);
      expect(turn.endedAt! - turn.at!).toBeGreaterThanOrEqual((CHUNKS - 1) * CHUNK_DELAY_MS);
    } finally {
      stream.close();
    }
  }, 45_000);

  it('reports the answer: exactly as the model wrote it (events), or as Codex rendered it (screen)', async () => {
    expect(await env.cliOk(['output', id, '--last'])).toBe(path === 'events' ? MARKDOWN_ANSWER : MARKDOWN_RENDERED);
    const t = await (await env.client()).get<{ statusSource: string }>(`/terminals/${id}`);
    expect(t.statusSource).toBe(path === 'events' ? 'events' : 'screen');
  });

  it('reports only the second answer after a second prompt', async () => {
    const stream = await events();
    try {
      await env.cliOk(['send', id, 'And the tests?']);
      const seen = await statusesUntil(stream, (s) => s === 'completed' || s === 'error', 30_000);
      expect(seen[0].status).toBe('busy');
      expect(seen.at(-1)!.status).toBe('completed');
    } finally {
      stream.close();
    }
    expect(await env.cliOk(['output', id, '--last'])).toBe(SECOND_ANSWER);
  }, 45_000);

  it('shows an approval prompt as waiting_input and continues once approved', async () => {
    const stream = await events();
    try {
      await env.cliOk(['send', id, 'Create the marker file']);
      const asked = await statusesUntil(stream, (s) => s === 'waiting_input' || s === 'completed' || s === 'error', 30_000);
      expect(asked.at(-1)!.status).toBe('waiting_input');
      expect(existsSync(join(workdir, MARKER))).toBe(false);
      const client = await env.client();
      await client.post(`/terminals/${id}/keys`, { keys: codex.answerKeys!.approve });
      const rest = await statusesUntil(stream, (s) => s === 'completed' || s === 'error', 30_000);
      expect(rest.at(-1)!.status).toBe('completed');
    } finally {
      stream.close();
    }
    expect(existsSync(join(workdir, MARKER))).toBe(true);
    // The command ran and its output went back to the model, which then gave the final answer.
    const followUp = api.turnRequests().find((r) => r.turnIndex === 3)!;
    const outputs = (followUp.body.input as Array<{ type: string; output?: unknown }>).filter((item) => item.type === 'function_call_output');
    expect(JSON.stringify(outputs.at(-1)?.output)).toContain('created');
    expect(await env.cliOk(['output', id, '--last'])).toBe(AFTER_TOOL_ANSWER);
  }, 45_000);

  // On the screen alone a quick turn typed by hand may pass between two judgements unseen: events only.
  it.runIf(path === 'events')('follows a prompt typed into the pane by hand, to completed with its answer', () => expectHandTypedPromptFollowed(env, id), 45_000);

  it('shuts down, leaving no process of the pane behind', async () => {
    const t = await (await env.client()).get<TerminalRecord>(`/terminals/${id}`);
    const pane = await env.tmux(['display-message', '-p', '-t', t.tmuxPane, '#{pane_pid}']);
    const tree = paneProcessTree(Number(String(pane.stdout).trim()));
    // The pane's wrapper shell, codex itself and the conductor's MCP server it started.
    const commands = tree.map(commandLine);
    expect(commands.some((c) => /\bcodex\b/.test(c))).toBe(true);
    expect(commands.some((c) => /\bmcp\b/.test(c))).toBe(true);
    const report = JSON.parse(await env.cliOk(['shutdown', id, '--json'])).shutdown[0];
    expect(report.terminalId).toBe(id);
    expect(report.method).toBe('exit-command');
    expect(tree.filter(isAlive)).toEqual([]);
    const after = (await env.sessions(true)).flatMap((s) => s.terminals).find((x) => x.id === id);
    expect(after?.status).toBe('exited');
    const windows = await env.tmux(['list-windows', '-a', '-F', '#{window_id}']);
    expect(String(windows.stdout)).not.toContain(t.tmuxWindow);
  }, 30_000);
});
