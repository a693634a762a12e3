import { z } from 'zod';
import { terminalIdSchema } from '../terminal/schema.js';

/** One schema for the HTTP body, the MCP input and the CLI flags of `conductor resume`. */
export const resumeSchema = z
  .object({
    terminal: terminalIdSchema.optional(),
    /** Every lost terminal of this session (id or name). */
    session: z.string().min(1).optional(),
    /** Every lost terminal. */
    all: z.boolean().default(false),
    /** Start the agent anew (same id, profile, cwd) instead of continuing its conversation. */
    fresh: z.boolean().default(false),
  })
  .strict()
  .refine((r) => [r.terminal !== undefined, r.session !== undefined, r.all].filter(Boolean).length === 1, {
    message: 'name exactly one of: a terminal id, --session <name>, --all',
  });
export type ResumeInput = z.infer<typeof resumeSchema>;

export interface ResumeOutcome {
  terminalId: string;
  /** resumed: its conversation continues; fresh: its agent started anew; failed: see `error`. */
  result: 'resumed' | 'fresh' | 'failed';
  conversationId?: string;
  error?: string;
}
