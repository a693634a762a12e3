import type { ConductorEvent } from '../events/bus.js';
import { DaemonUnavailableError, TimeoutError } from '../errors.js';
import type { TerminalRecord, TerminalStatus } from '../terminal/schema.js';
import type { DaemonClient } from './client.js';

export interface EventStream {
  /** The next event, or undefined when the stream ended. */
  next(): Promise<ConductorEvent | undefined>;
  close(): void;
}

/** Opens GET /events and reads it as server-sent events. Resolves once the daemon said `ready`. */
export async function openEvents(
  client: DaemonClient,
  params: { terminal?: string; session?: string; types?: string; since?: number } = {},
): Promise<EventStream> {
  const controller = new AbortController();
  const search = new URLSearchParams(
    Object.entries(params).filter(([, v]) => v !== undefined).map(([k, v]): [string, string] => [k, String(v)]),
  );
  let res: Response;
  try {
    res = await fetch(`${client.baseUrl}/events?${search}`, {
      headers: { authorization: `Bearer ${client.state.token}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
  } catch (err) {
    throw new DaemonUnavailableError(`cannot open the event stream: ${(err as Error).message}`);
  }
  if (!res.ok || !res.body) throw new DaemonUnavailableError(`the event stream answered HTTP ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const readFrame = async (): Promise<{ event: string; data: string } | undefined> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of frame.split('\n')) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        return { event, data: data.join('\n') };
      }
      const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (chunk.done) return undefined;
      buffer += chunk.value;
    }
  };
  const ready = await readFrame();
  if (ready?.event !== 'ready') throw new DaemonUnavailableError('the event stream did not start');
  return {
    async next() {
      for (;;) {
        const frame = await readFrame();
        if (!frame) return undefined;
        if (frame.event === 'heartbeat' || frame.event === 'ready') continue;
        return JSON.parse(frame.data) as ConductorEvent;
      }
    },
    close: () => controller.abort(),
  };
}

/**
 * Waits, without polling, until the terminal's status satisfies `done`. Subscribes first, then
 * reads the current status, so a change in between is never missed.
 */
export async function waitForStatus(
  client: DaemonClient,
  terminalId: string,
  done: (s: TerminalStatus) => boolean,
  timeoutMs: number,
): Promise<TerminalRecord> {
  const stream = await openEvents(client, { terminal: terminalId, types: 'terminal.status' });
  let timer: NodeJS.Timeout | undefined;
  try {
    const current = await client.get<TerminalRecord>(`/terminals/${terminalId}`);
    if (done(current.status)) return current;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new TimeoutError(`terminal '${terminalId}' is still '${current.status}' after ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    for (;;) {
      const event = await Promise.race([stream.next(), timeout]);
      if (!event) throw new DaemonUnavailableError('the daemon closed the event stream');
      if (done(event.data.status as TerminalStatus)) return client.get<TerminalRecord>(`/terminals/${terminalId}`);
    }
  } finally {
    clearTimeout(timer);
    stream.close();
  }
}
