import type { DaemonClient } from '../../src/cli/client.js';
import { openEvents } from '../../src/cli/events.js';

/**
 * Resolves with the first truthy `check()`, re-checking on every daemon event (no polling);
 * fails after `timeoutMs`, or if the event stream ends (the daemon went away).
 */
export async function untilTrue<T>(client: DaemonClient, check: () => Promise<T | undefined | null | false>, timeoutMs: number, what: string): Promise<T> {
  const events = await openEvents(client, {});
  const deadline = Date.now() + timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  try {
    for (;;) {
      const value = await check();
      if (value) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      const outcome = await Promise.race([
        events.next().then((e) => (e ? 'event' : 'ended')),
        new Promise<'deadline'>((resolve) => (timer = setTimeout(() => resolve('deadline'), left))),
      ]);
      clearTimeout(timer);
      if (outcome === 'ended') throw new Error(`the daemon's event stream ended while waiting for ${what}`);
    }
  } finally {
    clearTimeout(timer);
    events.close();
  }
}
