import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { ProviderError } from '../errors.js';
import { tmuxKeySchema } from '../terminal/keys.js';
import { screenLines, tail, trimBlankEdges, trimTrailingBlank } from './screen.js';
import type { LaunchContext, LaunchSpec, ProviderDefinition, ScreenState } from './types.js';
import {
  eventPlaceholders,
  eventsSchema,
  launchFilesSchema,
  launchPlaceholders,
  normaliseWith,
  render,
  renderFiles,
  renderRecord,
  templatedCommandSchema,
  templatedEnvSchema,
} from './userProviderEvents.js';

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
    command: templatedCommandSchema,
    env: templatedEnvSchema,
    files: launchFilesSchema,
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
    events: eventsSchema.optional(),
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
    launch: (ctx) => launchFromConfig(cfg, argv, ctx),
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
      return response ? extractResponse(screen, response) : null;
    },
    exit: cfg.exit,
    interrupt: cfg.interrupt,
    answerKeys: cfg.answer_keys,
    acceptsInputWhileBusy: cfg.accepts_input_while_busy,
    events: cfg.events && { normalise: normaliseWith(cfg.events) },
  };
}

/** Placeholders filled in; the events section joins in only when the daemon gives an endpoint. */
function launchFromConfig(cfg: UserProviderConfig, argv: string[], ctx: LaunchContext): LaunchSpec {
  const events = ctx.events && cfg.events;
  const values = { ...launchPlaceholders(ctx), ...(events ? eventPlaceholders(ctx.events!) : {}) };
  const spec: LaunchSpec = {
    argv: [...argv.map((a) => render(a, values)), ...(events ? events.args.map((a) => render(a, values)) : [])],
    env: { ...renderRecord(cfg.env, values), ...(events ? renderRecord(events.env, values) : {}), ...(ctx.profile?.env ?? {}) },
    unsetEnv: cfg.unset_env,
  };
  const files = [...renderFiles(cfg.files, ctx.runtimeDir, values), ...(events ? renderFiles(events.files, ctx.runtimeDir, values) : [])];
  if (files.length) spec.files = files;
  return spec;
}

/**
 * The last answer: the text right after the last match of `start` (a match may span lines; a
 * marker it covers is left out), up to the line where the first match of `end` after it begins.
 */
function extractResponse(screen: string, response: { start: RegExp; end?: RegExp; strip?: RegExp }): string | null {
  const text = trimTrailingBlank(screenLines(screen)).join('\n');
  const from = lastMatchEnd(text, response.start);
  if (from === undefined) return null;
  let to = text.length;
  if (response.end) {
    const end = new RegExp(response.end.source, 'gm');
    end.lastIndex = from;
    const found = end.exec(text);
    if (found) to = Math.max(from, text.lastIndexOf('\n', found.index - 1) + 1);
  }
  const body = text
    .slice(from, to)
    .split('\n')
    .map((l) => (response.strip ? l.replace(response.strip, '') : l));
  const answer = trimBlankEdges(body).join('\n');
  return answer === '' ? null : answer;
}

function lastMatchEnd(text: string, re: RegExp): number | undefined {
  const global = new RegExp(re.source, 'gm');
  let end: number | undefined;
  for (let m = global.exec(text); m; m = global.exec(text)) {
    end = m.index + m[0].length;
    if (m[0] === '') global.lastIndex++;
  }
  return end;
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
