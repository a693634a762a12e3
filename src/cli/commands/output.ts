import type { Command } from 'commander';
import { connect } from '../client.js';
import { action } from '../run.js';

export function register(program: Command): void {
  program
    .command('output')
    .description("print a terminal's text: all of it, its screen, or the agent's last answer")
    .argument('<terminal>', 'terminal id')
    .option('--last', "only the agent's last response")
    .option('--screen', 'only the visible screen')
    .action(
      action(async (terminal: string, opts: { last?: boolean; screen?: boolean }) => {
        const client = await connect();
        const mode = opts.last ? 'last' : opts.screen ? 'screen' : 'full';
        const { output } = await client.get<{ output: string | null }>(`/terminals/${terminal}/output?mode=${mode}`);
        if (output === null) {
          process.stderr.write(`conductor: terminal ${terminal} has no ${mode === 'last' ? 'response' : 'output'} yet\n`);
          return 1;
        }
        process.stdout.write(`${output}\n`);
      }),
    );
}
