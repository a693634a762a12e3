import type { Command } from 'commander';
import open from 'open';
import type { LoginLink } from '../../dashboard/schema.js';
import { connect } from '../client.js';
import { action } from '../run.js';

export function register(program: Command): void {
  program
    .command('dashboard')
    .description('open the web dashboard in your browser, logged in by a one-time link')
    .option('--url', 'only print the login link (for another browser, or a script)')
    .option('--no-open', 'print the login link and do not open a browser')
    .action(
      action(async (opts: { url?: boolean; open: boolean }) => {
        const client = await connect();
        const link = await client.post<LoginLink>('/dashboard/codes');
        if (opts.url) {
          process.stdout.write(`${link.url}\n`);
          return;
        }
        const minutes = Math.round((Date.parse(link.expiresAt) - Date.now()) / 60_000);
        process.stdout.write(`dashboard login link (works once, within ${minutes} minutes):\n${link.url}\n`);
        if (!opts.open) return;
        try {
          await open(link.url);
        } catch (err) {
          process.stderr.write(`conductor: could not open a browser (${(err as Error).message}): open the link above yourself\n`);
        }
      }),
    );
}
