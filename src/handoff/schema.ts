import { z } from 'zod';
import { launchEnvSchema } from '../terminal/environment.js';
import { MAX_INPUT_BYTES, terminalIdSchema } from '../terminal/schema.js';

const task = z
  .string()
  .min(1, 'the task message is empty')
  .refine((t) => Buffer.byteLength(t) <= MAX_INPUT_BYTES, 'the task is larger than 1 MiB');

/** The same shape validates the HTTP body, the MCP tool input and the CLI flags. */
export const handoffSchema = z
  .object({
    profile: z.string().min(1),
    message: task,
    caller: terminalIdSchema.optional(),
    /** Start the worker in a git worktree of its own (see docs/worktrees.md). */
    worktree: z.boolean().default(false),
    /** Seconds the whole handoff may take before it is reported as timed out. */
    timeout: z.number().int().min(1).max(24 * 3600).default(1800),
    /** Keep the worker running after it answered. */
    keep: z.boolean().default(false),
    /** The calling agent's environment as its MCP server sees it; the worker gets it. */
    launchEnv: launchEnvSchema.optional(),
  })
  .strict();
export type HandoffInput = z.infer<typeof handoffSchema>;

export const assignSchema = z
  .object({
    profile: z.string().min(1),
    message: task,
    caller: terminalIdSchema.optional(),
    /** Start the worker in a git worktree of its own (see docs/worktrees.md). */
    worktree: z.boolean().default(false),
    launchEnv: launchEnvSchema.optional(),
  })
  .strict();
export type AssignInput = z.infer<typeof assignSchema>;

export const handoffWaitSchema = z.object({
  wait: z.coerce.number().int().min(0).max(3_600_000).default(0),
  /** When the wait runs out, deliver the result to the caller's inbox when it comes. */
  inbox: z.enum(['true', 'false']).default('false'),
});

export const handoffIdSchema = z.string().regex(/^h-[0-9a-f]{8}$/, 'a handoff handle looks like h-1a2b3c4d');

export type HandoffState = 'running' | 'completed' | 'failed' | 'timeout';

export interface HandoffRecord {
  id: string;
  caller: string | null;
  worker: string | null;
  profile: string;
  /** `handoff`: the caller waits for the answer; `assign`: the worker's answer is reported to the caller's inbox. */
  mode: 'handoff' | 'assign';
  state: HandoffState;
  result: string | null;
  error: string | null;
  resultViaInbox: boolean;
  createdAt: string;
  finishedAt: string | null;
  deadlineAt: string;
}
