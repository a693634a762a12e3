import type { Command } from 'commander';
import type { MessageRecord } from '../../inbox/schema.js';
import { connect } from '../client.js';
import { ago, table } from '../format.js';
import { action, printJson } from '../run.js';

export function register(program: Command): void {
  program
    .command('inbox')
    .description("a terminal's messages: received and sent, with their delivery state")
    .argument('<terminal>', 'terminal id')
    .option('--received', 'only messages it received')
    .option('--sent', 'only messages it sent')
    .option('--json', 'print as JSON')
    .action(
      action(async (terminal: string, opts: { received?: boolean; sent?: boolean; json?: boolean }) => {
        const direction = opts.received ? 'received' : opts.sent ? 'sent' : 'all';
        const client = await connect();
        const { messages } = await client.get<{ messages: MessageRecord[] }>(`/terminals/${terminal}/messages?direction=${direction}`);
        if (opts.json) return printJson({ messages });
        if (messages.length === 0) {
          process.stdout.write('no messages\n');
          return;
        }
        const rows = messages.map((m) => [
          `#${m.id}`,
          m.from ?? 'human',
          m.to,
          m.state + (m.reason ? `: ${m.reason}` : ''),
          ago(m.createdAt),
          m.body.replace(/\s+/g, ' ').slice(0, 60),
        ]);
        process.stdout.write(`${table(['ID', 'FROM', 'TO', 'STATE', 'AGE', 'MESSAGE'], rows)}\n`);
      }),
    );
}
