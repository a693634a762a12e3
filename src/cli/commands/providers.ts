import type { Command } from 'commander';
import { connect } from '../client.js';
import { table } from '../format.js';
import { action, printJson } from '../run.js';

interface Listing {
  providers: Array<{ name: string; description: string; source: string; file?: string }>;
  invalid: Array<{ file: string; error: string }>;
}

export function register(program: Command): void {
  program
    .command('providers')
    .description('list built-in and user providers (user files live in CONDUCTOR_HOME/providers/)')
    .option('--json', 'print as JSON')
    .action(
      action(async (opts: { json?: boolean }) => {
        const client = await connect();
        const listing = await client.get<Listing>('/providers');
        if (opts.json) return printJson(listing);
        process.stdout.write(`${table(['NAME', 'SOURCE', 'DESCRIPTION'], listing.providers.map((p) => [p.name, p.source, p.description]))}\n`);
        for (const bad of listing.invalid) process.stderr.write(`conductor: skipped ${bad.error}\n`);
        return listing.invalid.length > 0 ? 1 : 0;
      }),
    );
}
