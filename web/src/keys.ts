/**
 * What xterm.js hands over as typed data, turned into conductor calls: text is pasted (the
 * verified input path), special keys are pressed by their tmux names.
 */
export type Typed = { text: string } | { keys: string[] };

const SEQUENCES: Record<string, string> = {
  '\r': 'Enter',
  '\x7f': 'BSpace',
  '\b': 'BSpace',
  '\t': 'Tab',
  '\x1b': 'Escape',
  '\x1b[A': 'Up',
  '\x1b[B': 'Down',
  '\x1b[C': 'Right',
  '\x1b[D': 'Left',
  '\x1bOA': 'Up',
  '\x1bOB': 'Down',
  '\x1bOC': 'Right',
  '\x1bOD': 'Left',
  '\x1b[H': 'Home',
  '\x1b[F': 'End',
  '\x1bOH': 'Home',
  '\x1bOF': 'End',
  '\x1b[2~': 'IC',
  '\x1b[3~': 'DC',
  '\x1b[5~': 'PageUp',
  '\x1b[6~': 'PageDown',
  '\x1b[Z': 'BTab',
};

/**
 * Answers the terminal emulator gives by itself (device attributes, cursor reports, colour
 * queries, focus and mouse reports): the real terminal in tmux already answered them.
 */
const EMULATOR_REPLIES = [/^\x1b\[[?>]?[\d;]*[cnR]$/, /^\x1b\][^\x07\x1b]*(\x07|\x1b\\)$/, /^\x1b\[[IO]$/, /^\x1b\[M.../s, /^\x1b\[<[\d;]+[mM]$/, /^\x1bP.*\x1b\\$/s];

export function isEmulatorReply(data: string): boolean {
  return EMULATOR_REPLIES.some((r) => r.test(data));
}

export function typed(data: string): Typed | null {
  if (isEmulatorReply(data)) return null;
  const key = SEQUENCES[data];
  if (key) return { keys: [key] };
  if (data.length === 1) {
    const code = data.charCodeAt(0);
    if (code >= 1 && code <= 26) return { keys: [`C-${String.fromCharCode(code + 96)}`] };
    if (code < 32) return null;
  }
  if (data.startsWith('\x1b')) return null; // an unknown escape sequence: not text
  // A paste: its bracket markers go (the daemon brackets again when the agent asked), CR becomes LF.
  const text = data.replace(/\x1b\[20[01]~/g, '').replace(/\r\n?/g, '\n');
  return text ? { text } : null;
}
