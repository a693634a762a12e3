import type { Command } from 'commander';
import { ConflictError } from '../../errors.js';
import { validate } from '../../server/http.js';
import { resumeSchema, type ResumeOutcome } from '../../resume/schema.js';
import { connect } from '../client.js';
import { action, printJson } from '../run.js';

function describe(o: ResumeOutcome): string {
  if (o.result === 'failed') return `${o.terminalId}: not resumed: ${o.error}`;
  if (o.result === 'fresh') return `${o.terminalId}: started anew`;
  return `${o.terminalId}: resumed, continuing conversation ${o.conversationId}`;
}

export function register(program: Command): void {
  program
    .command('resume')
    .description('start lost terminals again after a reboot: same id, cwd, profile, inbox, and the agent\'s own conversation')
    .argument('[terminal]', 'terminal id (see `conductor ls`: status lost)')
    .option('-s, --session <name>', 'every lost terminal of this session')
    .option('--all', 'every lost terminal')
    .option('--fresh', "start the agent anew (same id and profile) instead of continuing its conversation")
    .option('--json', 'print the outcomes as JSON')
    .action(
      action(async (terminal: string | undefined, opts: { session?: string; all?: boolean; fresh?: boolean; json?: boolean }) => {
        const input = validate(resumeSchema, { terminal, session: opts.session, all: opts.all ?? false, fresh: opts.fresh ?? false }, 'arguments');
        const { resumed } = await (await connect()).post<{ resumed: ResumeOutcome[] }>('/resume', input);
        if (opts.json) printJson({ resumed });
        else if (resumed.length === 0) process.stdout.write('no lost terminal to resume\n');
        else for (const o of resumed) process.stdout.write(`${describe(o)}\n`);
        const failed = resumed.filter((o) => o.result === 'failed');
        if (failed.length > 0) throw new ConflictError(`${failed.length} of ${resumed.length} lost terminals could not resume (reasons above)`);
      }),
    );
}
