import { fetchEventSource, type EventSourceMessage } from '@microsoft/fetch-event-source';
import { authHeaders } from './api';

class Fatal extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

export interface Stream {
  close(): void;
  /** Cuts the connection as a network failure would, and stays down until `resume`. */
  pause(): void;
  /** Connects again, resuming after the last event seen. */
  resume(): void;
}

/**
 * A server-sent event stream over fetch (EventSource cannot send the CSRF header). A lost
 * connection comes back with `Last-Event-ID`, so the server replays what was missed.
 */
export function openStream(path: string, onMessage: (m: EventSourceMessage) => void, opts: { onOpen?: () => void; onDown?: () => void; onRefused?: (status: number) => void; resume?: boolean } = {}): Stream {
  let lastId: string | undefined;
  let current: AbortController | undefined;
  let closed = false;
  let paused = false;
  const connect = () => {
    current = new AbortController();
    const ctrl = current;
    void fetchEventSource(path, {
      signal: ctrl.signal,
      headers: { ...authHeaders(), ...(opts.resume !== false && lastId ? { 'last-event-id': lastId } : {}) },
      openWhenHidden: true,
      async onopen(res) {
        if (!res.ok) throw new Fatal(res.status);
        opts.onOpen?.();
      },
      onmessage(m) {
        if (m.id && opts.resume !== false) lastId = m.id;
        onMessage(m);
      },
      onclose() {
        throw new Error('stream ended');
      },
      onerror(err) {
        if (err instanceof Fatal) throw err;
        opts.onDown?.();
        return 1000;
      },
    })
      .catch((err) => {
        if (err instanceof Fatal && (err.status === 401 || err.status === 403 || err.status === 404)) {
          closed = true;
          opts.onRefused?.(err.status);
        } else opts.onDown?.();
      })
      .finally(() => {
        if (!closed && !paused && ctrl === current) setTimeout(connect, ctrl.signal.aborted ? 50 : 2000);
      });
  };
  connect();
  return {
    close() {
      closed = true;
      current?.abort();
    },
    pause() {
      paused = true;
      opts.onDown?.();
      current?.abort();
    },
    resume() {
      if (!paused) return;
      paused = false;
      connect();
    },
  };
}
