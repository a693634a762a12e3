/**
 * OpenAI Codex CLI (`codex`, npm @openai/codex), checked against codex-cli 0.169.0.
 *
 * Launch choices (all found by running the CLI in tmux):
 * - Every conductor setting is passed as a `-c key=value` override, so nothing is ever
 *   written into the user's ~/.codex/config.toml and the user's own login keeps working.
 *   A per-terminal CODEX_HOME would hide the user's auth.json: the TUI then shows its
 *   sign-in screen even with OPENAI_API_KEY or CODEX_API_KEY set.
 * - Test mode: when the conductor's environment has CONDUCTOR_CODEX_BASE_URL, the terminal
 *   gets its own CODEX_HOME (in runtimeDir) whose config.toml defines a model provider with
 *   that base URL (Responses API) and a dummy key, so it never touches the user's home.
 *   Otherwise Codex uses its default OpenAI provider with the user's own auth.
 * - `--no-daemon`: without it Codex starts a shared app-server daemon that outlives the TUI.
 * - `--no-alt-screen`: the conversation goes to the terminal scrollback, so a long answer
 *   can be read back with `capture-pane -S -`; in the alternate screen it is cut off.
 * - The footer status line is set to start with the run state (Starting/Ready/Working/
 *   Thinking): while an answer streams Codex hides its "Working" indicator, and the footer
 *   is the only steady sign of a running turn.
 * - The working directory is marked trusted for this run only, which skips the
 *   "Trust this folder?" dialog (it also lets that folder's .codex/ settings apply).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { cutWordJoiner, lastIndexMatching, screenRows, trimTrailingBlank, unwrapRows, widestLine } from '../src/providers/screen.js';
import type { LaunchContext, LaunchSpec, ProviderDefinition, ScreenState } from '../src/providers/types.js';
import { codexEvents, codexNotify } from './hooks/codex.js';

/** Name of the MCP server that exposes the conductor's tools. The model sees them in namespace `mcp__conductor`. */
export const CONDUCTOR_MCP_SERVER = 'conductor';
const TEST_PROVIDER_ID = 'conductor_test';
const TEST_API_KEY_ENV = 'CONDUCTOR_CODEX_API_KEY';

/** Variables a parent Codex session sets for the commands it runs; a nested start must not inherit them. */
const NESTED_SESSION_ENV = [
  'CODEX_SANDBOX',
  'CODEX_SANDBOX_NETWORK_DISABLED',
  'CODEX_SESSION_ID',
  'CODEX_THREAD_ID',
  'CODEX_TOOL_CALL_ID',
  'CODEX_CI',
  'CODEX_PERMISSION_PROFILE',
  'CODEX_MANAGED_BY_NPM',
  'CODEX_MANAGED_PACKAGE_ROOT',
];

// ---------------------------------------------------------------------------------------
// TOML values for -c overrides and config.toml

type TomlValue = string | number | boolean | TomlValue[] | { [key: string]: TomlValue };

function tomlString(value: string): string {
  // A JSON string is a valid TOML basic string, except that TOML also forbids a raw DEL.
  return JSON.stringify(value).replace(/\u007f/g, '\\u007f');
}

function toml(value: TomlValue): string {
  if (typeof value === 'string') return tomlString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(toml).join(', ')}]`;
  return `{ ${Object.entries(value)
    .map(([k, v]) => `${tomlString(k)} = ${toml(v)}`)
    .join(', ')} }`;
}

function override(key: string, value: TomlValue): string[] {
  return ['-c', `${key}=${toml(value)}`];
}

/** Keys in a dotted -c path must be bare keys; Codex does not read quoted segments there. */
function bareKey(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

function mcpServerTable(server: { command: string; args?: string[]; env?: Record<string, string> }): {
  [key: string]: TomlValue;
} {
  const table: { [key: string]: TomlValue } = { command: server.command, args: server.args ?? [] };
  if (server.env && Object.keys(server.env).length > 0) table.env = { ...server.env };
  return table;
}

/** Profile permission modes → Codex approval/sandbox flags. Unset keeps the user's Codex defaults. */
function approvalArgs(mode: string | undefined): string[] {
  switch (mode) {
    case undefined:
    case '':
    case 'default':
      return [];
    case 'acceptEdits':
    case 'on-request':
    case 'workspace-write':
      return ['--sandbox', 'workspace-write', '--ask-for-approval', 'on-request'];
    case 'plan':
    case 'readOnly':
    case 'read-only':
      return ['--sandbox', 'read-only', '--ask-for-approval', 'on-request'];
    case 'auto':
    case 'never':
      return ['--sandbox', 'workspace-write', '--ask-for-approval', 'never'];
    case 'bypassPermissions':
    case 'yolo':
    case 'danger-full-access':
      return ['--dangerously-bypass-approvals-and-sandbox'];
    default:
      throw new Error(`codex: unknown permissionMode "${mode}"`);
  }
}

function launch(ctx: LaunchContext): LaunchSpec {
  const profile = ctx.profile;
  const argv = ['codex', '--no-daemon', '--no-alt-screen', ...approvalArgs(profile?.permissionMode)];
  if (profile?.model) argv.push('--model', profile.model);

  argv.push(
    ...override('projects', { [ctx.cwd]: { trust_level: 'trusted' } }),
    ...override('tui.status_line', ['run-state', 'model-with-reasoning', 'current-dir']),
    ...override('tui.show_tooltips', false),
    ...override('tui.animations', false),
    ...override('check_for_update_on_startup', false),
  );
  for (const [name, server] of Object.entries(profile?.mcpServers ?? {})) {
    if (bareKey(name) === CONDUCTOR_MCP_SERVER) continue;
    argv.push(...override(`mcp_servers.${bareKey(name)}`, mcpServerTable(server)));
  }
  // The conductor's own tools run without an approval prompt.
  argv.push(
    ...override(`mcp_servers.${CONDUCTOR_MCP_SERVER}`, {
      ...mcpServerTable(ctx.mcp),
      ...(profile?.askForConductorTools ? {} : { default_tools_approval_mode: 'approve' }),
    }),
  );
  if (profile?.systemPrompt) argv.push(...override('developer_instructions', profile.systemPrompt));
  // Codex reports each finished turn, with its last answer, to its notify program.
  if (ctx.events) argv.push(...override('notify', codexNotify(ctx.events)));

  const env: Record<string, string> = { ...(profile?.env ?? {}) };
  const files: NonNullable<LaunchSpec['files']> = [];
  const baseUrl = ctx.baseEnv.CONDUCTOR_CODEX_BASE_URL;
  if (baseUrl) {
    const home = `${ctx.runtimeDir}/codex-home`;
    env.CODEX_HOME = home;
    env[TEST_API_KEY_ENV] = ctx.baseEnv[TEST_API_KEY_ENV] ?? 'dummy';
    files.push({ path: `${home}/config.toml`, content: testConfig(baseUrl, ctx.baseEnv.CONDUCTOR_CODEX_MAX_RETRIES) });
  }
  // Rollouts (with their token_count events) are all this terminal's own in a CODEX_HOME of its own.
  // In a shared home (the user's ~/.codex) a rollout is told apart by its cwd and start time.
  const usageRecords = baseUrl
    ? { format: 'codex' as const, dir: env.CODEX_HOME! }
    : { format: 'codex' as const, dir: env.CODEX_HOME ?? ctx.baseEnv.CODEX_HOME ?? join(homedir(), '.codex'), shared: true };
  // `codex resume <id>` takes the same options; `--no-daemon` belongs to the top-level command.
  if (ctx.resume) argv.splice(2, 0, 'resume');
  if (ctx.resume) argv.push(ctx.resume.sessionId);
  return { argv, env, unsetEnv: NESTED_SESSION_ENV, files, usageRecords };
}

function testConfig(baseUrl: string, maxRetries: string | undefined): string {
  const lines = [
    `model_provider = ${tomlString(TEST_PROVIDER_ID)}`,
    '',
    `[model_providers.${TEST_PROVIDER_ID}]`,
    'name = "Conductor test API"',
    `base_url = ${tomlString(baseUrl)}`,
    `env_key = ${tomlString(TEST_API_KEY_ENV)}`,
    'wire_api = "responses"',
  ];
  if (maxRetries && /^\d+$/.test(maxRetries)) {
    lines.push(`request_max_retries = ${maxRetries}`, `stream_max_retries = ${maxRetries}`);
  }
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------
// Screen reading
//
// Layout (inline mode): history cells, each starting at column 0 ("› prompt", "• answer",
// "• Ran cmd", "■ error") with indented continuation lines; then the composer ("› …"), and
// the footer: run state line ("  Ready · model · cwd") and key hints ("  ← for agents · ? for shortcuts").
// Dialogs (approvals, trust, sign-in) replace the composer and footer.

/** Dialogs that block until someone answers: a question plus its key hint. */
const DIALOG_QUESTION = [
  /Would you like to (run the following command|make the following edits|grant these permissions|send input to the existing terminal)\?/,
  /Do you want to approve network access/,
  /Allow the \S+ MCP server to run tool/,
  /Trust this folder\?/,
  /Sign in with ChatGPT/,
];
const DIALOG_HINT = /(Press enter to confirm or esc to cancel|enter to submit \| esc to cancel|enter continue · esc back|Press enter to continue)$/;

/** The footer status line the provider configures, run state first. */
const RUN_STATE = /^ {2}(Starting|Ready|Working|Thinking)(?: · |$)/;
const KEY_HINTS = /^ {2}.*(\? for shortcuts|for agents)/;
/** The live indicator: "• Working (3s • esc to interrupt)", "◦ Reconnecting... 1/5 (…)", bare "Working (0s …)" without animations. */
const LIVE_INDICATOR = /\([^()]*• esc to interrupt\)/;
const PROMPT = /^› /;
/** Options of a selection dialog are drawn like prompts: "› 1. Yes, proceed (y)". */
const DIALOG_OPTION = /^› \d+\. /;

const isCellStart = (line: string) => line !== '' && !line.startsWith(' ');
const isFooter = (line: string) => RUN_STATE.test(line) || KEY_HINTS.test(line);

/** The composer is the last "› " line with only its own draft lines and the footer below it. */
function findComposer(lines: string[]): number {
  const i = lastIndexMatching(lines, (l) => PROMPT.test(l) && !DIALOG_OPTION.test(l));
  if (i < 0) return -1;
  const below = lines.slice(i + 1);
  return below.some(isFooter) && !below.some(isCellStart) ? i : -1;
}

interface Layout {
  lines: string[];
  /** Index of the composer, or -1 when a dialog (or nothing yet) is shown. */
  composer: number;
  /** Index of the latest user prompt in the history, or -1. */
  prompt: number;
  /** History cells of the current turn (after the latest prompt). */
  turn: string[][];
}

function layout(screen: string): Layout {
  const lines = screenRows(screen);
  const composer = findComposer(lines);
  const historyEnd = composer >= 0 ? composer : lines.length;
  const prompt = lastIndexMatching(lines, (l) => PROMPT.test(l) && !DIALOG_OPTION.test(l), historyEnd);
  const turn: string[][] = [];
  for (let i = prompt + 1; i < historyEnd; i++) {
    const line = lines[i];
    if (isCellStart(line)) turn.push([line]);
    else if (turn.length > 0) turn[turn.length - 1].push(line);
  }
  return { lines, composer, prompt, turn };
}

function detect(screen: string): ScreenState {
  const { lines, composer, prompt, turn } = layout(screen);
  const bottom = lines.slice(-25);
  const bottomText = bottom.join('\n');
  if (DIALOG_QUESTION.some((q) => q.test(bottomText)) && bottom.some((l) => DIALOG_HINT.test(l))) return 'waiting_input';

  const runState = lines.map((l) => RUN_STATE.exec(l)?.[1]).filter(Boolean).pop();
  if (runState === 'Working' || runState === 'Thinking') return 'busy';
  if (composer >= 0 && lines.slice(Math.max(0, composer - 4), composer).some((l) => LIVE_INDICATOR.test(l))) return 'busy';
  if (composer < 0) return 'starting';
  const footer = lines.slice(composer + 1);
  const footerState = footer.map((l) => RUN_STATE.exec(l)?.[1]).find(Boolean);
  // The first frame has key hints but no status line yet; a status line whose run state is none
  // of the known ones (a reworded "Working") says nothing, and keeps the status.
  if (footerState === undefined) return footer.some((l) => l !== '' && !KEY_HINTS.test(l)) ? 'unknown' : 'starting';
  // A blink of "Ready" comes before "Starting" while MCP servers boot (the quiet window covers it).
  if (footerState === 'Starting') return 'starting';
  if (prompt >= 0 && turnEndedInError(turn)) return 'error';
  return footerState === 'Ready' ? 'idle' : 'unknown';
}

/** The turn's last cell is an error ("■ …"); an interruption by the user is not one. */
function turnEndedInError(turn: string[][]): boolean {
  const last = turn[turn.length - 1];
  return last !== undefined && last[0].startsWith('■ ') && !/Conversation interrupted/.test(last[0]);
}

/** Tool activity ("• Ran ls" with "└ output" below) is not part of the answer. */
const TOOL_CELL = /^• (Ran|Running|Called|Calling|Explored|Exploring|Edited|Editing|Added|Deleted|Updated Plan|Searched|Searching|Viewed Image|Waited|Waiting for)\b/;
/** "Worked for 12s • 01:41": the separator under a finished turn. */
const TURN_SEPARATOR = /^ {2}Worked for .* • \d{1,2}:\d{2}$/;

/** A tool still at work ("• Running cmd", "• Calling server.tool(…)") has no output yet. */
const TOOL_IN_PROGRESS = /^• (Running|Calling|Exploring|Editing|Searching|Waiting for)\b/;

function isToolCell(cell: string[], isLast: boolean): boolean {
  if (TOOL_CELL.test(cell[0]) && cell.some((l) => /^\s+└ /.test(l))) return true;
  return isLast && TOOL_IN_PROGRESS.test(cell[0]);
}

function lastResponse(screen: string): string | null {
  const { lines, composer, turn } = layout(screen);
  // A dialog covers the composer: the turn is paused and has no answer to report.
  if (composer < 0) return null;
  const width = Math.max(widestLine(lines), PANE_COLUMNS);
  for (let i = turn.length - 1; i >= 0; i--) {
    const cell = turn[i];
    if (!cell[0].startsWith('• ') || LIVE_INDICATOR.test(cell[0])) continue;
    if (isToolCell(cell, i === turn.length - 1)) continue;
    return cleanCell(cell, width);
  }
  return null;
}

/** The conductor's panes are this wide; Codex wraps its answer rows at the pane's full width. */
const PANE_COLUMNS = 200;

/**
 * Drops the "• " marker, the two-column indent and the turn separator, and joins again the rows
 * Codex wrapped at the pane width: a row was wrapped when the next row's first word would not
 * have fit after it. A word that fits on a row is never cut, so when the full row's last word
 * and the next row's first word could not share one row, they are the pieces of one long word
 * (Codex gives such a word rows of its own and cuts it at the pane edge): no space between.
 */
function cleanCell(cell: string[], width: number): string {
  const separator = cell.findIndex((line, i) => i > 0 && TURN_SEPARATOR.test(line));
  const body = unwrapRows(separator < 0 ? cell : cell.slice(0, separator), {
    width,
    joiner: cutWordJoiner(width),
    content: (line, i) => (i === 0 ? line.slice(2) : line.startsWith('  ') ? line.slice(2) : line.trimStart()),
  });
  return trimTrailingBlank(body).join('\n');
}

export const provider: ProviderDefinition = {
  name: 'codex',
  description: 'OpenAI Codex CLI (interactive TUI)',
  binary: 'codex',
  launch,
  verifiedVersions: ['0.169.0'],
  nestedSessionVars: NESTED_SESSION_ENV,
  settleDelayMs: 150,
  quietWindowMs: 1200,
  startupTimeoutMs: 30000,
  detect,
  lastResponse,
  exit: { text: '/quit' },
  interrupt: ['Escape'],
  startupDialogs: [
    {
      description: 'Trust this folder (only if the per-run trust override did not apply)',
      match: /Trust this folder\?[\s\S]*1\. Trust and continue/,
      keys: ['Enter'],
    },
  ],
  answerKeys: { approve: ['Enter'], deny: ['Escape'] },
  // Enter while a turn runs steers it: the streaming answer is dropped and a new request carries both messages.
  acceptsInputWhileBusy: false,
  version: { args: ['--version'] },
  events: codexEvents,
};
