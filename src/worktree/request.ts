import { z } from 'zod';

/** Asking for a worktree when launching: `--worktree [--branch NAME] [--base REF]`. No imports of other domains: the terminal schema embeds it. */
export const worktreeRequestSchema = z
  .object({
    /** The new branch (default `conductor/<terminal-id>`). */
    branch: z.string().min(1).max(200).optional(),
    /** What the branch starts from (default: the checkout's HEAD). */
    base: z.string().min(1).max(200).optional(),
  })
  .strict();
export type WorktreeRequest = z.infer<typeof worktreeRequestSchema>;
