/**
 * Ollama (`ollama run MODEL`): a local model in Ollama's line-oriented REPL.
 *
 * Checked against a stand-in (test/fixtures/fake-ollama.mjs) that reproduces the screen of
 * Ollama v0.32.15 as read from its sources, not against a real Ollama: see docs/ollama.md.
 *
 * Screen layout the detector relies on (plain text as captured by tmux):
 *
 *   >>> the user's message                 ← `>>> ` prompt; a long or pasted message goes on
 *   ... its next line                          on lines starting with `... `
 *   ⠙                                      ← spinner (alone on its line) until the first token
 *   The answer, streamed, word-wrapped     ← Ollama breaks lines itself, 5 columns before the
 *   at the pane width.                         pane edge; then a blank line
 *
 *   >>> Send a message (/? for help)       ← idle: the prompt with its grey placeholder
 *
 * `"""` opens a multi-line message (`... Press Enter to send` until the closing `"""`).
 * A failing server ends the program with `Error: …`; an upstream error prints one line and
 * the prompt comes back. Thinking models print `Thinking...` … `...done thinking.` first.
 *
 * Launch choices:
 * - `ollama run` has no system prompt option; in the REPL only `/set system` sets one. So a
 *   profile's system prompt goes into a derived model, `FROM <model>` plus `SYSTEM`, created
 *   with `ollama create` just before `ollama run`. Its name depends only on the profile, the
 *   model and the prompt, so launches reuse it and re-creating it is a no-op.
 * - OLLAMA_NOHISTORY keeps the conductor's messages out of the user's ~/.ollama/history.
 * - The REPL cannot use tools, so no MCP server is wired: an Ollama terminal can be given
 *   work, but cannot hand work on.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ProviderError } from '../src/errors.js';
import { screenRows, trimBlankEdges, unwrapRows } from '../src/providers/screen.js';
import type { LaunchContext, LaunchSpec, ProviderDefinition, ScreenState } from '../src/providers/types.js';

export const DEFAULT_MODEL = 'llama3.2';
/** The conductor's pane width; Ollama wraps answers 5 columns before it. */
const PANE_WIDTH = 200;
const WRAP_AT = PANE_WIDTH - 5;

/** Creates the derived model (its progress kept out of sight unless it fails), then runs it. */
const CREATE_THEN_RUN = 'ollama create "$1" -f "$2" >"$3" 2>&1 || { cat "$3"; exit 1; }; exec ollama run "$1"';

export function derivedModelName(profile: string, model: string, system: string): string {
  const hash = createHash('sha256').update(`${model}\0${system}`).digest('hex').slice(0, 12);
  return `conductor-${profile}:${hash}`;
}

function launch(ctx: LaunchContext): LaunchSpec {
  const profile = ctx.profile;
  const model = profile?.model || DEFAULT_MODEL;
  const env = { TERM: 'xterm-256color', OLLAMA_NOHISTORY: '1', ...profile?.env };
  const system = profile?.systemPrompt?.trim();
  if (!profile || !system) return { argv: ['ollama', 'run', model], env };
  if (system.includes('"""')) {
    throw new ProviderError(`profile '${profile.name}': a system prompt for Ollama cannot contain """ (a Modelfile cannot quote it)`);
  }
  const modelfile = join(ctx.runtimeDir, 'Modelfile');
  const log = join(ctx.runtimeDir, 'ollama-create.log');
  return {
    argv: ['sh', '-c', CREATE_THEN_RUN, 'conductor-ollama', derivedModelName(profile.name, model, system), modelfile, log],
    env,
    files: [{ path: modelfile, content: `FROM ${model}\nSYSTEM """${system}"""\n` }],
  };
}

// ---------------------------------------------------------------------------------------------
// Screen parsing

const PLACEHOLDER = 'Send a message (/? for help)';
const PROMPT = /^>>>(?: |$)/;
const CONTINUATION = /^\.\.\.(?: |$)/;
/** The idle prompt; after Ctrl-C it follows the echoed `^C` on the same line. */
const IDLE_PROMPT = />>> Send a message \(\/\? for help\)$/;
const MULTILINE_WAIT = /^\.\.\. Press Enter to send$/;
/** What shows before the prompt: spinners, pull progress, cloud connection, `ollama create`. */
const STARTUP_LINE =
  /^(?:.* )?[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]$|^(?:pulling |verifying sha256 digest|writing manifest|success|Connecting to '|gathering model components|using existing layer |creating new layer )/;
/** Fatal errors while a session runs: HTTP status errors and lost connections. */
const SESSION_FATAL = /^Error: (?:\d{3} [A-Za-z ]+: |[A-Z][a-z]+ "https?:|could not connect to ollama|model '.*' not found)/;
const TURN_ERROR = /^(?:An error occurred while processing your message\. Please try again\.|error: .+)$/;
const REPL_COMMAND = /^\/(?:set|show|load|save|clear|list|bye|exit|help|\?)(?:\s|$)/;
const FENCE = /^\s*```/;
const STATS_LINE = /^(?:total duration|load duration|prompt eval count|prompt eval duration|prompt eval rate|eval count|eval duration|eval rate): /;

interface Turn {
  input: string[];
  output: string[];
}

/**
 * Splits the transcript into turns: a `>>> ` line and its `... ` lines, then what was printed
 * until the next prompt. `>>> ` inside a fenced code block of an answer is not a prompt (the
 * bottom line always is). The last turn is the one whose prompt is at the bottom.
 */
function turns(lines: string[]): { before: string[]; turns: Turn[] } {
  const before: string[] = [];
  const list: Turn[] = [];
  let current: Turn | null = null;
  let inInput = false;
  let inFence = false;
  lines.forEach((line, i) => {
    const bottom = i === lines.length - 1;
    const glued = bottom && !PROMPT.test(line) && IDLE_PROMPT.test(line) ? /^(.*?)>>> (.*)$/.exec(line) : null;
    if ((PROMPT.test(line) && (!inFence || bottom)) || glued) {
      if (glued && current) current.output.push(glued[1].replace(/\^C$/, ''));
      current = { input: [glued ? glued[2] : line.slice(4)], output: [] };
      list.push(current);
      inInput = true;
      inFence = false;
      return;
    }
    if (current && inInput && CONTINUATION.test(line)) {
      current.input.push(line.slice(4));
      return;
    }
    inInput = false;
    if (!current) before.push(line);
    else {
      current.output.push(line);
      if (FENCE.test(line)) inFence = !inFence;
    }
  });
  return { before, turns: list };
}

function width(text: string): number {
  let w = 0;
  for (const ch of text) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1faff}\u{20000}-\u{3fffd}]/u.test(ch) ? 2 : 1;
  return w;
}

/**
 * Undoes Ollama's word wrap: it moved a word to a new line when the word would have passed
 * WRAP_AT, leaving the space at the end of the line (which the capture drops).
 */
function unwrap(lines: string[]): string[] {
  return unwrapRows(lines, {
    width: WRAP_AT,
    measure: width,
    continues: (line) => !line.startsWith(' '),
    // A full line was cut inside a run of wide characters (no space to drop); otherwise at a space.
    joiner: (previous) => (width(previous) >= WRAP_AT ? '' : ' '),
  });
}

/** The answer of a turn: thinking and verbose statistics removed, word wrap undone. */
function answerText(turn: Turn): string {
  let lines = trimBlankEdges(turn.output);
  if (lines[0] === 'Thinking...') {
    const done = lines.indexOf('...done thinking.');
    if (done >= 0) lines = lines.slice(done + 1);
  }
  let end = lines.length;
  while (end > 0 && (STATS_LINE.test(lines[end - 1]) || lines[end - 1] === '')) end--;
  return trimBlankEdges(unwrap(lines.slice(0, end))).join('\n');
}

/** Submitted turns that sent a message to the model (not REPL commands, not empty lines). */
function messageTurns(all: Turn[]): Turn[] {
  return all.slice(0, -1).filter((t) => {
    const text = t.input.join('\n').trim();
    return text !== '' && !REPL_COMMAND.test(text) && !t.output.some((l) => l.startsWith('Unknown command '));
  });
}

function detect(screen: string): ScreenState {
  const lines = screenRows(screen);
  if (lines.length === 0) return 'starting';
  const last = lines[lines.length - 1];
  const { before, turns: all } = turns(lines);
  if (all.length === 0) {
    // No prompt on screen: still starting (or failed to), or a long answer pushed it off.
    const startup = before.slice(0, -1).every((line) => line === '' || STARTUP_LINE.test(line));
    if (startup && /^Error: /.test(last)) return 'error';
    return startup && STARTUP_LINE.test(last) ? 'starting' : 'busy';
  }
  const current = all[all.length - 1];
  const output = trimBlankEdges(current.output);
  if (output.length > 0) {
    if (SESSION_FATAL.test(output[output.length - 1])) return 'error';
    return 'busy';
  }
  if (MULTILINE_WAIT.test(last) || current.input.length > 1 || CONTINUATION.test(last)) return 'waiting_input';
  if (IDLE_PROMPT.test(last)) {
    const previous = all.length > 1 ? trimBlankEdges(all[all.length - 2].output) : [];
    return previous.length === 1 && TURN_ERROR.test(previous[0]) ? 'error' : 'idle';
  }
  // A message typed but not sent (or sent a moment ago, before the spinner showed): still the prompt.
  return PROMPT.test(last) ? 'idle' : 'unknown';
}

function lastResponse(screen: string): string | null {
  const lines = screenRows(screen);
  const { turns: all } = turns(lines);
  const bottom = all[all.length - 1];
  if (!bottom || bottom.output.length > 0) return null;
  const sent = messageTurns(all);
  return sent.length ? answerText(sent[sent.length - 1]) : null;
}

/** Typed text after the `>>> ` prompt at the bottom: the Enter did not submit it (yet). */
function inputPending(screen: string): boolean {
  const lines = screenRows(screen);
  const last = lines[lines.length - 1] ?? '';
  return PROMPT.test(last) && last.slice(4).trim() !== '' && last.slice(4) !== PLACEHOLDER;
}

export const provider: ProviderDefinition = {
  name: 'ollama',
  description: 'A local model in Ollama’s REPL (ollama run)',
  binary: 'ollama',
  launch,
  settleDelayMs: 100,
  quietWindowMs: 400,
  // Loading a large model on a CPU takes a while; pull models beforehand (`ollama pull`).
  startupTimeoutMs: 180_000,
  detect,
  lastResponse,
  inputPending,
  exit: { text: '/bye' },
  // `ollama run` stops a generation on Ctrl-C (a second one, at the prompt, would quit).
  interrupt: ['C-c'],
  acceptsInputWhileBusy: false,
  version: { args: ['--version'] },
};
