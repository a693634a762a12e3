import type { Command } from 'commander';
import { validate } from '../../server/http.js';
import { interruptSchema, type InterruptReport } from '../../terminal/interrupt.js';
import { connect } from '../client.js';
import { action, printJson } from '../run.js';

export function register(program: Command): void {
  program
    .command('interrupt')
    .description("stop the agent's current turn with its own interrupt key (Escape, or C-c for a shell) and confirm it stopped")
    .argument('<terminal>', 'terminal id')
    .option('-t, --timeout <seconds>', 'how long the agent has to stop', '5')
    .option('--json', 'print the report as JSON')
    .action(
      action(async (terminal: string, opts: { timeout: string; json?: boolean }) => {
        const input = validate(interruptSchema, { timeout: Number(opts.timeout) }, 'option');
        const report = await (await connect()).post<InterruptReport>(`/terminals/${terminal}/interrupt`, input);
        if (opts.json) return printJson(report);
        const keys = report.keys.join(' ');
        if (report.before === 'busy') process.stdout.write(`${terminal}: interrupted (${keys}); now ${report.status}\n`);
        else process.stdout.write(`${terminal}: sent ${keys}; it was not busy (${report.before})\n`);
      }),
    );
}
