/**
 * The provider contract: everything the conductor needs to know about one agent CLI.
 * A provider is data plus pure functions; it never runs tmux or touches the database.
 */

/**
 * What a provider can tell from one rendered screen. `completed` is derived later by the status
 * tracker. `idle` needs a positive sign of an idle agent (its empty prompt, its idle footer); a
 * screen with no sign of any state is `unknown`, which keeps the previous status.
 */
export type ScreenState = 'starting' | 'idle' | 'busy' | 'waiting_input' | 'error' | 'unknown';

/** What an agent reports of itself through its own hooks, once normalised by its provider. */
export type AgentEventKind =
  | 'session_start'
  | 'turn_start'
  | 'tool_start'
  | 'tool_end'
  | 'waiting_input'
  | 'turn_end'
  | 'turn_failed'
  | 'session_end';

export interface AgentEvent {
  kind: AgentEventKind;
  /** turn_end: the agent's final answer of the turn, exactly as it recorded it. */
  response?: string;
  /** turn_end without `response`: the agent's transcript file, where its last answer can be read. */
  transcriptPath?: string;
  /** turn_start: the prompt as the agent received it. */
  prompt?: string;
  /** waiting_input, turn_failed: what the agent says about it. */
  detail?: string;
}

/** How an agent CLI reports its own state (its hooks or notify command) to the daemon. */
export interface ProviderEvents {
  /**
   * Pure: one hook call, its name (the CLI's hook event, or the name given on the hook command
   * line) and its JSON payload → the conductor's event; null for calls that change nothing.
   */
  normalise(name: string, payload: unknown): AgentEvent | null;
  /**
   * A turn_end's final answer from the agent's own transcript, where the payload's text is not
   * exactly it (Gemini's `prompt_response` joins every text of the turn). Undefined: use `response`.
   */
  answerFromTranscript?(transcriptPath: string): string | undefined;
}

/**
 * Where a terminal's hooks send their events. Each terminal has its own secret, so a hook can
 * speak only for its own terminal; it is never the daemon's token.
 */
export interface EventEndpoint {
  /** `POST <url>/<hook name>` with the payload as JSON body and `Authorization: Bearer <secret>`. */
  url: string;
  secret: string;
  /**
   * A fast command (no Node start-up) that posts what it is given: run as
   * `<command...> <hook name> [payload]`; the payload is its last argument or, without one, its
   * standard input. It never fails the agent: a daemon that is down is ignored.
   */
  command: string[];
}

export interface ProfileForLaunch {
  name: string;
  model?: string;
  systemPrompt?: string;
  permissionMode?: string;
  allowedTools?: string[];
  deniedTools?: string[];
  mcpServers?: Record<string, { command: string; args?: string[]; env?: Record<string, string> }>;
  env?: Record<string, string>;
  /** Ask before each call of the conductor's own MCP tools (by default they run without a prompt). */
  askForConductorTools?: boolean;
}

export interface LaunchContext {
  terminalId: string;
  cwd: string;
  /** A private directory for this terminal's generated files (MCP config, settings). */
  runtimeDir: string;
  profile?: ProfileForLaunch;
  /** How to start the conductor's MCP server for this terminal. */
  mcp: { command: string; args: string[]; env: Record<string, string> };
  /** The conductor's tool-call gate (`conductor hook pre-tool-use`), for CLIs with hooks. */
  hook?: { command: string; args: string[] };
  /** The environment of whoever asked for the launch (the CLI's shell, the calling agent, the daemon for flows). */
  baseEnv: Record<string, string | undefined>;
  /** Continue the agent's own conversation with this id (its CLI's resume flag) instead of starting one. */
  resume?: { sessionId: string };
  /** Where the agent's own hooks report its state; absent when events are switched off (screen only). */
  events?: EventEndpoint;
}

export interface LaunchSpec {
  /** argv[0] is the program; arguments are passed verbatim (quoted for the shell by the conductor). */
  argv: string[];
  env?: Record<string, string>;
  /** Variables removed from the inherited environment (e.g. ones marking a nested session). */
  unsetEnv?: string[];
  /** Files written before launch, e.g. per-terminal MCP config. Paths are absolute. */
  files?: Array<{ path: string; content: string; mode?: number }>;
  /** Where the agent records its own token usage, for `conductor usage` (none: usage unknown). */
  usageRecords?: UsageRecords;
}

/** The agent's own per-response usage records (read by src/usage). */
export interface UsageRecords {
  format: 'claude_code' | 'codex' | 'gemini_cli';
  /** The agent's config dir or home that holds the records (CLAUDE_CONFIG_DIR, CODEX_HOME, GEMINI_CLI_HOME). */
  dir: string;
  /** Claude Code: the `--session-id` it was started with, which names its transcript file. */
  sessionId?: string;
  /** `dir` is shared with other sessions (the user's own home): a record is this terminal's by its cwd and start time. */
  shared?: boolean;
}

/** A dialog the provider answers by itself during start-up (trust folder, API key confirmation…). */
export interface StartupDialog {
  description: string;
  match: RegExp;
  /** tmux key names sent in order, e.g. ['Down', 'Enter']. */
  keys: string[];
}

export interface ProviderDefinition {
  name: string;
  description: string;
  /** Program looked up on PATH by `conductor doctor`. */
  binary?: string;
  launch(ctx: LaunchContext): LaunchSpec;
  /** CLI versions whose screens and launch were verified (goldens and end-to-end tests), oldest first. */
  verifiedVersions?: string[];
  /** Variables this CLI sets for its children: no agent the conductor starts may inherit them. */
  nestedSessionVars?: string[];
  /** Wait after pasting input before pressing Enter, so the TUI has taken the paste in. */
  settleDelayMs: number;
  /** Output must be quiet this long before a screen is judged. */
  quietWindowMs: number;
  /** How long a start may take before the terminal is reported as `error`. */
  startupTimeoutMs: number;
  /** Pure: the rendered screen (plain text, no escapes) → state. */
  detect(screen: string): ScreenState;
  /** Pure: screen text including scrollback → the agent's last answer, clean; null if none is visible. */
  lastResponse(screen: string): string | null;
  /** The polite way out, tried before signals. */
  exit: { text?: string; keys?: string[] };
  startupDialogs?: StartupDialog[];
  /** tmux key names that stop the agent's current turn (`conductor interrupt`), e.g. ['Escape']. */
  interrupt?: string[];
  /** Keys that answer a permission prompt, for approvals. */
  answerKeys?: { approve: string[]; deny: string[] };
  /**
   * Pure: the input box still holds typed text (an Enter was swallowed). Used to confirm that an
   * Enter really submitted; without it, any change of the screen counts.
   */
  inputPending?(screen: string): boolean;
  /** Typed input is accepted while busy (inbox may deliver eagerly). */
  acceptsInputWhileBusy?: boolean;
  /** How `conductor doctor` asks the CLI for its version. */
  version?: { args: string[] };
  /** The CLI reports its own state through hooks installed by `launch` (see docs/providers.md). */
  events?: ProviderEvents;
}
