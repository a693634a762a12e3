import { z } from 'zod';
import { terminalIdSchema } from '../terminal/schema.js';

export const approvalStates = ['pending', 'approved', 'denied', 'expired'] as const;
export type ApprovalState = (typeof approvalStates)[number];
export type ApprovalSource = 'mcp' | 'hook' | 'prompt';

export const approvalIdSchema = z.string().regex(/^a-[0-9a-f]{8}$/, 'an approval id looks like a-1a2b3c4d (see `conductor approvals`)');

/** The same shape validates the HTTP body and the MCP tool input. */
export const requestApprovalSchema = z
  .object({
    action: z.string().min(1, 'say what you want to do').max(4000),
    reason: z.string().min(1, 'say why it is needed').max(4000),
    details: z.record(z.string(), z.unknown()).optional(),
    requester: terminalIdSchema.optional(),
    /** Seconds until an undecided request expires (default 24 h). */
    expiresIn: z.number().int().min(1).max(7 * 24 * 3600).default(24 * 3600),
  })
  .strict();
export type RequestApprovalInput = z.infer<typeof requestApprovalSchema>;

export const decideSchema = z
  .object({
    decision: z.enum(['approve', 'deny']),
    /** The approver's note, or the reason for a denial. */
    note: z.string().max(4000).optional(),
    /** Who decides: a terminal id (an agent allowed to decide), or absent for a human. */
    decider: terminalIdSchema.optional(),
    by: z.string().max(100).optional(),
  })
  .strict();
export type DecideInput = z.infer<typeof decideSchema>;

export const approvalWaitSchema = z.object({
  wait: z.coerce.number().int().min(0).max(3_600_000).default(0),
  inbox: z.enum(['true', 'false']).default('false'),
});

export const approvalListSchema = z.object({
  all: z.enum(['true', 'false']).default('false'),
});

/** A tool call from an agent, checked against the policy before it runs (Claude's PreToolUse hook). */
export const toolCheckSchema = z
  .object({
    terminal: terminalIdSchema,
    tool: z.string().min(1),
    input: z.record(z.string(), z.unknown()).default({}),
    cwd: z.string().optional(),
  })
  .strict();
export type ToolCheckInput = z.infer<typeof toolCheckSchema>;

export interface ApprovalRecord {
  id: string;
  requester: string | null;
  source: ApprovalSource;
  action: string;
  reason: string;
  details: Record<string, unknown> | null;
  state: ApprovalState;
  decidedBy: string | null;
  note: string | null;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
}
