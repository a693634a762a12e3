import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvents, type EventStream } from '../../src/cli/events.js';
import { isAlive, paneProcessTree } from '../../src/process/tree.js';
import type { TerminalRecord, TerminalStatus } from '../../src/terminal/schema.js';
import { provider as gemini } from '../../providers/gemini_cli.js';
import { startGeminiApi, type FakeGeminiApi } from '../fakes/gemini-api.js';
import { repoRoot, TestEnv } from '../helpers/env.js';
import { MARKDOWN_ANSWER, SECOND_ANSWER, commandLine, statusesUntil, split, CHUNK_DELAY_MS, MARKER, AFTER_TOOL_ANSWER, STATUS_PATHS, useStatusPath, expectHandTypedPromptFollowed, HAND_TYPED_ANSWER, screenShows } from './shared.js';

/**
 * Real Gemini CLI, driven through the real `conductor` CLI and daemon, its model a local fake
 * (GOOGLE_GEMINI_BASE_URL + a dummy GEMINI_API_KEY, so the provider's isolated config mode):
 * start-up, a slow streamed answer, approvals, a second answer, shutdown.
 */

/**
 * The same answer as Gemini renders it on screen, which is what `output --last` reports (see
 * the golden idle_multiline_answer): the heading's `##`, bold and inline-code markup and the
 * code fences are dropped; list markers, blank lines and code indentation are kept.
 */
const MARKDOWN_RENDERED = [
  'Here is the plan for the parser.',
  '',
  'Steps',
  '',
  '1. Read the config file.',
  '2. Parse the YAML body.',
  '3. Write the result.',
  '',
  '- first point',
  '- second point with inline code',
  '',
  'function add(a: number, b: number): number {',
  '  return a + b;',
  '}',
  '',
  'That is all.',
].join('\n');

const CHUNKS = 40;

/** The functionResponse parts a conversation request sends back to the model. */
function functionResponses(body: unknown): Array<{ name: string; response: unknown }> {
  const contents = ((body as { contents?: Array<{ parts?: Array<Record<string, unknown>> }> }).contents ?? []);
  return contents.flatMap((c) => c.parts ?? []).flatMap((p) => (p.functionResponse ? [p.functionResponse as { name: string; response: unknown }] : []));
}

describe.each(STATUS_PATHS)('Gemini CLI end to end, status from $path (real CLI, fake model API)', ({ path }) => {
  const env = new TestEnv();
  const workdir = join(env.home, 'project');
  const chunks = split(MARKDOWN_ANSWER, CHUNKS);
  let api: FakeGeminiApi;
  let id = '';

  beforeAll(async () => {
    api = await startGeminiApi({
      turns: [
        { text: chunks, chunkDelayMs: CHUNK_DELAY_MS },
        { text: SECOND_ANSWER },
        {
          text: 'I will create the marker file.',
          functionCalls: [{ name: 'run_shell_command', args: { command: `touch ${MARKER} && expr 40 + 2`, description: 'Create the marker file' } }],
        },
        { text: AFTER_TOOL_ANSWER },
        { text: HAND_TYPED_ANSWER },
      ],
    });
    mkdirSync(workdir, { recursive: true });
    env.env.PATH = `${join(repoRoot, 'node_modules', '.bin')}:${process.env.PATH}`;
    env.env.GOOGLE_GEMINI_BASE_URL = api.url;
    env.env.GEMINI_API_KEY = 'dummy-gemini-key-for-tests';
    useStatusPath(env, path);
    mkdirSync(join(env.home, 'profiles'), { recursive: true });
    writeFileSync(
      join(env.home, 'profiles', 'gemini_default.md'),
      '---\nname: gemini_default\ndescription: Gemini CLI in its default approval mode\nprovider: gemini_cli\npermissionMode: default\n---\nYou are a test agent.\n',
    );
  });
  afterAll(async () => {
    await env.cleanup();
    await api?.close();
  });

  async function events(): Promise<EventStream> {
    return openEvents(await env.client(), { terminal: id, types: 'terminal.status' });
  }

  it('launches headless: no dialog blocks, the terminal becomes idle', async () => {
    const t = await env.launch(['--profile', 'gemini_default', '--cwd', workdir]);
    id = t.id;
    expect(t.provider).toBe('gemini_cli');
    expect(t.status).toBe('idle');
  }, 45_000);

  it('goes busy, and completed only after the slow streamed answer has ended', async () => {
    const stream = await events();
    try {
      await env.cliOk(['send', id, 'Explain the plan']);
      const seen = await statusesUntil(stream, (s) => s === 'completed' || s === 'error', 30_000);
      const turn = api.turns()[0];
      expect(turn.endedAt).toBeDefined();
      expect(seen[0].status).toBe('busy');
      expect(seen.at(-1)!.status).toBe('completed');
      // Completion is reported after the fake sent its last chunk, never while it streams.
      expect(seen.at(-1)!.at).toBeGreaterThanOrEqual(turn.endedAt!);
      expect(seen.slice(0, -1).map((s) => s.status)).not.toContain('idle');
      // The stream really was slow: one delay before each chunk.
      expect(chunks.length).toBe(CHUNKS);
      expect(turn.endedAt! - turn.at).toBeGreaterThanOrEqual((CHUNKS - 1) * CHUNK_DELAY_MS);
    } finally {
      stream.close();
    }
  }, 45_000);

  it('reports the answer: exactly as the model wrote it (events), or as Gemini rendered it (screen)', async () => {
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
    expect(api.turns()).toHaveLength(2);
    expect(await env.cliOk(['output', id, '--last'])).toBe(SECOND_ANSWER);
  }, 45_000);

  it('shows a tool confirmation as waiting_input and continues once approved', async () => {
    const stream = await events();
    try {
      await env.cliOk(['send', id, 'Create the marker file']);
      const asked = await statusesUntil(stream, (s) => s === 'waiting_input' || s === 'completed' || s === 'error', 30_000);
      expect(asked.at(-1)!.status).toBe('waiting_input');
      expect(existsSync(join(workdir, MARKER))).toBe(false);
      // Answered as a person would: once the dialog is on screen.
      await screenShows(env, id, /Allow once/);
      const client = await env.client();
      await client.post(`/terminals/${id}/keys`, { keys: gemini.answerKeys!.approve });
      const rest = await statusesUntil(stream, (s) => s === 'completed' || s === 'error', 30_000);
      expect(rest.at(-1)!.status).toBe('completed');
    } finally {
      stream.close();
    }
    expect(existsSync(join(workdir, MARKER))).toBe(true);
    // The command ran and its result went back to the model, which then gave the final answer.
    const followUp = api.turns()[3];
    const responses = functionResponses(followUp.body);
    expect(responses.map((r) => r.name)).toEqual(['run_shell_command']);
    expect(JSON.stringify(responses[0].response)).toContain('Output: 42');
    expect(await env.cliOk(['output', id, '--last'])).toBe(AFTER_TOOL_ANSWER);
  }, 45_000);

  // On the screen alone a quick turn typed by hand may pass between two judgements unseen: events only.
  it.runIf(path === 'events')('follows a prompt typed into the pane by hand, to completed with its answer', () => expectHandTypedPromptFollowed(env, id), 45_000);

  it('shuts down, leaving no process of the pane behind', async () => {
    const t = await (await env.client()).get<TerminalRecord>(`/terminals/${id}`);
    const pane = await env.tmux(['display-message', '-p', '-t', t.tmuxPane, '#{pane_pid}']);
    const tree = paneProcessTree(Number(String(pane.stdout).trim()));
    // The pane's wrapper shell, gemini itself and the conductor's MCP server it started.
    const commands = tree.map(commandLine);
    expect(commands.some((c) => /\bgemini\b/.test(c))).toBe(true);
    expect(commands.some((c) => /\bmcp\b/.test(c))).toBe(true);
    const report = JSON.parse(await env.cliOk(['shutdown', id, '--json'])).shutdown[0];
    expect(report.terminalId).toBe(id);
    expect(tree.filter(isAlive)).toEqual([]);
    const after = (await env.sessions(true)).flatMap((s) => s.terminals).find((x) => x.id === id);
    expect(after?.status).toBe('exited');
    const windows = await env.tmux(['list-windows', '-a', '-F', '#{window_id}']);
    expect(String(windows.stdout)).not.toContain(t.tmuxWindow);
    // `/quit` ended it, no signal was needed. Gemini swallows an Enter pressed within ~50 ms of
    // a paste, so this holds only if the exit command's Enter waits for the provider's settle delay.
    expect(report.method).toBe('exit-command');
  }, 30_000);
});
