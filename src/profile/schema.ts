import { z } from 'zod';
import { regexSchema } from '../config/regex.js';

export const profileNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,39}$/, 'a profile name is a plain identifier: lowercase letters, digits, _ or - (max 40), not a path');

const mcpServer = z
  .object({
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
  })
  .strict();

/** The frontmatter of a profile file. The markdown body is the agent's system prompt. */
export const profileFrontmatterSchema = z
  .object({
    name: profileNameSchema,
    description: z.string().min(1, 'say in a line what this agent is for'),
    provider: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    mcpServers: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'server names are letters, digits, _ or -'), mcpServer).default({}),
    allowedTools: z.array(z.string().min(1)).default([]),
    deniedTools: z.array(z.string().min(1)).default([]),
    /** Opt back in to a permission prompt before each of the conductor's own MCP tools. */
    askForConductorTools: z.boolean().default(false),
    permissionMode: z.enum(['default', 'acceptEdits', 'plan', 'auto', 'bypassPermissions']).optional(),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment names are letters, digits and _'), z.string()).default({}),
    /** Budget in USD for a terminal of this profile and its workers (see docs/usage.md). */
    maxCostUsd: z.number().positive('maxCostUsd is a positive amount in US dollars').optional(),
    /** Start this agent in a git worktree of its own (see docs/worktrees.md). */
    worktree: z.boolean().default(false),
    /** May this agent merge its workers' worktrees (the merge_worker MCP tool)? */
    canMerge: z.boolean().default(false),
    approval: z
      .object({
        /** May this agent decide other agents' approval requests? */
        canDecide: z.boolean().default(false),
        /** Extra patterns that need a human's approval (see docs/approvals.md). */
        require: z.array(regexSchema('m')).default([]),
      })
      .strict()
      .default({ canDecide: false, require: [] }),
  })
  .strict();

export interface Profile extends z.infer<typeof profileFrontmatterSchema> {
  systemPrompt: string;
  source: 'built-in' | 'user';
  file: string;
}
