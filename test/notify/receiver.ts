import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  at: number;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Resolves once `count` requests have arrived; fails the test after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  /** Resolves with the first truthy `find` over what arrived, checked on each request. */
  waitUntil<T>(find: (received: Received[]) => T | undefined | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

/**
 * A local webhook receiver (127.0.0.1 only). `status` is what it answers; `holdMs` delays each
 * answer, like a slow service.
 */
export async function startReceiver(opts: { status?: number; holdMs?: number } = {}): Promise<Receiver> {
  const received: Received[] = [];
  const events = new EventEmitter();
  const held = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      received.push({ at: Date.now(), path: req.url ?? '/', headers: req.headers, body, json });
      events.emit('request');
      const answer = () => {
        res.writeHead(opts.status ?? 200, { 'content-type': 'text/plain' });
        res.end('ok');
      };
      if (!opts.holdMs) return answer();
      const timer = setTimeout(() => {
        held.delete(timer);
        answer();
      }, opts.holdMs);
      held.add(timer);
    });
  });
  function waitUntil<T>(find: (all: Received[]) => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = find(received);
        if (!found) return;
        clearTimeout(timer);
        events.off('request', check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        events.off('request', check);
        reject(new Error(`the receiver got ${received.length} requests within ${timeoutMs} ms, none of them the one awaited`));
      }, timeoutMs);
      events.on('request', check);
      check();
    });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    waitFor: (count, timeoutMs) => waitUntil((all) => all.length >= count && all, timeoutMs),
    waitUntil,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of held) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
