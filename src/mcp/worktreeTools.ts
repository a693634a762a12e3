import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { DaemonClient } from '../cli/client.js';
import type { DiffResult, MergeResult, WorktreeRecord } from '../worktree/schema.js';
import type { ToolKit } from './server.js';

/** More than this much patch would swamp the caller's context: the stat and a note stand in for the rest. */
const MAX_PATCH_CHARS = 100_000;

function describeDiff(d: DiffResult): string {
  const commits = d.commits.length ? d.commits.map((c) => `  ${c.sha.slice(0, 12)} ${c.subject}`).join('\n') : '  (none)';
  const head =
    `Worker ${d.terminalId}, branch ${d.branch} (from ${d.base} at ${d.baseCommit.slice(0, 12)}).\n` +
    `Commits since its base:\n${commits}\n` +
    `Uncommitted changes: ${d.uncommitted ? 'yes (included below; merge_worker commits them first)' : 'none'}\n`;
  if (!d.stat) return `${head}\nNo changes against its base.`;
  let patch = d.patch ?? '';
  if (patch.length > MAX_PATCH_CHARS) {
    patch = `${patch.slice(0, MAX_PATCH_CHARS)}\n[… patch cut at ${MAX_PATCH_CHARS} characters; call worker_diff with stat=true for the overview]`;
  }
  return `${head}\n${d.stat}${patch ? `\n\n${patch}` : ''}`;
}

/** What a supervisor should know of a worker's worktree: where its changes are, and how to get them. */
export async function worktreeHint(client: DaemonClient, worker: string | null): Promise<string> {
  if (!worker) return '';
  let w: WorktreeRecord;
  try {
    w = await client.get<WorktreeRecord>(`/worktrees/${worker}`);
  } catch {
    return ''; // no worktree: nothing to add
  }
  if (w.state === 'clean' || w.state === 'removed') return `\nWorker ${worker} worked in its own git worktree and changed no files.`;
  return (
    `\nWorker ${worker} worked in its own git worktree (branch ${w.branch}, ${w.state}): ` +
    `see its changes with worker_diff(terminal: "${worker}"), and merge them with merge_worker if your profile allows.`
  );
}

/** worker_diff and merge_worker: a supervisor sees and merges what a worker did in its worktree. */
export function registerWorktreeTools(server: McpServer, kit: ToolKit): void {
  const { daemon, self, guarded, text } = kit;

  server.registerTool(
    'worker_diff',
    {
      description:
        "What a worker started with worktree=true changed against its base: its commits, uncommitted and untracked files. Works after the worker has finished.",
      inputSchema: {
        terminal: z.string().describe('the worker terminal id (from handoff, assign or list_terminals)'),
        stat: z.boolean().optional().describe('only the list of changed files, not the patch'),
      },
    },
    guarded(async (a) => {
      const path = `/worktrees/${encodeURIComponent(a.terminal)}/diff?stat=${a.stat ? 'true' : 'false'}`;
      return text(describeDiff(await (await daemon()).get<DiffResult>(path)));
    }),
  );

  server.registerTool(
    'merge_worker',
    {
      description:
        "Merge a worker's worktree branch (its uncommitted changes committed first) into its base branch, or `into`. " +
        'Only profiles with canMerge may. Refused, changing nothing, if the target checkout has uncommitted changes or the merge conflicts.',
      inputSchema: {
        terminal: z.string().describe('the worker terminal id'),
        into: z.string().optional().describe('the branch to merge into (default: the branch the worker started from)'),
        squash: z.boolean().optional().describe('one commit instead of a merge commit'),
      },
    },
    guarded(async (a) => {
      const m = await (await daemon()).post<MergeResult>(`/worktrees/${encodeURIComponent(a.terminal)}/merge`, {
        into: a.into,
        squash: a.squash ?? false,
        by: self,
      });
      return text(
        `Merged ${m.branch} into ${m.into} in ${m.checkout} (${m.squash ? 'squashed, ' : ''}now at ${m.commit.slice(0, 12)}).` +
          (m.committedWork ? ` The worker's uncommitted changes were committed first as "${m.committedWork}".` : '') +
          (m.worktreeRemoved ? ' Its worktree was removed: nothing was left in it.' : ''),
      );
    }),
  );
}
