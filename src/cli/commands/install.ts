import type { Command } from 'commander';
import { ensureLayout, layout } from '../../config/paths.js';
import { installProfile } from '../../profile/install.js';
import { providerNames } from '../../providers/registry.js';
import { action, printJson } from '../run.js';

export function register(program: Command): void {
  program
    .command('install')
    .description('validate a profile file and install it as CONDUCTOR_HOME/profiles/<name>.md (a bare name copies that built-in, to customise)')
    .argument('<profile>', 'a profile file (path), or the name of a built-in profile')
    .option('-f, --force', 'overwrite a user profile of the same name')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (arg: string, opts: { force?: boolean; json?: boolean }) => {
        const l = ensureLayout(layout());
        const r = installProfile(arg, { userDir: l.profiles, force: opts.force, cwd: process.cwd(), knownProviders: providerNames(l.providers) });
        if (opts.json) return printJson(r);
        const what = r.source === 'built-in' ? `a copy of the built-in '${r.name}'` : `profile '${r.name}'`;
        const note = r.source === 'file' && r.overridesBuiltIn ? ` (it overrides the built-in '${r.name}')` : '';
        process.stdout.write(`installed ${what}${r.replaced ? ', replacing yours,' : ''} as ${r.file}${note}\n`);
        if (r.source === 'built-in') process.stdout.write(`edit it there: your copy wins over the built-in\n`);
      }),
    );
}
