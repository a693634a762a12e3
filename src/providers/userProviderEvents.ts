/**
 * The parts of a YAML provider that reach beyond the screen: placeholders, files written before
 * launch, and the `events` section (a hook or notify command the CLI runs, mapped onto the
 * conductor's agent events).
 */
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { shellQuote } from '../tmux/client.js';
import type { AgentEvent, AgentEventKind, EventEndpoint, LaunchContext, LaunchSpec } from './types.js';

const AGENT_EVENT_KINDS = [
  'session_start',
  'turn_start',
  'tool_start',
  'tool_end',
  'waiting_input',
  'turn_end',
  'turn_failed',
  'session_end',
] as const satisfies readonly AgentEventKind[];

/** Placeholders every templated field may use. */
const LAUNCH_PLACEHOLDERS = ['runtime_dir', 'cwd', 'terminal_id'] as const;
/** Placeholders only the `events` section may use: they exist only when events are switched on. */
const EVENT_PLACEHOLDERS = ['hook_command', 'hook_url', 'hook_secret'] as const;

type PlaceholderName = (typeof LAUNCH_PLACEHOLDERS)[number] | (typeof EVENT_PLACEHOLDERS)[number];
export type Placeholders = Partial<Record<PlaceholderName, string>>;

/** `{{name}}` with a lowercase name; other braces (a Go template's `{{.Name}}`) stay text. */
const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;

/** A string whose `{{name}}` placeholders are all among `allowed`; the error names the stray one. */
function templated(allowed: readonly string[], where: string) {
  return z.string().superRefine((value, ctx) => {
    for (const [, name] of value.matchAll(PLACEHOLDER)) {
      if (allowed.includes(name)) continue;
      const hint = (EVENT_PLACEHOLDERS as readonly string[]).includes(name)
        ? `{{${name}}} exists only in the events section`
        : `use one of ${allowed.map((n) => `{{${n}}}`).join(', ')}`;
      ctx.addIssue({ code: 'custom', message: `unknown placeholder {{${name}}} in ${where}: ${hint}` });
    }
  });
}

/** Every string inside a JSON-like value, checked as `templated`. */
function templatedJson(allowed: readonly string[]) {
  const check = templated(allowed, 'json');
  return z.unknown().superRefine((value, ctx) => {
    for (const text of stringsIn(value)) {
      const result = check.safeParse(text);
      if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
    }
  });
}

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...stringsIn(v)]);
  return [];
}

const relativePath = z
  .string()
  .min(1)
  .refine((p) => !isAbsolute(p) && !p.split(/[\\/]/).includes('..'), {
    message: "must be a path inside the terminal's runtime folder: relative, without '..'",
  });

function fileSchema(allowed: readonly string[]) {
  return z
    .object({
      path: relativePath,
      /** Text written as is, placeholders replaced. */
      content: templated(allowed, 'content').optional(),
      /** A value written as JSON, placeholders replaced inside its strings (so they are escaped properly). */
      json: templatedJson(allowed).optional(),
      executable: z.boolean().default(false),
    })
    .strict()
    .refine((f) => (f.content === undefined) !== (f.json === undefined), { message: 'give exactly one of content or json' });
}

const launchStrings = (where: string) => templated(LAUNCH_PLACEHOLDERS, where);
const eventStrings = (where: string) => templated([...LAUNCH_PLACEHOLDERS, ...EVENT_PLACEHOLDERS], where);

export const launchFilesSchema = z.array(fileSchema(LAUNCH_PLACEHOLDERS)).max(20).default([]);
export const templatedEnvSchema = z.record(z.string(), launchStrings('env')).default({});
export const templatedCommandSchema = z.union([launchStrings('command').pipe(z.string().min(1)), z.array(launchStrings('command').pipe(z.string().min(1))).min(1)]);

const dotPath = z
  .string()
  .regex(/^[\w$-]+(?:\.[\w$-]+)*$/, 'use a dot path into the hook payload, e.g. last_assistant_message or message.content');

export const eventsSchema = z
  .object({
    files: z.array(fileSchema([...LAUNCH_PLACEHOLDERS, ...EVENT_PLACEHOLDERS])).max(20).default([]),
    args: z.array(eventStrings('args')).default([]),
    env: z.record(z.string(), eventStrings('env')).default({}),
    map: z.record(z.string().min(1), z.enum(AGENT_EVENT_KINDS, { message: `use one of ${AGENT_EVENT_KINDS.join(', ')}` })).default({}),
    response: dotPath.optional(),
    prompt: dotPath.optional(),
    detail: dotPath.optional(),
  })
  .strict();

export type LaunchFile = z.infer<typeof launchFilesSchema>[number];
export type EventsConfig = z.infer<typeof eventsSchema>;

export function render(text: string, values: Placeholders): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => values[name as PlaceholderName] ?? whole);
}

function renderJson(value: unknown, values: Placeholders): unknown {
  if (typeof value === 'string') return render(value, values);
  if (Array.isArray(value)) return value.map((v) => renderJson(v, values));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [render(k, values), renderJson(v, values)]));
  }
  return value;
}

export function renderRecord(record: Record<string, string>, values: Placeholders): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, render(v, values)]));
}

export function renderFiles(files: LaunchFile[], runtimeDir: string, values: Placeholders): NonNullable<LaunchSpec['files']> {
  return files.map((f) => ({
    path: join(runtimeDir, f.path),
    content: f.json !== undefined ? `${JSON.stringify(renderJson(f.json, values), null, 2)}\n` : render(f.content!, values),
    // Hook files may hold the terminal's secret: readable by the user alone.
    mode: f.executable ? 0o700 : 0o600,
  }));
}

export function launchPlaceholders(ctx: LaunchContext): Placeholders {
  return { runtime_dir: ctx.runtimeDir, cwd: ctx.cwd, terminal_id: ctx.terminalId };
}

export function eventPlaceholders(endpoint: EventEndpoint): Placeholders {
  return { hook_command: endpoint.command.map(shellQuote).join(' '), hook_url: endpoint.url, hook_secret: endpoint.secret };
}

/** The value at a dot path (`a.b.0.c`) of a payload, if it is a string. */
function stringAt(payload: unknown, path: string | undefined): string | undefined {
  if (!path) return undefined;
  let value: unknown = payload;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' ? value : undefined;
}

function isAgentEventKind(name: string): name is AgentEventKind {
  return (AGENT_EVENT_KINDS as readonly string[]).includes(name);
}

/**
 * A hook call → the conductor's event: a name found in `map`, or one that already is an event
 * kind, becomes that kind; the dot paths read the answer, prompt and detail from the payload.
 */
export function normaliseWith(events: EventsConfig) {
  return (name: string, payload: unknown): AgentEvent | null => {
    const kind = events.map[name] ?? (isAgentEventKind(name) ? name : undefined);
    if (!kind) return null;
    const body = typeof payload === 'string' ? parseJsonOr(payload) : payload;
    const event: AgentEvent = { kind };
    const response = kind === 'turn_end' ? stringAt(body, events.response) : undefined;
    if (response !== undefined) event.response = response;
    const prompt = kind === 'turn_start' ? stringAt(body, events.prompt) : undefined;
    if (prompt !== undefined) event.prompt = prompt;
    const detail = kind === 'waiting_input' || kind === 'turn_failed' ? stringAt(body, events.detail) : undefined;
    if (detail !== undefined) event.detail = detail;
    return event;
  };
}

/** A payload handed over as text (a notify command's argument) is read as JSON when it is JSON. */
function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
