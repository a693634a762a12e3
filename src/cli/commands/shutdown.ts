import type { Command } from 'commander';
import { InvalidInputError } from '../../errors.js';
import type { ShutdownReport } from '../../terminal/shutdown.js';
import { connect } from '../client.js';
import { action, printJson } from '../run.js';

export function register(program: Command): void {
  program
    .command('shutdown')
    .description('stop a terminal, a whole session, or everything (exit command, then SIGTERM, then SIGKILL)')
    .argument('[terminal]', 'terminal id')
    .option('-s, --session <name>', 'every terminal of this session')
    .option('--all', 'every terminal of every session')
    .option('--json', 'print the reports as JSON')
    .action(
      action(async (terminal: string | undefined, opts: { session?: string; all?: boolean; json?: boolean }) => {
        const chosen = [terminal, opts.session, opts.all].filter(Boolean).length;
        if (chosen !== 1) throw new InvalidInputError('name exactly one of: a terminal id, --session NAME, --all');
        const client = await connect();
        let reports: ShutdownReport[];
        if (terminal) reports = [await client.delete<ShutdownReport>(`/terminals/${terminal}`)];
        else if (opts.session) reports = (await client.delete<{ shutdown: ShutdownReport[] }>(`/sessions/${encodeURIComponent(opts.session)}`)).shutdown;
        else reports = (await client.delete<{ shutdown: ShutdownReport[] }>('/terminals')).shutdown;
        if (opts.json) return printJson({ shutdown: reports });
        for (const r of reports) {
          process.stdout.write(`${r.terminalId}: stopped (${r.method})\n`);
          if (r.worktree) process.stdout.write(`${r.terminalId}: ${r.worktree.kept ? r.worktree.note : `removed its worktree ${r.worktree.path} (${r.worktree.state})`}\n`);
        }
        if (reports.length === 0) process.stdout.write('nothing to stop\n');
      }),
    );
}
