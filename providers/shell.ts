import type { ProviderDefinition, ScreenState } from '../src/providers/types.js';
import { lastIndexMatching, screenRows, trimBlankEdges } from '../src/providers/screen.js';

/** A recognisable prompt, so the screen alone tells whether bash waits for a command. */
const PS1 = '[conductor] \\W \\$ ';
const PS2 = '[conductor:more] > ';
const PROMPT = /^\[conductor\] .*?[$#](?: (.*))?$/;
const CONTINUATION = /^\[conductor:more\] >/;

function promptLine(line: string): { command: string } | null {
  const m = PROMPT.exec(line);
  return m ? { command: m[1] ?? '' } : null;
}

export const provider: ProviderDefinition = {
  name: 'shell',
  description: 'A plain bash shell: idle at its prompt, busy while a command runs',
  binary: 'bash',
  launch: () => ({
    argv: ['bash', '--noprofile', '--norc', '-i'],
    env: { PS1, PS2, PROMPT_COMMAND: '', HISTFILE: '/dev/null', TERM: 'xterm-256color' },
  }),
  // A pty delivers the paste and the Enter in order, and readline takes them in that order.
  settleDelayMs: 0,
  quietWindowMs: 150,
  startupTimeoutMs: 10_000,
  detect(screen): ScreenState {
    const lines = screenRows(screen);
    if (lines.length === 0) return 'starting';
    const last = lines[lines.length - 1];
    if (CONTINUATION.test(last)) return 'waiting_input';
    const prompt = promptLine(last);
    if (prompt && prompt.command === '') return 'idle';
    return 'busy';
  },
  lastResponse(screen) {
    const lines = screenRows(screen);
    const current = lastIndexMatching(lines, PROMPT);
    if (current < 0 || promptLine(lines[current])!.command !== '') return null;
    const previous = lastIndexMatching(lines, PROMPT, current);
    if (previous < 0) return null;
    let start = previous + 1;
    while (start < current && CONTINUATION.test(lines[start])) start++;
    const out = trimBlankEdges(lines.slice(start, current));
    return out.join('\n');
  },
  exit: { text: 'exit' },
  interrupt: ['C-c'],
  acceptsInputWhileBusy: false,
};
