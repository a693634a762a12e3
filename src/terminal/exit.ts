import type { EventBus } from '../events/bus.js';
import type { TerminalStatus } from './schema.js';
import type { TerminalStore } from './store.js';

export interface ExitDeps {
  store: TerminalStore;
  bus: EventBus;
}

/**
 * Records that a terminal ended and announces it. The row moves to `exited` once; only the call
 * that moved it publishes, so `terminal.exited` goes out exactly once per terminal, whichever path
 * (its process ending, a shutdown, a restart finding its window gone) saw the end first.
 */
export async function recordExit(
  deps: ExitDeps,
  terminal: { id: string; sessionId: string; previous: TerminalStatus },
  exit: { exitCode: number | null; detail: string; at: number },
): Promise<boolean> {
  if (!(await deps.store.markExited(terminal.id, exit.exitCode, exit.at, exit.detail))) return false;
  const refs = { sessionId: terminal.sessionId, terminalId: terminal.id };
  await deps.bus.publish('terminal.status', refs, { status: 'exited', previous: terminal.previous, detail: exit.detail });
  await deps.bus.publish('terminal.exited', refs, { exitCode: exit.exitCode, detail: exit.detail });
  return true;
}
