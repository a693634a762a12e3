import { z } from 'zod';
import { worktreeRequestSchema } from '../worktree/request.js';
import type { WorktreeInfo } from '../worktree/schema.js';
import { launchEnvSchema } from './environment.js';
import type { UsageFigures } from '../usage/schema.js';

/** `lost`: its tmux window vanished while its agent was still running (a reboot): `conductor resume` starts it again. */
export const terminalStatuses = ['starting', 'idle', 'busy', 'waiting_input', 'completed', 'error', 'exited', 'lost'] as const;
export type TerminalStatus = (typeof terminalStatuses)[number];

export const terminalIdSchema = z.string().regex(/^[0-9a-f]{8}$/, 'a terminal id is 8 hex characters (see `conductor ls`)');
export const sessionNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, 'use letters, digits, _ or - (max 40), starting with a letter or digit');

const envEntry = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment names are letters, digits and _');

export const createTerminalSchema = z
  .object({
    provider: z.string().min(1).optional(),
    profile: z.string().min(1).optional(),
    cwd: z.string().min(1).optional(),
    env: z.record(envEntry, z.string()).default({}),
    callerTerminalId: terminalIdSchema.optional(),
    /** Start in a new git worktree of the repository around cwd (see docs/worktrees.md). */
    worktree: worktreeRequestSchema.optional(),
    /** The requester's environment, which the agent gets (see terminal/environment.ts). */
    launchEnv: launchEnvSchema.optional(),
  })
  .strict();
export type CreateTerminalInput = z.infer<typeof createTerminalSchema>;

export const createSessionSchema = createTerminalSchema
  .extend({ name: sessionNameSchema.optional() })
  .strict();
export type CreateSessionInput = z.infer<typeof createSessionSchema>;

export const MAX_INPUT_BYTES = 1024 * 1024;

export const sendInputSchema = z
  .object({
    text: z.string().refine((t) => Buffer.byteLength(t) <= MAX_INPUT_BYTES, 'input is larger than 1 MiB'),
    enter: z.boolean().default(true),
  })
  .strict();
export type SendInputInput = z.infer<typeof sendInputSchema>;

export const sendKeysSchema = z
  .object({
    keys: z.array(z.string().regex(/^[A-Za-z0-9-]{1,20}$/, 'key names like Enter, Escape, C-c, Down')).min(1).max(50),
  })
  .strict();

export const outputQuerySchema = z.object({
  mode: z.enum(['full', 'last', 'screen']).default('full'),
});

export interface TerminalRecord {
  id: string;
  sessionId: string;
  sessionName: string;
  tmuxSession: string;
  tmuxWindow: string;
  tmuxPane: string;
  windowName: string;
  provider: string;
  profile: string | null;
  cwd: string;
  status: TerminalStatus;
  statusDetail: string | null;
  callerTerminalId: string | null;
  createdAt: string;
  lastActiveAt: string;
  exitedAt: string | null;
  exitCode: number | null;
  logFile: string;
  /** The git worktree it was started in, if any. */
  worktree: WorktreeInfo | null;
  /** Tokens and cost so far (null tokens: unknown for this agent); see docs/usage.md. */
  usage?: UsageFigures | null;
}

export interface SessionRecord {
  id: string;
  name: string;
  tmuxSession: string;
  createdAt: string;
  terminals: TerminalRecord[];
}
