import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { matches, type ConductorEvent } from '../../events/bus.js';
import type { Runtime } from '../../runtime.js';
import { query } from '../http.js';

const eventsQuery = z.object({
  terminal: z.string().optional(),
  session: z.string().optional(),
  types: z.string().optional(),
  since: z.coerce.number().int().min(0).optional(),
});

const HEARTBEAT_MS = 15_000;

/**
 * Server-sent events. A client resumes with `Last-Event-ID` (or `?since=`): events stored after
 * that id are replayed first, then live ones follow, with no gap between the two.
 */
export function eventRoutes(rt: Runtime, onStream: (close: () => void) => () => void): Hono {
  return new Hono().get('/', (c) => {
    const q = query(c, eventsQuery);
    const filter = { terminalId: q.terminal, sessionId: q.session, types: q.types?.split(',').filter(Boolean) };
    const header = c.req.header('last-event-id');
    const resumeFrom = header !== undefined && /^\d+$/.test(header) ? Number(header) : q.since;
    return streamSSE(c, async (stream) => {
      const pending: ConductorEvent[] = [];
      let wake: (() => void) | null = null;
      let closed = false;
      const unsubscribe = rt.bus.subscribe((e) => {
        pending.push(e);
        wake?.();
      });
      const close = () => {
        closed = true;
        wake?.();
      };
      const forget = onStream(close);
      stream.onAbort(close);
      let lastSent = resumeFrom ?? (await rt.bus.lastId());
      const send = async (e: ConductorEvent) => {
        if (e.id <= lastSent) return;
        lastSent = e.id;
        if (!matches(e, filter)) return;
        await stream.writeSSE({ id: String(e.id), event: e.type, data: JSON.stringify(e) });
      };
      try {
        await stream.writeSSE({ event: 'ready', data: JSON.stringify({ lastEventId: lastSent }) });
        if (resumeFrom !== undefined) for (const e of await rt.bus.since(resumeFrom)) await send(e);
        while (!closed) {
          while (pending.length > 0 && !closed) await send(pending.shift()!);
          if (closed) break;
          await new Promise<void>((resolve) => {
            wake = resolve;
            const beat = setTimeout(resolve, HEARTBEAT_MS);
            wake = () => {
              clearTimeout(beat);
              resolve();
            };
          });
          wake = null;
          if (pending.length === 0 && !closed) await stream.writeSSE({ event: 'heartbeat', data: '{}' });
        }
      } finally {
        unsubscribe();
        forget();
      }
    });
  });
}
