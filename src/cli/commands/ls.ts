import type { Command } from 'commander';
import type { SessionRecord } from '../../terminal/schema.js';
import { connect } from '../client.js';
import { ago, table, usageCell } from '../format.js';
import { action, printJson } from '../run.js';

export function register(program: Command): void {
  program
    .command('ls')
    .description('list sessions and their terminals with live status')
    .option('-a, --all', 'include exited terminals')
    .option('--json', 'print as JSON')
    .action(
      action(async (opts: { all?: boolean; json?: boolean }) => {
        const client = await connect();
        const { sessions } = await client.get<{ sessions: SessionRecord[] }>(`/sessions${opts.all ? '?all=true' : ''}`);
        if (opts.json) return printJson({ sessions });
        if (sessions.length === 0) {
          process.stdout.write('no terminals: start one with `conductor launch`\n');
          return;
        }
        const rows = sessions.flatMap((s) =>
          s.terminals.map((t) => [
            s.name,
            t.id,
            t.provider,
            t.profile ?? '-',
            t.status + (t.status === 'exited' && t.exitCode !== null ? ` (${t.exitCode})` : ''),
            ago(t.lastActiveAt),
            usageCell(t.usage),
            t.callerTerminalId ?? '-',
            t.worktree?.branch ?? '-',
            t.cwd,
          ]),
        );
        process.stdout.write(`${table(['SESSION', 'TERMINAL', 'PROVIDER', 'PROFILE', 'STATUS', 'ACTIVE', 'USAGE', 'CALLER', 'BRANCH', 'CWD'], rows)}\n`);
        const lost = sessions.flatMap((s) => s.terminals).filter((t) => t.status === 'lost');
        if (lost.length === 1) process.stdout.write(`\n${lost[0].id} was lost with its tmux window: \`conductor resume ${lost[0].id}\` starts it again\n`);
        else if (lost.length > 1) process.stdout.write(`\n${lost.length} terminals were lost with their tmux windows: \`conductor resume --all\` starts them again\n`);
      }),
    );
}
