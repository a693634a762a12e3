import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidInputError, ProviderError } from '../../errors.js';
import { requesterEnvironment } from '../../terminal/environment.js';
import type { SessionRecord, TerminalRecord } from '../../terminal/schema.js';
import { attachTo } from '../attach.js';
import { connect } from '../client.js';
import { waitForStatus } from '../events.js';
import { action, printJson } from '../run.js';

interface LaunchOptions {
  provider?: string;
  profile?: string;
  session?: string;
  cwd?: string;
  env: string[];
  headless?: boolean;
  json?: boolean;
  timeout: string;
  worktree?: boolean;
  branch?: string;
  base?: string;
}

export function parseEnv(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new InvalidInputError(`--env '${pair}' is not K=V`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function register(program: Command): void {
  program
    .command('launch')
    .description('start a session with its first terminal, wait until it is ready, then attach')
    .argument('[prompt...]', 'text to send once the terminal is ready')
    .option('-p, --provider <name>', "agent provider (see `conductor providers`; default: the profile's, else shell)")
    .option('--profile <name>', 'agent profile')
    .option('-s, --session <name>', 'session name (default: a generated id)')
    .option('--cwd <dir>', 'working directory (default: here)')
    .option('-e, --env <K=V>', 'environment for the terminal (repeatable)', collect, [])
    .option('--worktree', 'start in a new git worktree of the repository here (or at --cwd), on a branch of its own')
    .option('--branch <name>', 'with --worktree: the new branch (default conductor/<terminal-id>)')
    .option('--base <ref>', 'with --worktree: what the branch starts from (default: HEAD)')
    .option('--headless', 'do not attach: print the terminal id')
    .option('--json', 'with --headless, print the terminal record as JSON')
    .option('--timeout <seconds>', 'how long to wait for the terminal to be ready', '120')
    .action(
      action(async (promptWords: string[], opts: LaunchOptions) => {
        if (!opts.worktree && (opts.branch || opts.base)) throw new InvalidInputError('--branch and --base go with --worktree: add --worktree');
        const client = await connect();
        const { terminal } = await client.post<{ session: SessionRecord; terminal: TerminalRecord }>('/sessions', {
          provider: opts.provider,
          profile: opts.profile,
          name: opts.session,
          cwd: resolve(opts.cwd ?? process.cwd()),
          env: parseEnv(opts.env),
          worktree: opts.worktree ? { branch: opts.branch, base: opts.base } : undefined,
          launchEnv: requesterEnvironment(),
        });
        const ready = await waitForStatus(client, terminal.id, (s) => s !== 'starting', Number(opts.timeout) * 1000);
        if (ready.status === 'error' || ready.status === 'exited') {
          throw new ProviderError(
            `terminal ${ready.id} (${ready.provider}) did not start: ${ready.statusDetail ?? ready.status}; see \`conductor output ${ready.id}\``,
          );
        }
        const prompt = promptWords.join(' ');
        if (prompt) await client.post(`/terminals/${terminal.id}/input`, { text: prompt });
        const headless = opts.headless || !process.stdin.isTTY || !process.stdout.isTTY;
        if (headless) {
          if (opts.json) printJson(await client.get(`/terminals/${terminal.id}`));
          else process.stdout.write(`${terminal.id}\n`);
          if (!opts.headless) process.stderr.write(`conductor: not a terminal, so not attaching: \`conductor attach ${terminal.id}\`\n`);
          return;
        }
        return attachTo(client, terminal);
      }),
    );
}
