import { Command } from 'commander';
import { VERSION } from '../version.js';
import * as approvals from './commands/approvals.js';
import * as attach from './commands/attach.js';
import * as daemon from './commands/daemon.js';
import * as dashboard from './commands/dashboard.js';
import * as diff from './commands/diff.js';
import * as doctor from './commands/doctor.js';
import * as flow from './commands/flow.js';
import * as hook from './commands/hook.js';
import * as inbox from './commands/inbox.js';
import * as init from './commands/init.js';
import * as install from './commands/install.js';
import * as interrupt from './commands/interrupt.js';
import * as keys from './commands/keys.js';
import * as launch from './commands/launch.js';
import * as logs from './commands/logs.js';
import * as ls from './commands/ls.js';
import * as mcp from './commands/mcp.js';
import * as merge from './commands/merge.js';
import * as notify from './commands/notify.js';
import * as output from './commands/output.js';
import * as profiles from './commands/profiles.js';
import * as providers from './commands/providers.js';
import * as resume from './commands/resume.js';
import * as send from './commands/send.js';
import * as shutdown from './commands/shutdown.js';
import * as usage from './commands/usage.js';
import * as worktrees from './commands/worktrees.js';

const program = new Command();
program
  .name('conductor')
  .description('A local conductor for AI coding agents over tmux')
  .version(VERSION, '-V, --version')
  .showHelpAfterError('(add --help for usage)');

for (const command of [init, daemon, doctor, launch, ls, usage, send, interrupt, keys, inbox, output, logs, attach, shutdown, resume, diff, merge, worktrees, providers, profiles, install, flow, approvals, notify, dashboard, hook, mcp]) command.register(program);

program.configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `conductor: ${s.slice(7)}` : s) });
export async function main(argv: string[]): Promise<void> {
  await program.parseAsync(argv);
}
