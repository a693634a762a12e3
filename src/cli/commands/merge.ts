import type { Command } from 'commander';
import type { MergeResult } from '../../worktree/schema.js';
import { connect } from '../client.js';
import { action, printJson } from '../run.js';

export function register(program: Command): void {
  program
    .command('merge')
    .description("merge a worktree terminal's branch into its base branch (or --into), committing its uncommitted changes first")
    .argument('<terminal>', 'terminal id')
    .option('--into <branch>', 'the branch to merge into (default: the branch the worktree started from)')
    .option('--squash', 'one commit with all the changes instead of a merge commit')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (terminal: string, opts: { into?: string; squash?: boolean; json?: boolean }) => {
        const client = await connect();
        const m = await client.post<MergeResult>(`/worktrees/${encodeURIComponent(terminal)}/merge`, { into: opts.into, squash: opts.squash ?? false });
        if (opts.json) return printJson(m);
        if (m.committedWork) process.stdout.write(`committed the worker's uncommitted changes on ${m.branch}: ${m.committedWork}\n`);
        process.stdout.write(`merged ${m.branch} into ${m.into}${m.squash ? ' (squashed)' : ''} in ${m.checkout}: now at ${m.commit.slice(0, 12)}\n`);
        if (m.worktreeRemoved) process.stdout.write(`removed its worktree: terminal ${m.terminalId} has exited and nothing was left in it\n`);
      }),
    );
}
