import type { Command } from 'commander';
import { validate } from '../../server/http.js';
import { sendKeysSchema } from '../../terminal/keys.js';
import { connect } from '../client.js';
import { action } from '../run.js';

export function register(program: Command): void {
  program
    .command('keys')
    .description('press keys in a terminal by their tmux names (Enter, Escape, C-c, Down, y, 1…); text goes with `send`')
    .argument('<terminal>', 'terminal id')
    .argument('<key...>', 'tmux key names, pressed in order')
    .action(
      action(async (terminal: string, keys: string[]) => {
        // Checked here too, so a typo is refused before the daemon is even started.
        const input = validate(sendKeysSchema, { keys }, 'keys');
        await (await connect()).post(`/terminals/${terminal}/keys`, input);
      }),
    );
}
