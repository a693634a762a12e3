import { isAbsolute } from 'node:path';
import { Cron } from 'croner';
import YAML from 'yaml';
import { z } from 'zod';
import { InvalidInputError } from '../errors.js';
import { profileNameSchema } from '../profile/schema.js';
import { formatZodIssues } from '../providers/userProvider.js';
import { checkTemplate } from './template.js';

export class FlowError extends InvalidInputError {}

export const flowNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,29}$/, 'a flow name is a plain identifier: lowercase letters, digits, _ or - (max 30)');

export const DEFAULT_GATE_TIMEOUT_S = 60;

/** The frontmatter of a flow file. The markdown body is the prompt template. */
export const flowFrontmatterSchema = z
  .object({
    name: flowNameSchema,
    description: z.string().min(1).optional(),
    /** Cron: 5 fields (minute…weekday), or 6 with seconds first. */
    schedule: z.string().min(1, 'give a cron expression, e.g. "0 9 * * 1-5"'),
    /** IANA zone the schedule is read in; default: the daemon's local time. */
    timezone: z.string().min(1).optional(),
    profile: profileNameSchema,
    provider: z.string().min(1).optional(),
    /** Working directory of the gate script and the agent; relative to the flow file's folder. */
    cwd: z.string().min(1).optional(),
    /** A shell command whose JSON stdout decides whether to run and fills the prompt. */
    script: z.string().min(1).optional(),
    /** Seconds the gate script may take. */
    timeout: z.number().int().min(1).max(600).optional(),
    /** Keep the agent running after the run finished (default: it is shut down). */
    keep: z.boolean().default(false),
    /** Run the agent in a new git worktree of the repository at cwd (see docs/worktrees.md). */
    worktree: z.boolean().default(false),
  })
  .strict()
  .superRefine((f, ctx) => {
    try {
      new Cron(f.schedule, { paused: true, timezone: f.timezone }).nextRun();
    } catch (err) {
      const message = (err as Error).message.replace(/^Cron\w*: /, '');
      ctx.addIssue({ code: 'custom', path: [/timezone/i.test(message) ? 'timezone' : 'schedule'], message });
    }
    if (f.timeout !== undefined && f.script === undefined) {
      ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'timeout applies to the gate script: add `script`, or remove `timeout`' });
    }
  });

export interface FlowDefinition extends Omit<z.infer<typeof flowFrontmatterSchema>, 'timeout'> {
  timeout: number;
  /** The prompt template (the markdown body). */
  prompt: string;
}

/** Parses and validates a flow file; every error names the file and the field at fault. */
export function parseFlow(text: string, file: string): FlowDefinition {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!match) throw new FlowError(`flow ${file}: it must start with YAML frontmatter between '---' lines`);
  let front: unknown;
  try {
    front = YAML.parse(match[1]);
  } catch (err) {
    throw new FlowError(`flow ${file}: the frontmatter is not valid YAML: ${(err as Error).message}`);
  }
  const result = flowFrontmatterSchema.safeParse(front ?? {});
  if (!result.success) throw new FlowError(`flow ${file}: ${formatZodIssues(result.error)}`);
  const prompt = match[2].trim();
  if (prompt === '') throw new FlowError(`flow ${file}: the body (the prompt sent to the agent) is empty`);
  const problem = checkTemplate(prompt, result.data.script !== undefined);
  if (problem) throw new FlowError(`flow ${file}: body: ${problem}`);
  return { ...result.data, timeout: result.data.timeout ?? DEFAULT_GATE_TIMEOUT_S, prompt };
}

/** What the gate script printed: `{"execute": bool, "output": {...}}`. */
export const gateOutputSchema = z.object({
  execute: z.boolean(),
  output: z.record(z.string(), z.unknown()).default({}),
});
export type GateDecision = z.infer<typeof gateOutputSchema>;

export const addFlowSchema = z
  .object({
    /** The flow file's text. */
    definition: z.string().min(1).max(1024 * 1024),
    /** Its absolute path: names it in errors, and anchors a relative (or missing) cwd. */
    file: z.string().refine((f) => isAbsolute(f), 'the flow file path must be absolute'),
    /** Replace a flow of the same name. */
    replace: z.boolean().default(false),
  })
  .strict();
export type AddFlowInput = z.infer<typeof addFlowSchema>;

export const flowRunStates = ['started', 'skipped', 'launched', 'failed', 'finished'] as const;
export type FlowRunState = (typeof flowRunStates)[number];
export type FlowTrigger = 'schedule' | 'manual';

export interface FlowRunRecord {
  id: number;
  flow: string;
  trigger: FlowTrigger;
  state: FlowRunState;
  reason: string | null;
  terminalId: string | null;
  messageId: number | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface FlowRecord {
  name: string;
  description: string | null;
  schedule: string;
  timezone: string | null;
  profile: string;
  provider: string | null;
  script: string | null;
  timeout: number;
  keep: boolean;
  cwd: string;
  file: string | null;
  enabled: boolean;
  createdAt: string;
  lastRunAt: string | null;
  nextRunAt: string | null;
  lastRun: FlowRunRecord | null;
}
