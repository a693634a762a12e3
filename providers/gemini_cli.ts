/**
 * Gemini CLI (`gemini`, npm @google/gemini-cli), checked against 0.61.0 in a 200x50 tmux pane.
 *
 * Launch choices (all found by running the CLI against test/fakes/gemini-api.ts):
 * - GEMINI_CLI_NO_RELAUNCH=true: by default `gemini` re-spawns itself as a child node process
 *   (to raise the heap limit) and the parent ignores SIGHUP/SIGTERM/SIGINT, so a killed tmux
 *   window or server leaves the CLI and its MCP servers running, orphaned. Without the
 *   wrapper one process owns the pane and dies with it. (Relaunch-only actions, such as
 *   answering the trust dialog, then exit with code 199 instead of restarting.)
 * - GEMINI_CLI_TRUST_WORKSPACE=true trusts the cwd for this run only: no trust dialog, and
 *   nothing is written to ~/.gemini/trustedFolders.json. (Untrusted, the CLI starts no MCP
 *   servers at all.) Like a trusted folder, the project's .gemini/settings.json then applies.
 * - Per-terminal settings (MCP servers, hooks, quiet UI), two ways:
 *   `isolated` (an API key is in the environment): GEMINI_CLI_HOME=<runtimeDir>/gemini-home,
 *     whose .gemini/settings.json is seeded with the auth type, so no auth dialog. The user's
 *     ~/.gemini (settings, GEMINI.md, history, OAuth login) is not used at all.
 *   `user`: the user's own ~/.gemini and login; our settings go in as the *system* settings
 *     file (GEMINI_CLI_SYSTEM_SETTINGS_PATH), which overrides user settings key by key and
 *     merges mcpServers. The CLI ignores that file (with a "Security Warning" on screen)
 *     unless it and every parent directory are owned by root and not group/other-writable,
 *     so this mode only wires MCP when the conductor runs as root outside /tmp.
 *   `CONDUCTOR_GEMINI_CONFIG=isolated|user` forces either.
 * - The profile's system prompt is appended, not substituted: a SessionStart hook prints it
 *   as additionalContext, which the CLI puts into the first user turn (GEMINI_SYSTEM_MD
 *   would replace the whole built-in prompt, tool rules included).
 * - MCP tools reach the model as `mcp_<server>_<tool>`; the conductor's server is `conductor`
 *   and trusted, so its tools never ask for confirmation. allowedTools/deniedTools become a
 *   policy file (`--policy`); the tools.allowed/exclude settings are deprecated and warn.
 * - HTTP 429 and 5xx answers are retried silently for many minutes (the screen stays busy);
 *   other 4xx answers end the turn with `✕ [API Error: …]`.
 *
 * Screen layout the detector relies on (plain text; the CLI does not use the alternate screen):
 *
 *    > the user's prompt                  ← column 1 in the transcript
 *   ✦ The answer, continued on lines       ← every model text segment starts with `✦`
 *     indented by two columns.              (code blocks and lists one column more)
 *   ╭──── tool box ────╮                    ← tool calls: `? Shell` pending, `⊷` running, `✓` done
 *   ✕ [API Error: …]                        ← errors; `ℹ …` info lines
 *    ⠋ Thinking... (esc to cancel, 3s)      ← only while busy (a witty phrase may follow)
 *   ─────────────────────────              ← full-width rule above the input area
 *    Shift+Tab to accept edits               ← approval mode (`YOLO Ctrl+Y` in yolo)
 *    >   Type your message or @path/to/file  ← input (`*` instead of `>` in yolo mode)
 *    workspace (/directory) … footer
 *
 * Dialogs (trust, auth, API key, tool confirmations) replace the input area with a box
 * holding a numbered menu whose cursor is `●`.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { chooseConfigMode, type ConfigMode } from '../src/providers/configMode.js';
import {
  BOX_TOP,
  inputBelowLastRule,
  lastIndexMatching,
  paneWidth,
  screenRows,
  trimBlankEdges,
  unwrapRows,
  type ScreenLayout,
} from '../src/providers/screen.js';
import type { LaunchContext, LaunchSpec, ProviderDefinition, ScreenState } from '../src/providers/types.js';
import { geminiEvents, geminiHookSettings } from './hooks/gemini.js';

/** The model calls the conductor's tools as `mcp_conductor_<tool>`. */
export const CONDUCTOR_MCP_SERVER = 'conductor';

/** Inherited from an IDE terminal or a parent Gemini CLI, these would change how the CLI starts. */
const INHERITED_VARS = [
  'GEMINI_CLI',
  'GEMINI_CLI_IDE_PID',
  'GEMINI_CLI_IDE_SERVER_PORT',
  'GEMINI_CLI_IDE_WORKSPACE_PATH',
  'GEMINI_CLI_IDE_AUTH_TOKEN',
  'GEMINI_CLI_IDE_SERVER_STDIO_COMMAND',
  'GEMINI_CLI_IDE_SERVER_STDIO_ARGS',
];

/** `CONDUCTOR_GEMINI_CONFIG` forces a mode; otherwise GEMINI_API_KEY means isolated. */
export function configMode(env: Record<string, string | undefined>): ConfigMode {
  return chooseConfigMode(env, 'CONDUCTOR_GEMINI_CONFIG', ['GEMINI_API_KEY']);
}

/** Profile permission modes (Gemini's own names, plus Claude-style aliases) → --approval-mode. */
export function approvalMode(mode: string | undefined): string | undefined {
  switch (mode) {
    case 'default':
    case 'auto_edit':
    case 'yolo':
    case 'plan':
      return mode;
    case 'acceptEdits':
      return 'auto_edit';
    case 'bypassPermissions':
      return 'yolo';
    default:
      return undefined;
  }
}

/**
 * Profile tool names → policy-engine rules (tools.allowed/tools.exclude in settings are
 * deprecated and print a warning on screen). `run_shell_command(git)` and Claude-style
 * `run_shell_command(git *)` become a command prefix; anything else is a tool name, which may
 * use the engine's wildcards (`mcp_docs_*`).
 */
export function policyRules(tools: string[] | undefined, decision: 'allow' | 'deny', priority: number): string[] {
  return (tools ?? []).map((spec) => {
    const call = /^([\w.*-]+)\((.*)\)$/.exec(spec.trim());
    const lines = ['[[rule]]'];
    if (call && call[1] === 'run_shell_command' && call[2].trim()) {
      lines.push(`toolName = "run_shell_command"`, `commandPrefix = ${JSON.stringify(call[2].trim().replace(/\s*\*$/, ''))}`);
    } else {
      lines.push(`toolName = ${JSON.stringify(call ? call[1] : spec.trim())}`);
    }
    lines.push(`decision = "${decision}"`, `priority = ${priority}`);
    return lines.join('\n') + '\n';
  });
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function launch(ctx: LaunchContext): LaunchSpec {
  const profile = ctx.profile;
  const effectiveEnv = { ...ctx.baseEnv, ...profile?.env };
  const mode = configMode(effectiveEnv);
  const files: NonNullable<LaunchSpec['files']> = [];
  const env: Record<string, string> = {
    GEMINI_CLI_NO_RELAUNCH: 'true',
    GEMINI_CLI_TRUST_WORKSPACE: 'true',
  };

  const mcpServers: Record<string, unknown> = {};
  for (const [name, server] of Object.entries(profile?.mcpServers ?? {})) {
    mcpServers[name] = { command: server.command, args: server.args ?? [], env: server.env ?? {} };
  }
  mcpServers[CONDUCTOR_MCP_SERVER] = { command: ctx.mcp.command, args: ctx.mcp.args, env: ctx.mcp.env, trust: !profile?.askForConductorTools };

  const settings: Record<string, unknown> = {
    general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
    ide: { enabled: false, hasSeenNudge: true },
    // The parser needs the default inline, main-screen layout whatever the user prefers;
    // line numbers in code blocks would end up in lastResponse.
    ui: {
      showCompatibilityWarnings: false,
      showLineNumbers: false,
      showSpinner: true,
      useAlternateBuffer: false,
      inlineThinkingMode: 'off',
      collapseDrawerDuringApproval: true,
      accessibility: { screenReader: false },
    },
    mcpServers,
  };

  if (profile?.systemPrompt) {
    const hookOutput = join(ctx.runtimeDir, 'gemini-session-start.json');
    const output = { hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext: profile.systemPrompt } };
    files.push({ path: hookOutput, content: JSON.stringify(output) + '\n', mode: 0o600 });
    settings.hooks = {
      SessionStart: [{ hooks: [{ type: 'command', name: 'conductor-profile', command: `cat ${shellQuote(hookOutput)}` }] }],
    };
  }

  // Gemini reports its own state (turns, tools, permission prompts) through command hooks.
  if (ctx.events) {
    settings.hooks = geminiHookSettings(ctx.events, settings.hooks as Parameters<typeof geminiHookSettings>[1]);
    settings.hooksConfig = { enabled: true, notifications: false };
  }

  if (mode === 'isolated') {
    const home = join(ctx.runtimeDir, 'gemini-home');
    env.GEMINI_CLI_HOME = home;
    settings.security = { auth: { selectedType: 'gemini-api-key' } };
    files.push({ path: join(home, '.gemini', 'settings.json'), content: JSON.stringify(settings, null, 2) + '\n', mode: 0o600 });
  } else {
    const path = join(ctx.runtimeDir, 'gemini-system-settings.json');
    env.GEMINI_CLI_SYSTEM_SETTINGS_PATH = path;
    files.push({ path, content: JSON.stringify(settings, null, 2) + '\n', mode: 0o600 });
  }

  const argv = ['gemini'];
  // `conductor resume`: the chat's id, found in this terminal's chats (src/resume/conversation.ts).
  if (ctx.resume) argv.push('--resume', ctx.resume.sessionId);
  if (profile?.model) argv.push('--model', profile.model);
  const approval = approvalMode(profile?.permissionMode);
  if (approval) argv.push('--approval-mode', approval);
  const rules = [...policyRules(profile?.allowedTools, 'allow', 900), ...policyRules(profile?.deniedTools, 'deny', 950)];
  if (rules.length) {
    const policyPath = join(ctx.runtimeDir, 'gemini-policy.toml');
    files.push({ path: policyPath, content: rules.join('\n') });
    argv.push('--policy', policyPath);
  }

  Object.assign(env, profile?.env);
  // Gemini's UI framework turns non-interactive (and the CLI exits) when it sees CI markers,
  // as in a CI job that runs the conductor: a terminal is interactive by definition.
  const ciMarkers = ['CI', 'CONTINUOUS_INTEGRATION', ...Object.keys(ctx.baseEnv).filter((name) => name.startsWith('CI_'))];
  const unsetEnv = [...INHERITED_VARS, ...ciMarkers].filter((name) => !(name in env));
  // Chat records are all this terminal's own in a GEMINI_CLI_HOME of its own; in the user's home a
  // chat is told apart by its project folder and start time.
  const usageRecords =
    mode === 'isolated'
      ? { format: 'gemini_cli' as const, dir: env.GEMINI_CLI_HOME }
      : { format: 'gemini_cli' as const, dir: env.GEMINI_CLI_HOME ?? ctx.baseEnv.GEMINI_CLI_HOME ?? homedir(), shared: true };
  return { argv, env, unsetEnv, files, usageRecords };
}

// ---------------------------------------------------------------------------------------------
// Screen parsing

const INPUT_PROMPT = /^ [>*!] /;
const USER_PROMPT = /^ [>*!] \S/;
const ANSWER_START = /^✦ /;
const ERROR_LINE = /^✕ /;
const SPINNER_LINE = /\(esc to cancel, /;
/** A braille spinner frame leading the status row, whatever words follow it. */
const SPINNER_FRAME = /^ ?[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] \S/;
const IDLE_STATUS_ROW = /^ +\? for shortcuts$/;
const INPUT_PLACEHOLDER = /^ [>*!] {3}Type your message or @path\/to\/file$/;
const MENU_CURSOR = /^ ?│? *● \d+\. \S/;
const QUEUED_HEADER = /^ {2}Queued \(press ↑ to edit\):$/;
/** Right-aligned hints such as `? for shortcuts` sit far right on an otherwise empty line. */
const RIGHT_ALIGNED = /^ {60,}\S/;
const DIALOG_TEXT = [
  /Do you trust the files in this folder\?/,
  /How would you like to authenticate/,
  /Enter Gemini API Key/,
  /Allow execution of/,
  /Apply this change\?/,
  /Do you want to proceed\?/,
  /Do you want to allow this read\?/,
  /Do you want to keep loop detection enabled/,
  /Usage limit reached for/,
  /Do you want to accept and load these policies\?/,
];

function screenLines(screen: string): string[] {
  return screenRows(screen, { plainSpaces: true });
}

/** The input area (with its prompt) below the last rule; the transcript above it. */
type Layout = ScreenLayout;

function layout(lines: string[]): Layout {
  return inputBelowLastRule(lines, INPUT_PROMPT);
}

function isDialog(lines: string[]): boolean {
  return lines.some((line) => MENU_CURSOR.test(line) || DIALOG_TEXT.some((text) => text.test(line)));
}

function isWaiting(view: Layout): boolean {
  if (!view.input) return isDialog(view.transcript);
  // A confirmation drawn above a still-visible input area: only the trailing box counts.
  const box = lastIndexMatching(view.transcript, BOX_TOP);
  return box >= 0 && box > lastIndexMatching(view.transcript, ANSWER_START) && isDialog(view.transcript.slice(box));
}

/** The row right above the input area's rule: the spinner while busy, a lone `? for shortcuts` when idle. */
function statusRow(view: Layout): string {
  return view.input ? (view.transcript[view.transcript.length - 1] ?? '') : '';
}

function isBusy(view: Layout): boolean {
  const nonEmpty = view.transcript.filter((line) => line.trim() !== '');
  return nonEmpty.slice(-3).some((line) => SPINNER_LINE.test(line)) || SPINNER_FRAME.test(statusRow(view));
}

/**
 * The positive sign of an idle agent: an input prompt under a status row that holds only the
 * shortcuts hint. The CLI hides that hint while a draft is typed, so a draft stands in for it.
 */
function isIdle(view: Layout): boolean {
  const row = statusRow(view);
  if (IDLE_STATUS_ROW.test(row)) return true;
  return row === '' && (view.input ?? []).some((line) => INPUT_PROMPT.test(line) && !INPUT_PLACEHOLDER.test(line));
}

/** The turn ended with an error line: no answer, tool box or new prompt after it. */
function isError(view: Layout): boolean {
  const t = view.transcript;
  const user = lastIndexMatching(t, USER_PROMPT);
  const error = lastIndexMatching(t, ERROR_LINE);
  return user >= 0 && error > user && error > lastIndexMatching(t, ANSWER_START) && error > lastIndexMatching(t, BOX_TOP);
}

function detect(screen: string): ScreenState {
  const lines = screenLines(screen);
  if (!lines.some((line) => line.trim() !== '')) return 'starting';
  const view = layout(lines);
  if (isWaiting(view)) return 'waiting_input';
  if (isBusy(view)) return 'busy';
  if (!view.input) return 'starting';
  if (isError(view)) return 'error';
  // A status row that is neither the spinner nor the idle hint (a reworded spinner): keep the status.
  return isIdle(view) ? 'idle' : 'unknown';
}

/**
 * The text of the last `✦` segment of the latest turn, as the model wrote it minus markdown
 * markup the renderer drops (code fences, emphasis, heading marks): rows the renderer wrapped
 * at the pane width are joined again, the `✦` gutter and two-column indent are removed, and
 * so is the extra column the renderer puts before code and list lines.
 * Null when the turn has no answer yet or went on to a tool call or an error after it.
 */
function lastResponse(screen: string): string | null {
  const lines = screenLines(screen);
  const t = layout(lines).transcript;
  const start = lastIndexMatching(t, ANSWER_START);
  if (start < 0 || start < lastIndexMatching(t, USER_PROMPT)) return null;
  let end = start + 1;
  while (end < t.length) {
    const line = t[end];
    if (line !== '' && (!line.startsWith('  ') || QUEUED_HEADER.test(line) || RIGHT_ALIGNED.test(line))) break;
    end++;
  }
  if (t.slice(end).some((line) => BOX_TOP.test(line) || ERROR_LINE.test(line))) return null;

  const rows = unwrapRows(t.slice(start, end), { width: paneWidth(lines, 200) });
  const text = trimBlankEdges(
    rows.map((row) => {
      const content = row.slice(2);
      return content.startsWith(' ') ? content.slice(1) : content;
    }),
  );
  return text.length ? text.join('\n') : null;
}

export const provider: ProviderDefinition = {
  name: 'gemini_cli',
  description: 'Google Gemini CLI (TUI)',
  binary: 'gemini',
  launch,
  verifiedVersions: ['0.61.0'],
  nestedSessionVars: INHERITED_VARS,
  // Enter within ~50 ms of a paste is swallowed; 100 ms was enough in tests.
  settleDelayMs: 400,
  quietWindowMs: 800,
  startupTimeoutMs: 30_000,
  detect,
  lastResponse,
  exit: { text: '/quit' },
  interrupt: ['Escape'],
  // None: trust is granted by GEMINI_CLI_TRUST_WORKSPACE, and both trust answers are harmful
  // here ("Trust folder" restarts the CLI, which exits 199 without the wrapper; "Don't trust"
  // disables MCP servers). Auth dialogs would write the user's settings. They are reported as
  // waiting_input instead.
  startupDialogs: [],
  // "1. Allow once" is preselected; Esc picks "No, suggest changes" and cancels the turn.
  answerKeys: { approve: ['Enter'], deny: ['Escape'] },
  // Input typed while busy is queued and sent after the current turn.
  acceptsInputWhileBusy: true,
  version: { args: ['--version'] },
  events: geminiEvents,
};
