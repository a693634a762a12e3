import { existsSync, mkdirSync, readlinkSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvents, type EventStream } from '../../src/cli/events.js';
import { isAlive, paneProcessTree } from '../../src/process/tree.js';
import type { TerminalRecord, TerminalStatus } from '../../src/terminal/schema.js';
import { provider as claude } from '../../providers/claude_code.js';
import { startFakeAnthropicApi, toolResults, type FakeAnthropicApi } from '../fakes/anthropic-api.js';
import { CLAUDE_VERSIONS, ensureClaude, reportedVersion } from '../helpers/claudeVersions.js';
import { TestEnv } from '../helpers/env.js';
import { MARKDOWN_ANSWER, SECOND_ANSWER, commandLine, statusesUntil, CHUNK_DELAY_MS, MARKER, AFTER_TOOL_ANSWER, useFakeClaude, writeClaudeDefaultProfile, STATUS_PATHS, useStatusPath, expectHandTypedPromptFollowed, HAND_TYPED_ANSWER } from './shared.js';

/**
 * Real Claude Code, driven through the real `conductor` CLI and daemon, its model a local fake:
 * start-up, a slow streamed answer, approvals, a second answer, shutdown.
 */

/**
 * The same answer as Claude renders it on screen, which is what `output --last` reports
 * (see the goldens idle_markdown_after_tool*): the heading's `##`, bold and inline-code markup
 * and the code fences are dropped; list markers, blank lines and code indentation are kept.
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

function executable(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return '';
  }
}

/** At least 40 chunks, 50 ms apart: two seconds and more of streaming. */
const CHUNK_SIZE = Math.floor(MARKDOWN_ANSWER.length / 40);
const CHUNKS = Math.ceil(MARKDOWN_ANSWER.length / CHUNK_SIZE);

/** Every verified Claude Code version, its `claude` first on the PATH the CLI (and so the daemon) gets. */
const CASES = CLAUDE_VERSIONS.flatMap((v) => STATUS_PATHS.map(({ path }) => ({ ...v, path })));

/** Every verified Claude Code version, on both status paths. */
describe.each(CASES)('Claude Code $version end to end, status from $path (real CLI, fake model API)', ({ version, binDir, path }) => {
  const env = new TestEnv();
  const workdir = join(env.home, 'project');
  let api: FakeAnthropicApi;
  let id = '';

  beforeAll(async () => {
    // Installs the newest on first use; a failed install fails the tests (never skips them).
    await ensureClaude(version);
    expect(await reportedVersion(binDir)).toMatch(new RegExp(`^${version.replaceAll('.', '\\.')}\\b`));
    api = await startFakeAnthropicApi({
      turns: [
        { kind: 'text', text: MARKDOWN_ANSWER, chunkSize: CHUNK_SIZE, delayMs: CHUNK_DELAY_MS },
        { kind: 'text', text: SECOND_ANSWER },
        { kind: 'tool_use', name: 'Bash', input: { command: `touch ${MARKER}`, description: 'Create the marker file' }, text: 'I will create it.' },
        { kind: 'text', text: AFTER_TOOL_ANSWER },
        { kind: 'text', text: HAND_TYPED_ANSWER },
      ],
    });
    mkdirSync(workdir, { recursive: true });
    useFakeClaude(env, api.url, binDir);
    useStatusPath(env, path);
    writeClaudeDefaultProfile(env);
  }, 600_000);
  afterAll(async () => {
    await env.cleanup();
    await api?.close();
  });

  async function events(): Promise<EventStream> {
    return openEvents(await env.client(), { terminal: id, types: 'terminal.status' });
  }

  it('launches headless: no dialog blocks, the terminal becomes idle', async () => {
    const t = await env.launch(['--profile', 'claude_default', '--cwd', workdir]);
    id = t.id;
    expect(t.provider).toBe('claude_code');
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
      expect(turn.endedAt! - turn.at).toBeGreaterThanOrEqual((CHUNKS - 1) * CHUNK_DELAY_MS);
    } finally {
      stream.close();
    }
  }, 45_000);

  it('reports the answer: exactly as the model wrote it (events), or as Claude rendered it (screen)', async () => {
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

  it('shows a permission prompt as waiting_input and continues once approved', async () => {
    const stream = await events();
    try {
      await env.cliOk(['send', id, 'Create the marker file']);
      const asked = await statusesUntil(stream, (s) => s === 'waiting_input' || s === 'completed' || s === 'error', 30_000);
      expect(asked.at(-1)!.status).toBe('waiting_input');
      expect(existsSync(join(workdir, MARKER))).toBe(false);
      const client = await env.client();
      await client.post(`/terminals/${id}/keys`, { keys: claude.answerKeys!.approve });
      const rest = await statusesUntil(stream, (s) => s === 'completed' || s === 'error', 30_000);
      expect(rest.at(-1)!.status).toBe('completed');
    } finally {
      stream.close();
    }
    expect(existsSync(join(workdir, MARKER))).toBe(true);
    // The command ran and its result went back to the model, which then gave the final answer.
    const followUp = api.turnRequests().find((r) => r.turnIndex === 3)!;
    expect(toolResults(followUp.body)).toHaveLength(1);
    expect(await env.cliOk(['output', id, '--last'])).toBe(AFTER_TOOL_ANSWER);
  }, 45_000);

  // On the screen alone a quick turn typed by hand may pass between two judgements unseen: events only.
  it.runIf(path === 'events')('follows a prompt typed into the pane by hand, to completed with its answer', () => expectHandTypedPromptFollowed(env, id), 45_000);

  it('shuts down, leaving no process of the pane behind', async () => {
    const t = await (await env.client()).get<TerminalRecord>(`/terminals/${id}`);
    const pane = await env.tmux(['display-message', '-p', '-t', t.tmuxPane, '#{pane_pid}']);
    const panePid = Number(String(pane.stdout).trim());
    const tree = paneProcessTree(panePid);
    // The pane's wrapper shell, claude itself and the conductor's MCP server it started.
    const commands = tree.map(commandLine);
    expect(commands.some((c) => /\bclaude\b/.test(c))).toBe(true);
    // The claude running is the one of this version.
    expect(tree.map(executable)).toContain(realpathSync(join(binDir, 'claude')));
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
