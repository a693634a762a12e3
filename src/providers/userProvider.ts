import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { ProviderError } from '../errors.js';
import { tmuxKeySchema } from '../terminal/keys.js';
import { lastIndexMatching, screenLines, tail, trimBlankEdges, trimTrailingBlank } from './screen.js';
import type { ProviderDefinition, ScreenState } from './types.js';

const regex = z.string().min(1).superRefine((value, ctx) => {
  try {
    new RegExp(value, 'm');
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(err as Error).message}` });
  }
});

export const userProviderSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'use lowercase letters, digits, _ or - (max 40), starting with a letter'),
    description: z.string().default('User-defined provider'),
    command: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    env: z.record(z.string(), z.string()).default({}),
    unset_env: z.array(z.string()).default([]),
    settle_delay_ms: z.number().int().min(0).max(10_000).default(100),
    quiet_window_ms: z.number().int().min(20).max(10_000).default(300),
    startup_timeout_ms: z.number().int().min(100).max(600_000).default(30_000),
    patterns: z
      .object({
        idle: regex,
        busy: regex.optional(),
        waiting_input: regex.optional(),
        error: regex.optional(),
      })
      .strict(),
    tail_lines: z.number().int().min(1).max(200).default(15),
    response: z
      .object({ start: regex, end: regex.optional(), strip_prefix: regex.optional() })
      .strict()
      .optional(),
    exit: z.object({ text: z.string().optional(), keys: z.array(z.string()).optional() }).strict().default({ text: '/exit' }),
    interrupt: z.array(tmuxKeySchema).min(1).max(10).optional(),
    answer_keys: z.object({ approve: z.array(z.string()), deny: z.array(z.string()) }).strict().optional(),
    accepts_input_while_busy: z.boolean().default(false),
  })
  .strict();

export type UserProviderConfig = z.infer<typeof userProviderSchema>;

function splitCommand(command: string): string[] {
  // A plain space-separated command line; use the list form for arguments with spaces.
  return command.trim().split(/\s+/);
}

/** Turns a validated provider file into a provider definition driven by its patterns. */
export function providerFromConfig(cfg: UserProviderConfig): ProviderDefinition {
  const re = (s: string | undefined) => (s ? new RegExp(s, 'm') : undefined);
  const patterns = {
    waiting_input: re(cfg.patterns.waiting_input),
    busy: re(cfg.patterns.busy),
    error: re(cfg.patterns.error),
    idle: re(cfg.patterns.idle)!,
  };
  const argv = Array.isArray(cfg.command) ? cfg.command : splitCommand(cfg.command);
  const response = cfg.response && {
    start: re(cfg.response.start)!,
    end: re(cfg.response.end),
    strip: cfg.response.strip_prefix ? new RegExp(cfg.response.strip_prefix) : undefined,
  };
  return {
    name: cfg.name,
    description: cfg.description,
    binary: argv[0],
    launch: (ctx) => ({
      argv,
      env: { ...cfg.env, ...(ctx.profile?.env ?? {}) },
      unsetEnv: cfg.unset_env,
    }),
    settleDelayMs: cfg.settle_delay_ms,
    quietWindowMs: cfg.quiet_window_ms,
    startupTimeoutMs: cfg.startup_timeout_ms,
    detect(screen): ScreenState {
      const text = tail(screen, cfg.tail_lines);
      if (text === '') return 'starting';
      for (const state of ['waiting_input', 'busy', 'error', 'idle'] as const) {
        if (patterns[state]?.test(text)) return state;
      }
      // Output that no pattern names: the idle pattern is the only sign of an idle agent.
      return 'unknown';
    },
    lastResponse(screen) {
      if (!response) return null;
      const lines = trimTrailingBlank(screenLines(screen));
      const start = lastIndexMatching(lines, response.start);
      if (start < 0) return null;
      let end = lines.length;
      if (response.end) {
        for (let i = start + 1; i < lines.length; i++) {
          if (response.end.test(lines[i])) {
            end = i;
            break;
          }
        }
      }
      const body = lines.slice(start, end).map((l) => (response.strip ? l.replace(response.strip, '') : l));
      return trimBlankEdges(body).join('\n');
    },
    exit: cfg.exit,
    interrupt: cfg.interrupt,
    answerKeys: cfg.answer_keys,
    acceptsInputWhileBusy: cfg.accepts_input_while_busy,
  };
}

export function formatZodIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`)
    .join('; ');
}

/** Reads and validates one provider file (YAML or JSON); errors name the file and the field. */
export function loadUserProviderFile(file: string): ProviderDefinition {
  let parsed: unknown;
  try {
    parsed = YAML.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ProviderError(`provider file ${file}: cannot parse it: ${(err as Error).message}`);
  }
  const result = userProviderSchema.safeParse(parsed);
  if (!result.success) {
    throw new ProviderError(`provider file ${file}: ${formatZodIssues(result.error)}`);
  }
  const stem = basename(file).replace(/\.(ya?ml|json)$/, '');
  if (stem !== result.data.name) {
    throw new ProviderError(`provider file ${file}: name '${result.data.name}' must match the file name '${stem}'`);
  }
  return providerFromConfig(result.data);
}
