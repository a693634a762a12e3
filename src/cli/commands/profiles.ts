import type { Command } from 'commander';
import type { Profile } from '../../profile/schema.js';
import { connect } from '../client.js';
import { table } from '../format.js';
import { action, printJson } from '../run.js';

export function register(program: Command): void {
  const profiles = program
    .command('profiles')
    .description('list agent profiles (built-in, and yours in CONDUCTOR_HOME/profiles/)')
    .option('--json', 'print as JSON')
    .action(
      action(async (opts: { json?: boolean }) => {
        const client = await connect();
        const listing = await client.get<{ profiles: Profile[]; invalid: Array<{ file: string; error: string }> }>('/profiles');
        if (opts.json) return printJson(listing);
        const rows = listing.profiles.map((p) => [p.name, p.provider ?? '(caller’s)', p.source, p.description]);
        process.stdout.write(`${table(['NAME', 'PROVIDER', 'SOURCE', 'DESCRIPTION'], rows)}\n`);
        for (const bad of listing.invalid) process.stderr.write(`conductor: skipped ${bad.error}\n`);
        return listing.invalid.length > 0 ? 1 : 0;
      }),
    );
  profiles
    .command('show')
    .description('print one profile: its settings and its system prompt')
    .argument('<name>', 'profile name')
    .option('--json', 'print as JSON')
    .action(
      action(async (name: string, _opts: { json?: boolean }, command: Command) => {
        const p = await (await connect()).get<Profile>(`/profiles/${encodeURIComponent(name)}`);
        // `profiles` has a --json of its own, which commander gives precedence after the subcommand too.
        if (command.optsWithGlobals<{ json?: boolean }>().json) return printJson(p);
        const { systemPrompt, ...settings } = p;
        process.stdout.write(`${JSON.stringify(settings, null, 2)}\n\n${systemPrompt}\n`);
      }),
    );
}
