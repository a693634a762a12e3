import type { Command } from 'commander';
import type { SessionRecord, TerminalRecord } from '../../terminal/schema.js';
import { attachTo } from '../attach.js';
import { connect } from '../client.js';
import { action } from '../run.js';

export function register(program: Command): void {
  program
    .command('attach')
    .description('attach your terminal to a conductor terminal (or session) in tmux')
    .argument('<terminal|session>', 'terminal id, or session id or name')
    .action(
      action(async (target: string) => {
        const client = await connect();
        if (/^[0-9a-f]{8}$/.test(target)) {
          const terminal = await client.get<TerminalRecord>(`/terminals/${target}`).catch(() => undefined);
          if (terminal) return attachTo(client, terminal);
        }
        const session = await client.get<SessionRecord>(`/sessions/${encodeURIComponent(target)}`);
        const first = session.terminals.find((t) => t.status !== 'exited') ?? session.terminals[0];
        return attachTo(client, { tmuxSession: session.tmuxSession, tmuxWindow: first?.tmuxWindow ?? `=${session.tmuxSession}:` });
      }),
    );
}
