import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { shellQuote } from '../tmux/client.js';
import { resolveTmuxSocket, socketOfTmuxEnv } from '../tmux/socket.js';
import type { TerminalRecord } from '../terminal/schema.js';
import type { DaemonClient } from './client.js';

type Target = Pick<TerminalRecord, 'tmuxSession' | 'tmuxWindow'>;

export interface AttachPlan {
  /** `attach` from a plain terminal, `switch` inside the same server, `nested` inside another server. */
  mode: 'attach' | 'switch' | 'nested';
  args: string[];
  /** Variables to remove for the tmux client (a nested attach must not see the outer `$TMUX`). */
  unset: string[];
  /** The exact command, for the user to run or to read. */
  command: string;
}

function sameFile(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  return a === b || real(a) === real(b);
}

/** Pure but for realpath: how to get the user's terminal onto the target window. */
export function attachPlan(socket: string, target: Target, tmuxEnv: string | undefined): AttachPlan {
  const base = ['-S', socket];
  const attach = [...base, 'attach-session', '-t', `=${target.tmuxSession}`, ';', 'select-window', '-t', target.tmuxWindow];
  const current = socketOfTmuxEnv(tmuxEnv);
  const word = (a: string) => (a === ';' ? '\\;' : /^[\w@%+=:,./-]+$/.test(a) ? a : shellQuote(a));
  const render = (args: string[], prefix = '') => prefix + ['tmux', ...args].map(word).join(' ');
  if (!current) return { mode: 'attach', args: attach, unset: [], command: render(attach) };
  if (sameFile(current, socket)) {
    const args = [...base, 'switch-client', '-t', target.tmuxWindow];
    return { mode: 'switch', args, unset: [], command: render(args) };
  }
  return { mode: 'nested', args: attach, unset: ['TMUX', 'TMUX_PANE'], command: render(attach, 'TMUX= ') };
}

/** Hands the user's terminal to tmux: attach, switch client inside the same server, or nest inside another. */
export function attachTo(client: DaemonClient, target: Target): number {
  const socket = client.state.tmuxSocket ?? resolveTmuxSocket();
  const plan = attachPlan(socket, target, process.env.TMUX);
  if (plan.mode === 'nested') {
    process.stderr.write(
      `conductor: this pane belongs to another tmux server, so attaching nested (detach the inner one with C-b C-b d); ` +
        `from a plain terminal run: ${plan.command.replace(/^TMUX= /, '')}\n`,
    );
  }
  const env = { ...process.env };
  for (const name of plan.unset) delete env[name];
  const result = spawnSync('tmux', plan.args, { stdio: 'inherit', env });
  return result.status ?? 1;
}
