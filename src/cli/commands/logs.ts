import { createReadStream, existsSync, statSync, watch, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { TerminalRecord } from '../../terminal/schema.js';
import { connect } from '../client.js';
import { openEvents } from '../events.js';
import { action } from '../run.js';

function copyFrom(file: string, offset: number): Promise<number> {
  const size = statSync(file).size;
  if (size <= offset) return Promise.resolve(size < offset ? 0 : offset);
  return new Promise((resolve, reject) => {
    createReadStream(file, { start: offset, end: size - 1 })
      .on('data', (chunk) => process.stdout.write(chunk))
      .on('end', () => resolve(size))
      .on('error', reject);
  });
}

export function register(program: Command): void {
  program
    .command('logs')
    .description("print a terminal's clean log (what it showed, without escape codes)")
    .argument('<terminal>', 'terminal id')
    .option('-f, --follow', 'keep printing as the terminal shows more, until it exits')
    .action(
      action(async (id: string, opts: { follow?: boolean }) => {
        const client = await connect();
        const terminal = await client.get<TerminalRecord>(`/terminals/${id}`);
        if (!existsSync(terminal.logFile)) writeFileSync(terminal.logFile, '', { flag: 'a' });
        let offset = await copyFrom(terminal.logFile, 0);
        if (!opts.follow || terminal.status === 'exited') return;
        const events = await openEvents(client, { terminal: id, types: 'terminal.exited' });
        let copying = Promise.resolve();
        const watcher = watch(terminal.logFile, () => {
          copying = copying.then(async () => {
            offset = await copyFrom(terminal.logFile, offset);
          });
        });
        process.once('SIGINT', () => events.close());
        await events.next();
        events.close();
        watcher.close();
        await copying;
        await copyFrom(terminal.logFile, offset);
      }),
    );
}
