import type { Command } from 'commander';
import { ensureLayout, layout } from '../../config/paths.js';
import { action, printJson } from '../run.js';

export function register(program: Command): void {
  program
    .command('init')
    .description('create the state folder (CONDUCTOR_HOME, default ~/.conductor)')
    .option('--json', 'print the layout as JSON')
    .action(
      action(async (opts: { json?: boolean }) => {
        const l = ensureLayout(layout());
        if (opts.json) printJson(l);
        else process.stdout.write(`conductor home: ${l.home}\n`);
      }),
    );
}
