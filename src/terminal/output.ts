import { existsSync, readFileSync } from 'node:fs';
import { TmuxUnavailableError } from '../errors.js';
import { resolveProvider } from '../providers/registry.js';
import type { Runtime } from '../runtime.js';
import { TmuxTargetMissingError } from '../tmux/client.js';
import type { TerminalRecord } from './schema.js';

export type OutputMode = 'full' | 'last' | 'screen';

const FULL_HISTORY = 50_000;
const RESPONSE_HISTORY = 3000;

/** The terminal's text: its whole scrollback, its visible screen, or the agent's last answer. */
export async function readOutput(rt: Runtime, terminal: TerminalRecord, mode: OutputMode): Promise<string | null> {
  if (mode === 'last') {
    const stored = await rt.terminals.lastResponse(terminal.id);
    if (stored !== null) return stored;
    const screen = await capture(rt, terminal, RESPONSE_HISTORY);
    return screen === null ? null : resolveProvider(terminal.provider, rt.layout.providers).lastResponse(screen);
  }
  const text = await capture(rt, terminal, mode === 'full' ? FULL_HISTORY : 0);
  if (text !== null) return text.replace(/\s+$/gm, '').trimEnd();
  // The window is gone: the clean log is what remains of what it showed.
  return existsSync(terminal.logFile) ? readFileSync(terminal.logFile, 'utf8').trimEnd() : null;
}

async function capture(rt: Runtime, terminal: TerminalRecord, history: number): Promise<string | null> {
  try {
    return await rt.tmux.capture(terminal.tmuxPane, history);
  } catch (err) {
    if (err instanceof TmuxTargetMissingError) return null;
    // An exited or lost terminal's window may have gone with the whole tmux server: its log remains.
    if (err instanceof TmuxUnavailableError && (terminal.status === 'exited' || terminal.status === 'lost')) return null;
    throw err;
  }
}
