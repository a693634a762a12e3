import { spawnSync } from 'node:child_process';
import type { TerminalRecord } from '../terminal/schema.js';
import type { DaemonClient } from './client.js';

/** Hands the user's terminal to tmux: attach, or switch client when already inside tmux. */
export function attachTo(client: DaemonClient, target: Pick<TerminalRecord, 'tmuxSession' | 'tmuxWindow'>): number {
  const socket = client.state.tmuxSocket;
  const base = socket ? ['-L', socket] : [];
  const insideTmux = Boolean(process.env.TMUX) && !socket;
  const args = insideTmux
    ? [...base, 'switch-client', '-t', target.tmuxWindow]
    : [...base, 'attach-session', '-t', `=${target.tmuxSession}`, ';', 'select-window', '-t', target.tmuxWindow];
  const result = spawnSync('tmux', args, { stdio: 'inherit' });
  return result.status ?? 1;
}
