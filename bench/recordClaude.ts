/**
 * Records Claude Code golden screens (test/golden/claude_code/<version>/) from the real CLI.
 *
 *   npm run build && node dist/bench/recordClaude.js [--version 2.1.332] [--scenario TEXT] [--only case,case] [--out DIR]
 *
 * `--scenario` runs only the scenarios whose name contains TEXT, `--only` keeps only those cases.
 *
 * Each scenario runs `claude` of that verified version (test/helpers/claudeVersions.ts installs
 * the newest on first use) in a private tmux server (`tmux -L`, one 200x50 window), launched with
 * exactly the argv, environment and seeded config dir that providers/claude_code.ts's launch()
 * produces, against the local fake Anthropic API (test/fakes/anthropic-api.ts). Steps wait on the
 * screen or on the fake's requests, never on a timer, and `tmux capture-pane -p` each state into
 * `<case>.screen.txt`, with `<case>.json` = {status, lastResponse, note}: what the screen must read
 * as, written here by hand per case (not by the parser under test). Paths of the recording
 * folder are replaced by /home/user. At the end every case is run through the provider's detector
 * and extractor and mismatches are listed: that is the parsing left to adjust.
 *
 * The script also serves, when started with `--serve-whoami`, a one-tool MCP server (`whoami`
 * answers `term-42`) that stands in for the conductor's own in the MCP scenarios.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { provider } from '../providers/claude_code.js';
import { waitForExit } from '../src/process/tree.js';
import type { LaunchContext, ProfileForLaunch } from '../src/providers/types.js';
import { lastUserText, startFakeAnthropicApi, type FakeAnthropicApi, type FakeTurn } from '../test/fakes/anthropic-api.js';
import { CLAUDE_VERSIONS, ensureClaude, NEWEST_CLAUDE_VERSION } from '../test/helpers/claudeVersions.js';
import { findRepoRoot } from './world.js';

const WIDTH = 200;
const HEIGHT = 50;
const API_KEY = 'sk-ant-test-dummy-key-0000000000000000';
const SANITIZED_ROOT = '/home/user';

interface Expectation {
  status: 'starting' | 'idle' | 'busy' | 'waiting_input' | 'error';
  lastResponse: string | null;
  inputPending?: boolean;
  note: string;
}

interface Recorded extends Expectation {
  name: string;
  screen: string;
}

interface Scenario {
  name: string;
  turns: FakeTurn[];
  defaultReply?: FakeTurn;
  profile?: Omit<ProfileForLaunch, 'name'>;
  /** Changes the seeded global config (`.claude.json`) before launch. */
  seed?: (config: Record<string, any>) => void;
  /** Changes the generated settings file before launch. */
  settings?: (settings: Record<string, any>) => void;
  extraArgs?: string[];
  env?: Record<string, string>;
  /** Leave the IS_SANDBOX launch() sets for root out. */
  dropSandbox?: boolean;
  /** A PreToolUse hook that denies every call. */
  denyHook?: boolean;
  steps: (r: Recorder) => Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Screen helpers

function sanitize(screen: string, roots: string[]): string {
  let out = screen;
  for (const root of roots) out = out.split(root).join(SANITIZED_ROOT);
  // One trailing newline per row as capture-pane prints them; trailing spaces are kept.
  return out;
}

/** The tail of a known answer from its first line on the screen (the rest scrolled away). */
function visiblePart(answer: string, screen: string): string {
  const lines = answer.split('\n');
  const first = lines.findIndex((line) => line !== '' && screen.includes(line));
  return lines.slice(Math.max(0, first)).join('\n');
}

const hasInputBox = (screen: string) => /^─{20,}\n❯.*\n(?:.*\n)*?─{20,}$/m.test(screen);
/** A dialog's menu cursor, numbered (`❯ 1. Yes`) or not (`❯ No, exit`). */
const MENU = /^ +❯ \S/m;
const busyFooter = (screen: string) => /esc to interrupt/.test(screen);

class Recorder {
  private lastScreen = '';
  constructor(
    readonly socket: string,
    readonly api: FakeAnthropicApi,
    readonly project: string,
    private readonly roots: string[],
    private readonly wanted: (name: string) => boolean,
    /** Cases recorded so far (kept when a later step fails). */
    readonly recorded: Recorded[],
  ) {}

  tmux(args: string[]) {
    return execa('tmux', ['-L', this.socket, ...args], { reject: false });
  }

  async screen(scrollback = 0): Promise<string> {
    const r = await this.tmux(['capture-pane', '-p', '-t', 'rec', ...(scrollback ? ['-S', String(-scrollback)] : [])]);
    this.lastScreen = String(r.stdout);
    return this.lastScreen;
  }

  /** Polls the screen until `pred` holds; `stable` also wants it unchanged over three looks. */
  async waitFor(what: string, pred: (screen: string) => boolean, opts: { timeoutMs?: number; stable?: boolean } = {}): Promise<string> {
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    let same = 0;
    let previous = '';
    for (;;) {
      const screen = await this.screen();
      if (pred(screen)) {
        if (!opts.stable) return screen;
        same = screen === previous ? same + 1 : 0;
        if (same >= 3) return screen;
      } else {
        same = 0;
      }
      previous = screen;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last screen:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }

  /** Waits for the idle input box with `text` on screen, output settled. */
  idleWith(text: string, timeoutMs = 30_000): Promise<string> {
    return this.waitFor(`idle with ${JSON.stringify(text)}`, (s) => s.includes(text) && hasInputBox(s) && !busyFooter(s), { timeoutMs, stable: true });
  }

  async waitTurns(count: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.api.turnRequests().length < count) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for turn request ${count}; screen:\n${this.lastScreen}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Pastes text (bracketed) and presses Enter once the pane shows it. */
  async type(text: string): Promise<void> {
    const before = await this.screen();
    await execa('tmux', ['-L', this.socket, 'load-buffer', '-b', 'rec', '-'], { input: text });
    await this.tmux(['paste-buffer', '-p', '-d', '-b', 'rec', '-t', 'rec']);
    const firstLine = text.split('\n')[0];
    await this.waitFor('the paste to show', (s) => s !== before && (s.includes(firstLine) || /Pasted text/.test(s)), { timeoutMs: 10_000 });
    await this.keys('Enter');
  }

  async keys(...keys: string[]): Promise<void> {
    await this.tmux(['send-keys', '-t', 'rec', ...keys]);
  }

  /** Answers the dialog on screen as the conductor would (the provider's startupDialogs) and checks it leads to the prompt. */
  async answerStartupDialog(): Promise<void> {
    const screen = await this.screen();
    const dialogs = (provider.startupDialogs ?? []).filter((d) => d.match.test(screen));
    if (dialogs.length !== 1) throw new Error(`${dialogs.length} startupDialogs rules match this dialog:\n${screen}`);
    await this.tmux(['send-keys', '-t', 'rec', ...dialogs[0].keys]);
    await this.idleWith('❯', 15_000);
    console.log(`  answered: ${dialogs[0].description}`);
  }

  /** Records the current (or given) screen as a case. */
  async capture(name: string, expected: Expectation, opts: { screen?: string; scrollback?: number } = {}): Promise<void> {
    if (!this.wanted(name)) return;
    const screen = opts.scrollback ? await this.screen(opts.scrollback) : (opts.screen ?? (await this.screen()));
    this.recorded.push({ name, screen: sanitize(screen, this.roots), ...expected });
    console.log(`  recorded ${name} (${expected.status})`);
  }
}

// ---------------------------------------------------------------------------------------------
// The scenarios

const SLOW_ANSWER =
  'I am thinking about your question slowly. This reply is streamed in small pieces so that the terminal stays busy for a while, and the spinner keeps spinning while the words arrive one after another.';

const MARKDOWN_SUMMARY = [
  'Here is a summary of the change.',
  '',
  '## Steps',
  '',
  '1. Read the **config** file.',
  '2. Parse the `YAML` body.',
  '3. Write the result.',
  '',
  '- first bullet',
  '- second bullet with `inline code`',
  '',
  '```ts',
  'function add(a: number, b: number): number {',
  '  return a + b;',
  '}',
  '```',
  '',
  'That is all.',
].join('\n');
const MARKDOWN_SUMMARY_RENDERED = MARKDOWN_SUMMARY.replace('## ', '')
  .replace(/```ts\n|```\n/g, '')
  .replace(/\*\*|`/g, '');

const LONG_LIST = ['Here are the eighty checks I ran:', '', ...Array.from({ length: 80 }, (_, i) => `${i + 1}. Check number ${i + 1} passed without warnings.`), '', 'All eighty checks passed.'].join('\n');

const WRAPPED =
  'This is a deliberately long paragraph that goes on and on so that it is wider than the two hundred columns of the pane, which makes Claude Code wrap it onto a second line when it renders the answer in the terminal for the user to read.\n\nA second, short paragraph.';

const LONG_WORDS = [
  'Here is the constant, on one line:',
  '',
  '```ts',
  `const token = "${'z'.repeat(240)}";`,
  '```',
  '',
  `Wrapped prose ends a row exactly at the edge: ${'a'.repeat(51)} ${'b'.repeat(100)} c d`,
  '',
  `The link: https://example.com/${'p'.repeat(200)} is long.`,
].join('\n');
const LONG_WORDS_RENDERED = LONG_WORDS.replace(/```ts\n|```\n/g, '');

const MULTILINE_ANSWER = 'Got three lines:\n\n- line one\n- line two\n- line three';

/** Replies for the error scenario, chosen by the prompt's text. */
function byPrompt(): FakeTurn {
  let overloaded = 0;
  return {
    kind: 'dynamic',
    make: (body) => {
      // A failed prompt stays in the conversation: look for the latest one first.
      const prompt = lastUserText(body);
      if (prompt.includes('fail with 401')) return { kind: 'error', status: 401, errorType: 'authentication_error', shouldRetry: false, message: 'invalid x-api-key' };
      if (prompt.includes('unauthorized, retrying')) return { kind: 'error', status: 401, errorType: 'authentication_error', message: 'invalid x-api-key' };
      if (prompt.includes('fail with 429')) return { kind: 'error', status: 429, errorType: 'rate_limit_error', shouldRetry: false, message: 'Rate limited' };
      if (prompt.includes('fail with 500')) return { kind: 'error', status: 500, shouldRetry: false, message: 'Internal server error' };
      if (prompt.includes('are you overloaded?')) return ++overloaded <= 4 ? { kind: 'error', status: 529 } : { kind: 'text', text: 'Answer after the retries.' };
      return { kind: 'text', text: 'OK.' };
    },
  };
}

const text = (t: string, more: Partial<Extract<FakeTurn, { kind: 'text' }>> = {}): FakeTurn => ({ kind: 'text', text: t, ...more });
const bash = (command: string, description: string): FakeTurn => ({ kind: 'tool_use', name: 'Bash', input: { command, description } });

const scenarios: Scenario[] = [
  {
    name: 'conversation in the default permission mode',
    profile: { permissionMode: 'default' },
    turns: [
      text(SLOW_ANSWER, { chunkSize: 3, delayMs: 250, startDelayMs: 4000 }),
      bash('ls', 'List files'),
      text(MARKDOWN_SUMMARY),
      text('Second answer: the tests pass now.'),
      bash('touch created-by-agent.txt', 'Create an empty file'),
      text('Created the file.'),
      bash('rm -f created-by-agent.txt', 'Remove the file'),
      { kind: 'tool_use', name: 'Write', input: { file_path: 'notes.md', content: '# Notes\n\n- first\n- second\n' } },
      text('Wrote notes.md with two items.'),
      bash('sleep 8', 'Wait a moment'),
      text('Done waiting.'),
    ],
    async steps(r) {
      const first = await r.screen();
      if (first.trim() === '') await r.capture('starting_blank', { status: 'starting', lastResponse: null, note: 'Captured right after launch, before the first frame.' }, { screen: first });
      await r.idleWith('❯');
      await r.capture('fresh_idle', { status: 'idle', lastResponse: null, note: 'Fresh session, default permission mode, nothing asked yet.' });

      await r.type('tell me something slowly');
      await r.waitTurns(1);
      await r.waitFor('the spinner', (s) => busyFooter(s) && s.includes('tell me something slowly'));
      await r.capture('busy_waiting_first_token', { status: 'busy', lastResponse: null, note: 'Prompt sent; the fake holds the reply back (startDelayMs) so only the spinner shows.' });
      await r.waitFor('the answer to start', (s) => /^● ?/m.test(s) && busyFooter(s), { timeoutMs: 15_000 });
      await r.capture('busy_streaming', { status: 'busy', lastResponse: null, note: 'Slow reply streaming 3 characters every 250 ms, first chunks arrived.' });
      await r.waitFor('more of the answer', (s) => busyFooter(s) && Number(/↓ (\d+) tokens/.exec(s)?.[1] ?? 0) >= 25, { timeoutMs: 40_000 });
      await r.capture('busy_streaming2', { status: 'busy', lastResponse: null, note: 'Same stream some seconds later (25 tokens and more received).' });
      await r.idleWith('one after another.', 90_000);
      await r.capture('idle_after_slow_answer', { status: 'idle', lastResponse: SLOW_ANSWER, note: 'After the slow streamed reply finished; the answer line is exactly 200 columns wide.' });

      await r.type('summarise the change');
      await r.idleWith('That is all.');
      await r.capture('idle_markdown_after_tool', {
        status: 'idle',
        lastResponse: MARKDOWN_SUMMARY_RENDERED,
        note: 'Bash tool (ls, auto-allowed) ran, then a markdown answer; Claude renders the markdown: markup is dropped, code keeps its indentation.',
      });

      await r.type('and the tests?');
      await r.idleWith('Second answer: the tests pass now.');
      await r.capture('idle_second_answer', { status: 'idle', lastResponse: 'Second answer: the tests pass now.', note: 'Second answer below the markdown one; only the latest counts.' });
      await r.capture('idle_second_answer_scrollback', { status: 'idle', lastResponse: 'Second answer: the tests pass now.', note: 'Same, captured with -S -200 (scrollback).' }, { scrollback: 200 });

      await r.type('create a file');
      await r.waitFor('the permission prompt', (s) => /❯ 1\. Yes/.test(s), { stable: true });
      await r.capture('permission_bash', { status: 'waiting_input', lastResponse: null, note: 'Default permission mode, Bash `touch` asks for permission.' });
      await r.keys('1');
      await r.idleWith('Created the file.');
      await r.capture('idle_after_approved_tool', { status: 'idle', lastResponse: 'Created the file.', note: 'Permission prompt approved with key 1; tool ran; final answer.' });

      await r.type('remove it again');
      await r.waitFor('the second permission prompt', (s) => /❯ 1\. Yes/.test(s) && s.includes('rm -f'), { stable: true });
      await r.capture('permission_bash_rm', { status: 'waiting_input', lastResponse: null, note: 'Second permission prompt in the same session, after an earlier answer.' });
      await r.keys('Escape');
      await r.waitFor('the denied turn to end', (s) => /Interrupted|[Rr]ejected|denied/.test(s) && hasInputBox(s) && !busyFooter(s), { stable: true });
      await r.capture('idle_after_denied_tool', { status: 'idle', lastResponse: null, note: 'Permission prompt denied with Escape: the turn ends without an answer.' });

      await r.type('write some notes');
      await r.waitFor('the write prompt', (s) => /❯ 1\. Yes/.test(s) && s.includes('notes.md'), { stable: true });
      await r.capture('permission_write', { status: 'waiting_input', lastResponse: null, note: 'Write tool asks to create notes.md: a preview, then the numbered menu.' });
      await r.keys('1');
      await r.idleWith('Wrote notes.md with two items.');
      await r.capture('idle_after_write', { status: 'idle', lastResponse: 'Wrote notes.md with two items.', note: 'Write approved with key 1; the file preview stays in the transcript above the answer.' });

      await r.type('wait a moment');
      await r.waitFor('the running tool', (s) => s.includes('sleep 8') && busyFooter(s) && !/❯ 1\. Yes/.test(s));
      await r.capture('busy_tool', { status: 'busy', lastResponse: null, note: 'Bash tool `sleep 8` running (auto-allowed read-only command).' });
      await r.waitFor('the tool a few seconds in', (s) => s.includes('sleep 8') && busyFooter(s) && /\b[4-7]s\b/.test(s), { timeoutMs: 15_000 });
      await r.capture('busy_tool2', { status: 'busy', lastResponse: null, note: 'Same tool a few seconds in.' });
      await r.idleWith('Done waiting.');
    },
  },
  {
    name: 'queueing and long answers in the default permission mode',
    profile: { permissionMode: 'default' },
    turns: [
      text('Answer to the first message.', { startDelayMs: 5000 }),
      text('Answer to the queued message.'),
      text(LONG_LIST),
      text(WRAPPED),
      text(LONG_WORDS),
      text(MULTILINE_ANSWER),
      text('This answer is never shown.', { startDelayMs: 8000 }),
    ],
    async steps(r) {
      await r.idleWith('❯');
      await r.type('first message');
      await r.waitFor('the spinner', (s) => busyFooter(s) && s.includes('first message'));
      await r.type('queued message');
      await r.waitFor('the queued message', (s) => busyFooter(s) && s.includes('queued message'), { stable: false });
      await r.capture('busy_with_queued_message', { status: 'busy', lastResponse: null, note: 'A second message typed and submitted while busy: queued under the spinner.' });
      await r.idleWith('Answer to the queued message.');
      await r.capture('idle_after_queued', { status: 'idle', lastResponse: 'Answer to the queued message.', note: 'After the queued message was answered.' });

      await r.type('run all the checks');
      await r.idleWith('All eighty checks passed.');
      const screen = await r.screen();
      await r.capture('idle_long_answer_visible', {
        status: 'idle',
        lastResponse: visiblePart(LONG_LIST, screen),
        note: 'An 80-item answer taller than the pane, visible screen only: the answer start scrolled away, lastResponse is the visible tail.',
      }, { screen });
      const history = await r.screen(200);
      const whole = visiblePart(LONG_LIST, history) === LONG_LIST;
      await r.capture('idle_long_answer_scrollback', {
        status: 'idle',
        lastResponse: visiblePart(LONG_LIST, history),
        note: `Same, captured with -S -200 (scrollback): ${whole ? 'the whole answer' : 'the CLI left no more of the answer in the scrollback than is visible'}.`,
      }, { screen: history });

      await r.type('write a long paragraph');
      await r.idleWith('A second, short paragraph.');
      await r.capture('idle_long_wrapped_answer', { status: 'idle', lastResponse: WRAPPED, note: 'A paragraph wider than the pane is soft-wrapped by Claude; lastResponse joins it again.' });

      await r.type('show the constant');
      await r.idleWith('is long.');
      await r.capture('idle_long_word_cut', {
        status: 'idle',
        lastResponse: LONG_WORDS_RENDERED,
        note: 'Words longer than a row (a 240-character string in a code block, a long URL in prose) are cut at the pane edge: their pieces join without a space. A prose row that ends exactly at column 200 (before "c d") is an ordinary wrap. Code fences are dropped by Claude.',
      });

      await r.type('line one\nline two\nline three');
      await r.idleWith('- line three');
      await r.capture('idle_after_multiline_prompt', { status: 'idle', lastResponse: MULTILINE_ANSWER, note: 'A three-line prompt pasted with bracketed paste, then the answer.' });

      await r.type('never mind');
      await r.waitTurns(7);
      await r.waitFor('the spinner', (s) => busyFooter(s) && s.includes('never mind'));
      await r.keys('Escape');
      const interrupted = await r.waitFor('the interrupted turn', (s) => hasInputBox(s) && !busyFooter(s), { stable: true });
      // 2.1.197 drops the turn from the transcript and puts the prompt back into the input box.
      const putBack = /^❯[ \u00a0]never mind$/m.test(interrupted.split(/^─{20,}$/m).at(-2) ?? '');
      await r.capture('idle_interrupted', {
        status: 'idle',
        lastResponse: interrupted.includes('❯ line one') ? MULTILINE_ANSWER : null,
        inputPending: putBack,
        note: `Escape pressed before the first token${putBack ? ': the prompt is put back into the input box' : ''}; the answer before stays the last one.`,
      }, { screen: interrupted });
      // The interrupted prompt may be put back into the input box: clear it.
      await r.keys('C-u');
    },
  },
  {
    name: 'API errors in the default permission mode',
    profile: { permissionMode: 'default' },
    turns: [],
    // Decided by the prompt, so that the CLI's own retries of a request get the same answer.
    defaultReply: byPrompt(),
    async steps(r) {
      await r.idleWith('❯');
      await r.type('are you overloaded?');
      await r.waitFor('the retry notice', (s) => /[Rr]etrying/.test(s) && busyFooter(s), { timeoutMs: 20_000 });
      await r.capture('busy_retrying_1', { status: 'busy', lastResponse: null, note: 'The fake answers 529 overloaded (no x-should-retry header): Claude retries with backoff.' });
      await r.idleWith('Answer after the retries.', 60_000);

      await r.type('fail with 500');
      await r.waitFor('the 500 error', (s) => /500/.test(s) && hasInputBox(s) && !busyFooter(s), { stable: true });
      await r.capture('api_error_500', { status: 'error', lastResponse: null, note: 'Fake answers 500 with x-should-retry: false; Claude prints the API error and returns to the prompt.' });

      await r.type('fail with 429');
      await r.waitFor('the 429 error', (s) => /429|[Rr]ate limit/.test(s.split('fail with 429')[1] ?? '') && hasInputBox(s) && !busyFooter(s), { stable: true });
      await r.capture('api_error_429', { status: 'error', lastResponse: null, note: 'Fake answers 429 rate_limit_error with x-should-retry: false.' });

      await r.type('unauthorized, retrying');
      // Without x-should-retry: false, 2.1.332 retries a 401 (2.1.197 gives up at once).
      const retrying = await r.waitFor('the 401 retry or error', (s) => {
        const after = s.split('unauthorized, retrying')[1] ?? '';
        return /[Rr]etrying in \d+/.test(after) || (/401|API key|[Ii]nvalid/.test(after) && !busyFooter(s));
      }, { timeoutMs: 30_000 });
      if (busyFooter(retrying)) {
        await r.capture('busy_retrying_401', { status: 'busy', lastResponse: null, note: 'Fake answers 401 without x-should-retry: Claude retries it with backoff and shows the error in the spinner line.' }, { screen: retrying });
        await r.keys('Escape');
        await r.waitFor('the interrupted retry', (s) => hasInputBox(s) && !busyFooter(s), { stable: true });
        await r.keys('C-u');
      }

      await r.type('fail with 401');
      await r.waitFor('the 401 error', (s) => /401|API key|[Ii]nvalid|[Ll]ogin/.test(s.split('fail with 401')[1] ?? '') && !busyFooter(s), { stable: true, timeoutMs: 60_000 });
      await r.capture('api_error_401', { status: 'error', lastResponse: null, note: 'Fake answers 401 authentication_error with x-should-retry: false (without it, 2.1.332 retries a 401 up to ten times).' });

      await r.api.close();
      await r.type('are you there?');
      await r.waitFor('the connection retry', (s) => /[Rr]etrying/.test(s.split('are you there?')[1] ?? ''), { timeoutMs: 60_000 });
      await r.capture('busy_connection_retrying', { status: 'busy', lastResponse: null, note: 'Fake API stopped: Claude retries the connection.' });
    },
  },
  {
    name: 'MCP tool in the default permission mode',
    profile: { permissionMode: 'default' },
    turns: [{ kind: 'tool_use', name: 'mcp__conductor__whoami', input: {} }, text('You are in terminal term-42.')],
    async steps(r) {
      await r.idleWith('❯');
      await r.type('who am I?');
      // Claude 2.1.197 asks before an MCP tool in the default mode; 2.1.332 calls a read-only one at once.
      const screen = await r.waitFor('the MCP permission prompt or the answer', (s) => /❯ 1\. Yes/.test(s) || s.includes('You are in terminal term-42.'), { stable: true });
      if (/❯ 1\. Yes/.test(screen)) {
        await r.capture('permission_mcp', { status: 'waiting_input', lastResponse: null, note: 'Permission prompt for the MCP tool mcp__conductor__whoami.' });
        await r.keys('1');
      }
      await r.idleWith('You are in terminal term-42.');
      await r.capture('idle_after_mcp_tool', { status: 'idle', lastResponse: 'You are in terminal term-42.', note: 'MCP tool called after approval, then the answer.' });
    },
  },
  {
    name: 'bypass permissions mode with MCP and a denying hook',
    profile: { permissionMode: 'bypassPermissions' },
    denyHook: true,
    turns: [
      { kind: 'tool_use', name: 'mcp__conductor__whoami', input: {}, text: 'Let me check which terminal this is.' },
      text('You are in terminal term-42.'),
      bash('touch blocked.txt', 'Create a file'),
      text('The command was blocked by the hook.'),
    ],
    async steps(r) {
      await r.idleWith('❯');
      await r.capture('fresh_idle_bypass', { status: 'idle', lastResponse: null, note: 'Fresh session in bypassPermissions mode (IS_SANDBOX=1 as root, skipDangerousModePermissionPrompt via --settings), MCP config and a PreToolUse hook.' });
      await r.type('who am I?');
      await r.idleWith('You are in terminal term-42.');
      await r.capture('idle_after_mcp_tool_bypass', { status: 'idle', lastResponse: 'You are in terminal term-42.', note: 'Bypass mode: prose before the MCP tool call, the tool call, final answer (only the final answer counts).' });
      await r.type('create a file');
      await r.idleWith('The command was blocked by the hook.');
      await r.capture('idle_after_hook_denied', { status: 'idle', lastResponse: 'The command was blocked by the hook.', note: 'Bypass mode; the PreToolUse hook from --settings denied the Bash call.' });
    },
  },
  {
    name: 'auto mode (no permission mode given)',
    turns: [],
    async steps(r) {
      await r.idleWith('❯');
      await r.capture('fresh_idle_auto', { status: 'idle', lastResponse: null, note: 'Fresh session without --permission-mode: the CLI default.' });
    },
  },
  {
    name: 'trust dialog',
    seed: (config) => delete config.projects,
    turns: [],
    async steps(r) {
      await r.waitFor('the trust dialog', (s) => /trust this folder/.test(s) && MENU.test(s), { stable: true });
      await r.capture('trust_dialog', { status: 'waiting_input', lastResponse: null, note: 'No trust seeded for the project: the workspace trust dialog. Answered by startupDialogs.' });
      await r.answerStartupDialog();
    },
  },
  {
    name: 'API key dialog',
    seed: (config) => delete config.customApiKeyResponses,
    turns: [],
    async steps(r) {
      await r.waitFor('the API key dialog', (s) => /API key/.test(s) && MENU.test(s), { stable: true });
      await r.capture('apikey_dialog', { status: 'waiting_input', lastResponse: null, note: 'No customApiKeyResponses seeded: the custom API key dialog. Answered by startupDialogs.' });
      await r.answerStartupDialog();
    },
  },
  {
    name: 'bypass mode warning',
    settings: (settings) => delete settings.skipDangerousModePermissionPrompt,
    extraArgs: ['--dangerously-skip-permissions'],
    env: { IS_SANDBOX: '1' },
    turns: [],
    async steps(r) {
      await r.waitFor('the bypass warning', (s) => /Bypass Permissions mode/i.test(s) && MENU.test(s), { stable: true });
      await r.capture('bypass_dialog', { status: 'waiting_input', lastResponse: null, note: '--dangerously-skip-permissions without skipDangerousModePermissionPrompt: the bypass warning. Answered by startupDialogs.' });
      await r.answerStartupDialog();
    },
  },
  {
    name: 'onboarding',
    seed: (config) => {
      delete config.hasCompletedOnboarding;
      delete config.lastOnboardingVersion;
    },
    turns: [],
    async steps(r) {
      await r.waitFor('the theme picker', (s) => /theme/i.test(s) && MENU.test(s), { stable: true });
      await r.capture('onboarding_theme', { status: 'waiting_input', lastResponse: null, note: 'No hasCompletedOnboarding seeded: the first-run theme picker.' });
    },
  },
  {
    name: 'root refusal',
    extraArgs: ['--dangerously-skip-permissions'],
    dropSandbox: true,
    turns: [],
    async steps(r) {
      if (!(typeof process.getuid === 'function' && process.getuid() === 0)) return;
      await r.waitFor('the pane to exit', (s) => /Pane is dead/.test(s), { stable: true });
      await r.capture('error_root_refusal', { status: 'error', lastResponse: null, note: 'Not a TUI screen: --dangerously-skip-permissions as root without IS_SANDBOX=1 prints a refusal and exits 1; pane kept with remain-on-exit, captured with -S -50.' }, { scrollback: 50 });
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Running a scenario

async function runScenario(scenario: Scenario, binDir: string, script: string, wanted: (name: string) => boolean, sink: Recorded[]): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'claude-rec-'));
  const roots = [...new Set([realpathSync(root), root])].sort((a, b) => b.length - a.length);
  const project = join(root, 'project');
  const runtimeDir = join(root, 'runtime');
  mkdirSync(project, { recursive: true });
  mkdirSync(runtimeDir, { recursive: true });
  const api = await startFakeAnthropicApi({ turns: scenario.turns, defaultReply: scenario.defaultReply });
  const socket = `claude-rec-${randomBytes(4).toString('hex')}`;
  const r = new Recorder(socket, api, project, roots, wanted, sink);
  console.log(`scenario: ${scenario.name}`);
  try {
    const baseEnv = { ...process.env, ANTHROPIC_BASE_URL: api.url, ANTHROPIC_API_KEY: API_KEY };
    const ctx: LaunchContext = {
      terminalId: 'term-42',
      cwd: project,
      runtimeDir,
      profile: scenario.profile ? { name: 'recording', ...scenario.profile } : undefined,
      // Every terminal gets the conductor's MCP server; this script's whoami server stands in for it.
      mcp: { command: process.execPath, args: [script, '--serve-whoami'], env: {} },
      hook: scenario.denyHook ? { command: 'sh', args: ['-c', 'echo "Blocked by the recording hook" >&2; exit 2'] } : undefined,
      baseEnv,
    };
    const spec = provider.launch(ctx);
    for (const file of spec.files ?? []) {
      let content = file.content;
      if (file.path.endsWith('.claude.json') && scenario.seed) {
        const config = JSON.parse(content);
        scenario.seed(config);
        content = JSON.stringify(config, null, 2) + '\n';
      }
      if (file.path.endsWith('claude-settings.json') && scenario.settings) {
        const settings = JSON.parse(content);
        scenario.settings(settings);
        content = JSON.stringify(settings, null, 2) + '\n';
      }
      mkdirSync(dirname(file.path), { recursive: true });
      writeFileSync(file.path, content, { mode: file.mode ?? 0o644 });
    }
    const env: Record<string, string> = {
      ...spec.env,
      ANTHROPIC_BASE_URL: api.url,
      ANTHROPIC_API_KEY: API_KEY,
      CLAUDE_CODE_HIDE_CWD: '1',
      PATH: `${binDir}:${process.env.PATH}`,
      ...scenario.env,
    };
    if (scenario.dropSandbox) delete env.IS_SANDBOX;
    const command = [
      'env',
      ...(spec.unsetEnv ?? []).flatMap((name) => ['-u', name]),
      ...(scenario.dropSandbox ? ['-u', 'IS_SANDBOX'] : []),
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
      ...spec.argv,
      ...(scenario.extraArgs ?? []),
    ];
    // A placeholder first, so remain-on-exit is set before claude can exit.
    const started = await r.tmux(['-f', '/dev/null', 'new-session', '-d', '-s', 'rec', '-x', String(WIDTH), '-y', String(HEIGHT), '-c', project, 'cat']);
    if (started.exitCode !== 0) throw new Error(`tmux new-session failed: ${started.stderr}`);
    await r.tmux(['set-option', '-g', 'remain-on-exit', 'on']);
    await r.tmux(['respawn-pane', '-k', '-t', 'rec', '-c', project, ...command]);
    await scenario.steps(r);
  } finally {
    // Stop claude and wait for it (and the MCP server it started) to be gone before removing its folder.
    const pane = await r.tmux(['display-message', '-p', '-t', 'rec', '#{pane_pid}']);
    const pid = Number(String(pane.stdout).trim());
    const socketPath = String((await r.tmux(['display-message', '-p', '#{socket_path}'])).stdout).trim();
    await r.tmux(['kill-server']);
    if (socketPath) rmSync(socketPath, { force: true });
    if (pid > 0) await waitForExit([pid], 10_000).catch(() => undefined);
    await api.close().catch(() => undefined);
    rmSync(root, { recursive: true, force: true, maxRetries: 20, retryDelay: 200 });
  }
}

// ---------------------------------------------------------------------------------------------
// The whoami MCP server (for the MCP scenarios)

async function serveWhoami(): Promise<void> {
  const { McpServer } = await import('@modelcontextprotocol/sdk/server/mcp.js');
  const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
  const server = new McpServer({ name: 'conductor', version: '0.0.0' });
  server.registerTool('whoami', { description: 'Which terminal this is' }, async () => ({ content: [{ type: 'text', text: 'term-42' }] }));
  await server.connect(new StdioServerTransport());
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--serve-whoami')) return serveWhoami();
  const option = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const version = option('--version') ?? NEWEST_CLAUDE_VERSION;
  if (!CLAUDE_VERSIONS.some((v) => v.version === version)) throw new Error(`unknown version ${version}; add it to test/helpers/claudeVersions.ts first`);
  const only = option('--only')?.split(',');
  const scenarioFilter = option('--scenario');
  const wanted = (name: string) => !only || only.includes(name);
  const repoRoot = findRepoRoot();
  const out = option('--out') ?? join(repoRoot, 'test', 'golden', 'claude_code', version);
  const { binDir } = await ensureClaude(version);
  const script = fileURLToPath(import.meta.url);
  const recorded: Recorded[] = [];
  const failures: string[] = [];
  for (const scenario of scenarios) {
    if (scenarioFilter && !scenario.name.includes(scenarioFilter)) continue;
    try {
      await runScenario(scenario, binDir, script, wanted, recorded);
    } catch (error) {
      failures.push(`${scenario.name}: ${(error as Error).message}`);
      console.error(`  FAILED: ${(error as Error).message}`);
    }
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'VERSION'), `${version}\n`);
  for (const c of recorded) {
    writeFileSync(join(out, `${c.name}.screen.txt`), c.screen);
    const note = `Recorded with Claude Code ${version} by bench/recordClaude.ts (${WIDTH}x${HEIGHT} pane of a private tmux server, launched as providers/claude_code.ts launches it, against test/fakes/anthropic-api.ts, CLAUDE_CODE_HIDE_CWD=1). ${c.note}`;
    const expected = { status: c.status, lastResponse: c.lastResponse, ...(c.inputPending ? { inputPending: true } : {}), note };
    writeFileSync(join(out, `${c.name}.json`), JSON.stringify(expected, null, 2) + '\n');
  }
  console.log(`\nwrote ${recorded.length} cases to ${out}`);
  const mismatches = recorded.flatMap((c) => {
    const status = provider.detect(c.screen);
    const last = provider.lastResponse(c.screen);
    const pending = provider.inputPending?.(c.screen) ?? false;
    return [
      ...(pending !== (c.inputPending ?? false) ? [`${c.name}: inputPending says ${pending}`] : []),
      ...(status !== c.status ? [`${c.name}: detect says ${status}, expected ${c.status}`] : []),
      ...(last !== c.lastResponse ? [`${c.name}: lastResponse says ${JSON.stringify(last)}, expected ${JSON.stringify(c.lastResponse)}`] : []),
    ];
  });
  if (mismatches.length) console.log(`\nthe parser does not yet read these as recorded:\n  ${mismatches.join('\n  ')}`);
  if (failures.length) {
    console.error(`\nscenarios that failed:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
