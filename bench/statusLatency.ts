import { statSync, watch } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DaemonClient } from '../src/cli/client.js';
import { openEvents, waitForStatus, type EventStream } from '../src/cli/events.js';
import type { ConductorEvent } from '../src/events/bus.js';
import type { SessionRecord, TerminalRecord } from '../src/terminal/schema.js';
import { screenConfirmationDelayMs } from '../src/status/monitor.js';
import type { Figure } from './report.js';
import { summarise } from './stats.js';
import type { BenchWorld } from './world.js';

const PROMPTS = 20;
/** The fake agent's provider file says so (quiet_window_ms). */
const QUIET_WINDOW_MS = 250;
/** On the screen path a turn ends only when a second judgement, this much later, sees the same idle screen. */
const CONFIRMATION_MS = screenConfirmationDelayMs(QUIET_WINDOW_MS);
const SETTLED_MS = QUIET_WINDOW_MS + CONFIRMATION_MS;
const GOAL_BEYOND_MS = 150;

function nextWithin(events: EventStream, ms: number): Promise<ConductorEvent | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no status event within ${ms} ms`)), ms);
  });
  return Promise.race([events.next(), timeout]).finally(() => clearTimeout(timer));
}

/**
 * Status detection latency on the screen path: from the fake agent's last write into its raw log
 * (its screen settled) until the `terminal.status` = `completed` event reaches an SSE client,
 * beyond the quiet window and the confirming judgement's delay.
 */
export async function measureStatusLatency(world: BenchWorld, client: DaemonClient): Promise<{ figures: Figure[]; terminalId: string }> {
  const created = await client.post<{ session: SessionRecord; terminal: TerminalRecord }>('/sessions', {
    name: 'bench-status',
    provider: 'fake_agent',
    cwd: world.home,
    env: { FAKE_AGENT_THINK_MS: '150' },
  });
  const id = created.terminal.id;
  await waitForStatus(client, id, (s) => s === 'idle', 15_000);

  const rawFile = join(world.layout.terminalLogs, `${id}.raw`);
  let lastSize = statSync(rawFile).size;
  let lastGrowth = performance.now();
  const watcher = watch(rawFile, () => {
    const size = statSync(rawFile).size;
    if (size !== lastSize) {
      lastSize = size;
      lastGrowth = performance.now();
    }
  });
  const events = await openEvents(client, { terminal: id, types: 'terminal.status' });
  const seenByClient: number[] = [];
  const publishedByDaemon: number[] = [];
  try {
    for (let i = 0; i < PROMPTS; i++) {
      const sentAt = performance.now();
      await client.post(`/terminals/${id}/input`, { text: `benchmark prompt ${i}`, enter: true });
      for (;;) {
        const e = await nextWithin(events, 10_000);
        if (!e) throw new Error('the daemon closed the event stream');
        const status = e.data.status;
        if (status === 'error' || status === 'exited') throw new Error(`the fake agent went '${String(status)}'`);
        if (status !== 'completed') continue;
        const arrived = performance.now();
        if (lastGrowth < sentAt) throw new Error('the fake agent wrote nothing for a prompt');
        seenByClient.push(arrived - lastGrowth - SETTLED_MS);
        // Cross-check on the daemon's own clock: event time against the raw log's mtime.
        publishedByDaemon.push(Date.parse(e.createdAt) - statSync(rawFile).mtimeMs - SETTLED_MS);
        break;
      }
      await sleep(100);
    }
  } finally {
    watcher.close();
    events.close();
  }

  const s = summarise(seenByClient);
  const detail = {
    prompts: PROMPTS,
    quietWindowMs: QUIET_WINDOW_MS,
    confirmationMs: CONFIRMATION_MS,
    beyondQuietWindowAtSseClient: s,
    beyondQuietWindowAtPublish_mtimeBased: summarise(publishedByDaemon),
  };
  const figure = (q: 'p50' | 'p99'): Figure => ({
    id: `status_completed_${q}`,
    label: `status completed (screen path), latency beyond quiet window + confirmation, ${q}`,
    unit: 'ms',
    value: s[q],
    baseline: SETTLED_MS,
    baselineLabel: 'quiet window + confirming judgement',
    ratio: null,
    goal: `<= ${GOAL_BEYOND_MS} ms`,
    met: s[q] <= GOAL_BEYOND_MS,
    detail,
  });
  return { figures: [figure('p50'), figure('p99')], terminalId: id };
}
