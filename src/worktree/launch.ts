import { createWorktree, type CreateDeps } from './create.js';
import type { WorktreeRequest } from './request.js';

export interface Workspace {
  /** Where the terminal starts. */
  cwd: string;
  /** Undoes what was made for a launch that failed. */
  discard(): Promise<void>;
}

/** Where a new terminal runs: `cwd` itself, or a new worktree of its repository when one is asked for. */
export async function workspaceFor(deps: CreateDeps, terminalId: string, cwd: string, request: WorktreeRequest | undefined): Promise<Workspace> {
  if (!request) return { cwd, discard: async () => undefined };
  const made = await createWorktree(deps, terminalId, cwd, request);
  return { cwd: made.cwd, discard: made.discard };
}
