import type { Command } from 'commander';
import type { DiffResult } from '../../worktree/schema.js';
import { connect } from '../client.js';
import { action, printJson } from '../run.js';

function summary(d: DiffResult): string {
  const lines = [`branch ${d.branch}, from ${d.base} (${d.baseCommit.slice(0, 12)})`];
  for (const c of d.commits) lines.push(`  ${c.sha.slice(0, 12)} ${c.subject}`);
  if (d.commits.length === 0) lines.push('  no commits yet');
  lines.push(d.uncommitted ? '  and uncommitted changes (counted below)' : '  no uncommitted changes');
  lines.push(d.stat || 'no changes against its base');
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  program
    .command('diff')
    .description("what a worktree terminal changed against its base: commits, uncommitted and untracked files (also after it exited)")
    .argument('<terminal>', 'terminal id')
    .option('--stat', 'the commits and a summary of changed files instead of the patch')
    .option('--json', 'print as JSON')
    .action(
      action(async (terminal: string, opts: { stat?: boolean; json?: boolean }) => {
        const client = await connect();
        const d = await client.get<DiffResult>(`/worktrees/${encodeURIComponent(terminal)}/diff?stat=${opts.stat ? 'true' : 'false'}`);
        if (opts.json) return printJson(d);
        process.stdout.write(opts.stat ? summary(d) : (d.patch ?? ''));
      }),
    );
}
