import { z } from 'zod';

export const notifyEvents = ['approval', 'waiting', 'error', 'exited', 'completed', 'handoff_failed', 'flow_failed', 'budget'] as const;
export type NotifyEvent = (typeof notifyEvents)[number];
/** `completed` is left out by default: most answers need nobody. */
export const DEFAULT_EVENTS: NotifyEvent[] = notifyEvents.filter((e) => e !== 'completed');

export const notifyFormats = ['json', 'slack', 'discord', 'ntfy'] as const;
export type NotifyFormat = (typeof notifyFormats)[number];
export type TargetKind = 'webhook' | 'desktop' | 'tmux';

export const notifyTargetIdSchema = z.string().regex(/^n-[0-9a-f]{8}$/, 'a notification target id looks like n-1a2b3c4d (see `conductor notify list`)');

const eventList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((e) => e.trim()).filter(Boolean))
  .superRefine((events, ctx) => {
    const valid = new Set<string>([...notifyEvents, 'all']);
    const unknown = events.filter((e) => !valid.has(e));
    if (unknown.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown event ${unknown.map((e) => `'${e}'`).join(', ')}: valid events are ${notifyEvents.join(', ')} (or all)`,
      });
    }
    if (events.length === 0) ctx.addIssue({ code: 'custom', message: `name at least one event: ${notifyEvents.join(', ')}` });
  })
  .transform((events): NotifyEvent[] => (events.includes('all') ? [...notifyEvents] : [...new Set(events as NotifyEvent[])]));

const destination = z
  .string()
  .min(1)
  .superRefine((url, ctx) => {
    if (url === 'desktop' || url === 'tmux') return;
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      // reported below
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      ctx.addIssue({ code: 'custom', message: `'${url.slice(0, 80)}' is not an http(s) URL: give https://…, or the word desktop or tmux` });
    }
  });

/** POST /notify and `conductor notify add`. */
export const addTargetSchema = z
  .object({
    url: destination,
    format: z.enum(notifyFormats).optional(),
    on: eventList.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.format && (v.url === 'desktop' || v.url === 'tmux')) {
      ctx.addIssue({ code: 'custom', path: ['format'], message: `--format is for URLs only; a ${v.url} target has its own shape` });
    }
  });
export type AddTargetInput = z.infer<typeof addTargetSchema>;

export const testTargetSchema = z.object({ id: notifyTargetIdSchema.optional() }).strict();

export interface NotifyTargetRecord {
  id: string;
  kind: TargetKind;
  /** The full URL (webhooks only): it may hold a secret, so logs only ever see `safeUrl`. */
  url: string | null;
  safeUrl: string | null;
  format: NotifyFormat;
  events: NotifyEvent[];
  state: 'new' | 'ok' | 'failing';
  createdAt: string;
  lastDeliveredAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

/** One thing that happened, with what someone needs to act on it. */
export interface Notice {
  event: NotifyEvent | 'test';
  title: string;
  text: string;
  terminal?: {
    id: string;
    provider: string;
    profile: string | null;
    cwd: string;
    session: string;
    branch?: string;
  };
  /** The last lines of the terminal's screen. */
  screen?: string;
  /** The exact command that acts on it, e.g. `conductor approve a-1a2b3c4d`. */
  command?: string;
  at: string;
}

export interface DeliveryResult {
  id: string;
  ok: boolean;
  error?: string;
}
