import type { Command } from 'commander';
import type { WorktreeRecord } from '../../worktree/schema.js';
import { connect } from '../client.js';
import { ago, table } from '../format.js';
import { action, printJson } from '../run.js';

/** `conductor worktrees` lists them; `conductor worktree remove` removes one. */
export function register(program: Command): void {
  program
    .command('worktrees')
    .description('worktrees of terminals, with their state: clean, dirty, unmerged, merged (or missing: deleted by hand)')
    .option('-a, --all', 'include removed ones')
    .option('--json', 'print as JSON')
    .action(
      action(async (opts: { all?: boolean; json?: boolean }) => {
        const client = await connect();
        const { worktrees } = await client.get<{ worktrees: WorktreeRecord[] }>(`/worktrees${opts.all ? '?all=true' : ''}`);
        if (opts.json) return printJson({ worktrees });
        if (worktrees.length === 0) {
          process.stdout.write('no worktrees: start a terminal in one with `conductor launch --worktree`\n');
          return;
        }
        const rows = worktrees.map((w) => [
          w.terminalId,
          w.state,
          w.branch,
          w.target ?? w.base,
          w.terminalStatus ?? 'gone',
          ago(w.createdAt),
          w.path,
        ]);
        process.stdout.write(`${table(['TERMINAL', 'STATE', 'BRANCH', 'INTO', 'TERMINAL-STATUS', 'AGE', 'PATH'], rows)}\n`);
      }),
    );

  const worktree = program.command('worktree').description('manage one worktree (see `conductor worktrees`)');
  worktree
    .command('remove')
    .description('remove a worktree and its branch; --force when it holds uncommitted or unmerged work')
    .argument('<terminal>', 'terminal id')
    .option('--force', 'remove it even though its work is lost')
    .option('--json', 'print the record as JSON')
    .action(
      action(async (terminal: string, opts: { force?: boolean; json?: boolean }) => {
        const client = await connect();
        const w = await client.delete<WorktreeRecord>(`/worktrees/${encodeURIComponent(terminal)}${opts.force ? '?force=true' : ''}`);
        if (opts.json) return printJson(w);
        process.stdout.write(`removed the worktree ${w.path} and its branch ${w.branch}\n`);
      }),
    );
}
