import type { Command } from 'commander';
import { InvalidInputError } from '../../errors.js';
import { connect } from '../client.js';
import { action, printJson } from '../run.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function register(program: Command): void {
  program
    .command('send')
    .description('type text into a terminal and press Enter (`-` reads the text from stdin)')
    .argument('<terminal>', 'terminal id')
    .argument('<text...>', 'the text, or - for stdin')
    .option('--no-enter', 'paste without pressing Enter')
    .option('-q, --queue', "queue it in the terminal's inbox: delivered when the agent is idle")
    .option('--json', 'print the delivery report as JSON')
    .action(
      action(async (terminal: string, words: string[], opts: { enter: boolean; queue?: boolean; json?: boolean }) => {
        const text = words.length === 1 && words[0] === '-' ? (await readStdin()).replace(/\n$/, '') : words.join(' ');
        if (text === '') throw new InvalidInputError('nothing to send: give some text, or - to read stdin');
        const client = await connect();
        if (opts.queue) {
          const message = await client.post<{ id: number; state: string }>('/messages', { to: terminal, message: text });
          if (opts.json) printJson(message);
          else process.stdout.write(`message #${message.id} queued for ${terminal}\n`);
          return;
        }
        const report = await client.post(`/terminals/${terminal}/input`, { text, enter: opts.enter });
        if (opts.json) printJson(report);
      }),
    );
}
