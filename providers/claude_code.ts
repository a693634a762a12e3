/**
 * Claude Code (`claude`, npm @anthropic-ai/claude-code) driven as a TUI in a tmux pane.
 *
 * Screen layout the detector relies on (2.1.x, plain text as captured by tmux):
 *
 *   ❯ the user's prompt                 ← column 0 in the transcript
 *   ● Bash(ls)                          ← a tool call: followed by a `⎿` result line
 *     ⎿  output
 *   ● The answer, continued on lines    ← a text block; every further line is indented 2
 *     indented by two columns.
 *   ✻ Baked for 3s                      ← status line; while busy: `✢ Fermenting… (8s · ↓ 8 tokens)`
 *   ────────────────────────────        ← input box between two full-width rules
 *   ❯ (typed input)
 *   ────────────────────────────
 *     ? for shortcuts                   ← footer; `esc to interrupt` while busy
 *
 * Dialogs (trust folder, permission prompts, API key, bypass mode, onboarding) are menus below a
 * single rule with an indented `❯ 1. …` cursor; 2.1.332 leaves the numbers out of its start-up
 * dialogs (`❯ No, exit`).
 *
 * 2.1.332 (read by the same functions): a smaller header, no `? for shortcuts` while a permission
 * mode is shown (`⏸ manual mode on`), finished tools collapsed into one indented summary line
 * without a bullet (`  Ran 1 shell command`, `  Called conductor`), hints inside an empty input box
 * (`❯ Resend your message to try again`), the effort and focus-events hints above the input box,
 * and no tmux scrollback beyond the visible screen.
 */
import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { chooseConfigMode, type ConfigMode } from '../src/providers/configMode.js';
import {
  cutWordJoiner,
  inputBetweenRules,
  lastIndexMatching,
  paneWidth,
  screenRows,
  trimTrailingBlank,
  unwrapRows,
  type ScreenLayout,
} from '../src/providers/screen.js';
import type { LaunchContext, LaunchSpec, ProviderDefinition, ScreenState } from '../src/providers/types.js';
import { claudeEvents, claudeHookSettings } from './hooks/claude.js';
import { loopbackBypassingProxy } from './hooks/proxy.js';

/**
 * Seeded as the last onboarding version: the newest verified release (test/golden/claude_code/),
 * so no release shows its onboarding; older ones (2.1.197) show none for a newer value either.
 */
const RECORDED_VERSION = '2.1.332';

/** Variables a parent Claude Code session sets for its children; inherited, they mark a nested session. */
const NESTED_SESSION_VARS = [
  'CLAUDECODE',
  'CLAUDE_CODE_ENTRYPOINT',
  'CLAUDE_CODE_SESSION_ID',
  'CLAUDE_CODE_CHILD_SESSION',
  'CLAUDE_CODE_EXECPATH',
  'CLAUDE_CODE_SSE_PORT',
  'CLAUDE_PROJECT_DIR',
  'CLAUDE_EFFORT',
  'CLAUDE_AGENT_SDK_VERSION',
  'AI_AGENT',
];

/**
 * `isolated`: a pre-seeded config dir so no onboarding, trust or API-key dialog blocks. `user`:
 * the user's own ~/.claude (their login, CLAUDE.md, settings), dialogs answered by
 * `startupDialogs`. `CONDUCTOR_CLAUDE_CONFIG` forces either.
 */
export function configMode(env: Record<string, string | undefined>): ConfigMode {
  return chooseConfigMode(env, 'CONDUCTOR_CLAUDE_CONFIG', ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN']);
}

function trustedPaths(cwd: string): string[] {
  const paths = [cwd];
  try {
    const real = realpathSync(cwd);
    if (real !== cwd) paths.push(real);
  } catch {
    // The directory may not exist yet; trusting the given path is enough then.
  }
  return paths;
}

/** The global config file (`.claude.json`) of an isolated config dir. */
function seededGlobalConfig(cwd: string, env: Record<string, string | undefined>): string {
  const projects: Record<string, { hasTrustDialogAccepted: boolean }> = {};
  for (const path of trustedPaths(cwd)) projects[path] = { hasTrustDialogAccepted: true };
  const config: Record<string, unknown> = {
    hasCompletedOnboarding: true,
    lastOnboardingVersion: RECORDED_VERSION,
    autoUpdates: false,
    projects,
  };
  // Claude remembers approved keys by their last 20 characters.
  if (env.ANTHROPIC_API_KEY) config.customApiKeyResponses = { approved: [env.ANTHROPIC_API_KEY.slice(-20)], rejected: [] };
  return JSON.stringify(config, null, 2) + '\n';
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function launch(ctx: LaunchContext): LaunchSpec {
  const profile = ctx.profile;
  const effectiveEnv = { ...ctx.baseEnv, ...profile?.env };
  const argv = ['claude'];
  const env: Record<string, string> = {
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  };
  const files: NonNullable<LaunchSpec['files']> = [];

  // MCP: only this terminal's servers; the user's and the project's MCP configs are ignored.
  const mcpServers: Record<string, unknown> = {};
  for (const [name, server] of Object.entries(profile?.mcpServers ?? {})) {
    mcpServers[name] = { type: 'stdio', command: server.command, args: server.args ?? [], env: server.env ?? {} };
  }
  mcpServers.conductor = { type: 'stdio', command: ctx.mcp.command, args: ctx.mcp.args, env: ctx.mcp.env };
  const mcpConfigPath = join(ctx.runtimeDir, 'claude-mcp.json');
  files.push({ path: mcpConfigPath, content: JSON.stringify({ mcpServers }, null, 2) + '\n' });
  argv.push('--mcp-config', mcpConfigPath, '--strict-mcp-config');

  // Per-terminal settings, layered on top of the user's (`flagSettings`): the approval gate
  // runs before every tool that acts on the machine, and may hold it for a human's decision.
  const settingsPath = join(ctx.runtimeDir, 'claude-settings.json');
  const settings: Record<string, unknown> = { skipDangerousModePermissionPrompt: true };
  // The conductor's own tools (handoff, assign, send_message…) run without a permission prompt.
  if (!profile?.askForConductorTools) settings.permissions = { allow: ['mcp__conductor', 'mcp__conductor__*'] };
  const gate = ctx.hook && {
    matcher: 'Bash|Write|Edit|MultiEdit|NotebookEdit',
    hooks: [{ type: 'command', command: [ctx.hook.command, ...ctx.hook.args].map(shellQuote).join(' '), timeout: 86_400 }],
  };
  // Claude reports its own state (turns, tools, permission prompts) as HTTP hooks to the daemon.
  if (ctx.events) {
    settings.hooks = claudeHookSettings(ctx.events, gate);
    Object.assign(env, loopbackBypassingProxy(effectiveEnv));
  } else if (gate) {
    settings.hooks = { PreToolUse: [gate] };
  }
  files.push({ path: settingsPath, content: JSON.stringify(settings, null, 2) + '\n' });
  argv.push('--settings', settingsPath);

  if (profile?.model) argv.push('--model', profile.model);
  if (profile?.systemPrompt) argv.push('--append-system-prompt', profile.systemPrompt);
  if (profile?.permissionMode) argv.push('--permission-mode', profile.permissionMode);
  // Both options are variadic: one comma-separated value keeps them from eating later arguments.
  if (profile?.allowedTools?.length) argv.push('--allowedTools', profile.allowedTools.join(','));
  if (profile?.deniedTools?.length) argv.push('--disallowedTools', profile.deniedTools.join(','));

  // Claude refuses bypassPermissions as root unless told it runs in a sandbox.
  if (profile?.permissionMode === 'bypassPermissions' && isRoot()) env.IS_SANDBOX = '1';

  if (configMode(effectiveEnv) === 'isolated') {
    const configDir = join(ctx.runtimeDir, 'claude-config');
    env.CLAUDE_CONFIG_DIR = configDir;
    files.push({ path: join(configDir, '.claude.json'), content: seededGlobalConfig(ctx.cwd, effectiveEnv), mode: 0o600 });
  }

  Object.assign(env, profile?.env);
  // A known session id names the transcript (`projects/<dir>/<id>.jsonl`) the usage figures come
  // from, and is the conversation `conductor resume` continues (`--resume <id>`).
  const sessionId = ctx.resume?.sessionId ?? randomUUID();
  argv.push(ctx.resume ? '--resume' : '--session-id', sessionId);
  const usageRecords = {
    format: 'claude_code' as const,
    dir: env.CLAUDE_CONFIG_DIR ?? effectiveEnv.CLAUDE_CONFIG_DIR ?? join(homedir(), '.claude'),
    sessionId,
  };
  return { argv, env, unsetEnv: NESTED_SESSION_VARS.filter((name) => !(name in env)), files, usageRecords };
}

// ---------------------------------------------------------------------------------------------
// Screen parsing

const BULLET = /^[●⏺](?: |$)/;
const SPINNER_GLYPHS = '·✢*✶✻✽✳';
const STATUS_LINE = new RegExp(`^[${SPINNER_GLYPHS}] \\S`);
/** A status line drawn with any other glyph (a new spinner frame): live while it shows `…` or a retry. */
const LIVE_STATUS = /^[^\w\s●⏺❯⎿│╭╰] \S/;
/** A dialog's menu cursor: numbered (`❯ 1. Yes`) in 2.1.197, often unnumbered (`❯ No, exit`) in 2.1.332. */
const MENU_CURSOR = /^ +❯ (?:\d+\. )?\S/;
const EXPAND_HINT = /\(ctrl\+o to expand\)$/;
/**
 * A collapsed tool summary without the expand hint (2.1.3xx), indented two columns after a blank
 * line: `  Ran 1 shell command`, `  Listed 1 directory`, `  Did not run 1 call`, `  Called conductor`.
 */
const COLLAPSED_TOOLS = /^ {2}(?:(?:Ran|Read|Wrote|Edited|Updated|Created|Listed|Searched for|Fetched|Did not run) \d+ [a-z][a-z ]*|Called [\w.-]+(?: \d+ times)?)(?:, .*)?$/;
/** A tool call header such as `● Write(notes.md)` or `● conductor - whoami (MCP)(…)`, shown before any result. */
const TOOL_HEADER = /^[●⏺] (?:[A-Z]\w*\(.*\)|.* \(MCP\)(?:\(.*\))?)$/;
const ERROR_NOTICE = /API Error|API key|\/login|Credit balance|Unable to connect|OAuth|[Ee]rror/;
const FATAL_SCREEN = /Unable to connect to Anthropic services|cannot be used with root\/sudo privileges/;

/** The screen's lines, trailing spaces and blank lines removed; no-break spaces (after `❯`) made plain. */
function screenLines(screen: string): string[] {
  return screenRows(screen, { plainSpaces: true });
}

/** The input box (its first line `❯`) between two rules, the footer or a dialog below the last rule. */
interface Layout extends ScreenLayout {
  /** Pane width, taken from the widest rule. */
  width: number;
}

function layout(lines: string[]): Layout {
  return { ...inputBetweenRules(lines, /^❯/), width: paneWidth(lines) };
}

type BlockKind = 'text' | 'tool' | 'notice' | 'status' | 'other';
interface Block {
  kind: BlockKind;
  /** Raw screen lines of the block, prefix included. */
  lines: string[];
}

/**
 * The transcript's first line is indented: the tail of an answer that began above the screen,
 * unless it is 2.1.332's header drawn before its logo (`           Claude Code v2.1.332`).
 */
function startsIndented(transcript: string[]): boolean {
  const first = transcript.find((line) => line !== '');
  return first !== undefined && first.startsWith('  ') && !/^ +Claude Code v\d/.test(first);
}

/** Index of the last submitted user prompt in the transcript, or -1. */
function lastPromptIndex(transcript: string[]): number {
  return lastIndexMatching(transcript, /^❯ \S/);
}

/**
 * Splits the transcript after the last user prompt into blocks. A text block becomes a tool
 * block once a `⎿` result line or an expand hint shows up in it.
 */
function turnBlocks(transcript: string[]): Block[] {
  const start = lastPromptIndex(transcript);
  const blocks: Block[] = [];
  let current: Block | null = null;
  let afterBlank = false;
  let i = start + 1;
  if (start >= 0) {
    // The prompt's own continuation lines (indented, no blank line in between).
    while (i < transcript.length && transcript[i].startsWith('  ') && !/^ +⎿/.test(transcript[i])) i++;
  } else if (startsIndented(transcript)) {
    // The answer began above the visible screen: its tail is a text block without a bullet.
    current = { kind: 'text', lines: [] };
    blocks.push(current);
  }
  for (; i < transcript.length; i++) {
    const line = transcript[i];
    if (line === '') {
      afterBlank = true;
      if (current) current.lines.push(line);
      continue;
    }
    const wasAfterBlank = afterBlank;
    afterBlank = false;
    if (BULLET.test(line)) {
      current = { kind: EXPAND_HINT.test(line) || TOOL_HEADER.test(line) ? 'tool' : 'text', lines: [line] };
      blocks.push(current);
    } else if (STATUS_LINE.test(line)) {
      current = { kind: 'status', lines: [line] };
      blocks.push(current);
    } else if (/^ +⎿/.test(line)) {
      if (current && current.kind !== 'status' && current.kind !== 'other') {
        if (current.kind === 'text') current.kind = 'tool';
        current.lines.push(line);
      } else if (!current) {
        current = { kind: 'notice', lines: [line] };
        blocks.push(current);
      } else {
        current.lines.push(line);
      }
    } else if (line.startsWith(' ')) {
      if (wasAfterBlank && /^  \S/.test(line) && (EXPAND_HINT.test(line) || COLLAPSED_TOOLS.test(line))) {
        // A collapsed tool summary such as `  Called conductor (ctrl+o to expand)`.
        current = { kind: 'tool', lines: [line] };
        blocks.push(current);
      } else if (current) {
        current.lines.push(line);
      }
    } else {
      current = { kind: 'other', lines: [line] };
      blocks.push(current);
    }
  }
  return blocks;
}

/**
 * Turns a text block back into the answer: bullet and two-column indent removed, lines that
 * Claude soft-wrapped at the pane width joined again (a line was wrapped when the next word
 * would not have fit after it).
 */
function blockText(block: Block, width: number): string {
  return unwrapRows(trimTrailingBlank(block.lines), {
    width,
    // Claude cuts a word longer than a row at the pane edge.
    joiner: cutWordJoiner(width),
    content: (line) => (BULLET.test(line) ? line.replace(/^[●⏺] ?/, '') : line.replace(/^ {2}/, '')),
  }).join('\n');
}

function isApiErrorText(block: Block): boolean {
  return /^[●⏺] API Error\b/.test(block.lines[0] ?? '');
}

/** The blocks that matter for the outcome of the turn: status lines dropped. */
function outcomeBlocks(transcript: string[]): Block[] {
  return turnBlocks(transcript).filter((block) => block.kind !== 'status');
}

function isBusy(view: Layout): boolean {
  if ([...(view.input ?? []), ...view.below].some((line) => line.includes('esc to interrupt'))) return true;
  const start = lastPromptIndex(view.transcript);
  return view.transcript
    .slice(start + 1)
    .some((line) => (STATUS_LINE.test(line) || LIVE_STATUS.test(line)) && (line.includes('…') || /[Rr]etrying in \d+/.test(line)));
}

function isError(view: Layout, lines: string[]): boolean {
  if (!view.input && lines.some((line) => FATAL_SCREEN.test(line))) return true;
  const blocks = outcomeBlocks(view.transcript);
  const last = blocks[blocks.length - 1];
  if (!last) return false;
  if (last.kind === 'text' && isApiErrorText(last)) return true;
  return last.kind === 'notice' && ERROR_NOTICE.test(last.lines.join(' '));
}

/** Hints of the footer while no turn runs, one `·`-separated segment each (permission modes included). */
const IDLE_FOOTER_HINT = /^(?:\? for shortcuts|← for agents|[⏸⏵]+ [a-z ]+ on(?: \(shift\+tab to cycle\))?)$/;
/** Right-aligned columns drawn whatever the agent does: tmux's own advice, the effort level. */
const NEUTRAL_HINT = /^(?:tmux focus-events |\S [a-z]+ · \/effort$)/;

/** The footer's hints: right-aligned columns split apart, neutral ones left out. */
function footerHints(below: string[]): string[] {
  return below
    .flatMap((line) => line.trim().split(/ {3,}/))
    .filter((column) => column !== '' && !NEUTRAL_HINT.test(column))
    .flatMap((column) => column.split(' · '));
}

/**
 * The positive sign of an idle agent: an input box over a footer of idle hints only. Claude
 * hides those hints while the box holds a draft, so a draft stands in for them.
 */
function isIdle(view: Layout): boolean {
  if (!view.input) return false;
  const hints = footerHints(view.below);
  return hints.every((hint) => IDLE_FOOTER_HINT.test(hint)) && (hints.length > 0 || hasDraft(view.input));
}

function detect(screen: string): ScreenState {
  const lines = screenLines(screen);
  if (!lines.some((line) => line.trim() !== '')) return 'starting';
  const view = layout(lines);
  if (view.below.some((line) => MENU_CURSOR.test(line))) return 'waiting_input';
  if (isBusy(view)) return 'busy';
  if (isError(view, lines)) return 'error';
  if (!view.input) return 'starting';
  // An input box over a footer that says neither busy nor idle (a reworded hint): keep the status.
  return isIdle(view) ? 'idle' : 'unknown';
}

function lastResponse(screen: string): string | null {
  const view = layout(screenLines(screen));
  const blocks = outcomeBlocks(view.transcript);
  // The answer is the run of text blocks that ends the turn (prose before a tool call is not).
  const answer: Block[] = [];
  for (let i = blocks.length - 1; i >= 0 && blocks[i].kind === 'text'; i--) answer.unshift(blocks[i]);
  const parts = answer
    .filter((block) => !isApiErrorText(block))
    .map((block) => blockText(block, view.width).replace(/^\n+|\s+$/g, ''));
  const text = parts.filter(Boolean).join('\n\n');
  return text ? text : null;
}

/** Hints an empty input box shows (2.1.3xx); dimmed on screen, plain text in a capture. */
const INPUT_PLACEHOLDER = /^❯ (?:Resend your message to try again|Once fixed, resend your message|Press up to edit queued messages)$/;

/** Text left in the input box: the Enter after a paste did not submit it. */
function inputPending(screen: string): boolean {
  return hasDraft(layout(screenLines(screen)).input ?? []);
}

function hasDraft(input: string[]): boolean {
  return input.some((line, i) => (i === 0 ? /^❯ \S/.test(line) && !INPUT_PLACEHOLDER.test(line) : line.trim() !== ''));
}

export const provider: ProviderDefinition = {
  name: 'claude_code',
  description: 'Anthropic Claude Code CLI (TUI)',
  binary: 'claude',
  launch,
  verifiedVersions: ['2.1.197', '2.1.332'],
  nestedSessionVars: NESTED_SESSION_VARS,
  settleDelayMs: 300,
  quietWindowMs: 800,
  startupTimeoutMs: 30_000,
  detect,
  lastResponse,
  inputPending,
  exit: { text: '/exit' },
  interrupt: ['Escape'],
  events: claudeEvents,
  // 2.1.197 numbers its start-up menus; 2.1.332 does not, and preselects the refusing option, so
  // its rules match only while the cursor is on that option and move it before pressing Enter.
  startupDialogs: [
    {
      description: 'Workspace trust, numbered ("1. Yes, I trust this folder" is preselected)',
      match: /❯ 1\. Yes, I trust this folder/,
      keys: ['Enter'],
    },
    {
      description: 'Workspace trust, unnumbered ("No, exit" is preselected; "Yes, I trust this folder" is below)',
      match: /❯ No, exit\s+Yes, I trust this folder/,
      keys: ['Down', 'Enter'],
    },
    {
      description: 'Bypass permissions mode warning, numbered (option 2 accepts)',
      match: /Bypass Permissions mode[\s\S]*2\. Yes, I accept/,
      keys: ['2'],
    },
    {
      description: 'Bypass permissions mode warning, unnumbered ("Yes, I accept" is below the preselected "No, exit")',
      match: /Bypass Permissions mode[\s\S]*❯ No, exit\s+Yes, I accept/,
      keys: ['Down', 'Enter'],
    },
    {
      description: 'Custom API key found in the environment, numbered (option 1 uses it)',
      match: /Detected a custom API key in your environment[\s\S]*Do you want to use this API key\?\s+(?:❯ )?1\. Yes/,
      keys: ['1'],
    },
    {
      description: 'Custom API key found in the environment, unnumbered ("Yes" is above the preselected "No")',
      match: /Detected a custom API key in your environment[\s\S]*Do you want to use this API key\?\s+Yes\s+❯ No\b/,
      keys: ['Up', 'Enter'],
    },
  ],
  answerKeys: { approve: ['1'], deny: ['Escape'] },
  acceptsInputWhileBusy: true,
  version: { args: ['--version'] },
};
