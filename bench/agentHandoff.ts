import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DaemonClient } from '../src/cli/client.js';
import type { HandoffRecord } from '../src/handoff/schema.js';
import { fakeAgentProvider, installFakeAgentEvents, STATUS_PATHS, type StatusPath } from './agentTerminals.js';
import { bareWorkerStart } from './inbox.js';
import type { Figure } from './report.js';
import { summarise } from './stats.js';
import type { BenchWorld } from './world.js';

/**
 * Handoff overhead beyond the worker's own start, as the inbox section measures it, with a worker
 * that reports its own turns (`fake_agent_events`) against one judged from its screen (`fake_agent`).
 */

const HANDOFFS = 8;
const GOAL_MS = 200;

const profileOf = (path: StatusPath) => `bench-instant-${path}`;

/** An instantly answering worker profile for each path. */
function installWorkers(world: BenchWorld): void {
  mkdirSync(world.layout.profiles, { recursive: true });
  for (const path of STATUS_PATHS) {
    writeFileSync(
      join(world.layout.profiles, `${profileOf(path)}.md`),
      `---\nname: ${profileOf(path)}\ndescription: answers at once (bench)\nprovider: ${fakeAgentProvider(path)}\nenv:\n  FAKE_AGENT_THINK_MS: "0"\n  FAKE_AGENT_CHUNK_MS: "0"\n---\nAnswer at once.\n`,
    );
  }
}

async function handoff(client: DaemonClient, path: StatusPath, i: number): Promise<number> {
  const started = performance.now();
  const h = await client.post<HandoffRecord>('/handoffs', { profile: profileOf(path), message: `question ${i}` });
  const done = await client.get<HandoffRecord>(`/handoffs/${h.id}?wait=60000`);
  if (done.state !== 'completed') throw new Error(`handoff ${h.id} (${path}) ended ${done.state}: ${done.error}`);
  return performance.now() - started;
}

export async function measureAgentHandoff(world: BenchWorld, client: DaemonClient): Promise<Figure[]> {
  installFakeAgentEvents(world);
  installWorkers(world);
  const bare: number[] = [];
  const totals: Record<StatusPath, number[]> = { events: [], screen: [] };
  // Interleaved, so both paths meet the same load.
  for (let i = 0; i < HANDOFFS; i++) {
    bare.push(await bareWorkerStart(world));
    for (const path of STATUS_PATHS) totals[path].push(await handoff(client, path, i));
  }
  const b = summarise(bare);
  const events = summarise(totals.events);
  const screen = summarise(totals.screen);
  const overhead = (t: typeof b) => Math.round((t.p50 - b.p50) * 10) / 10;
  return [
    {
      id: 'agent_handoff_overhead_p50',
      label: 'handoff overhead beyond the worker start, worker with events, p50',
      unit: 'ms',
      value: overhead(events),
      baseline: overhead(screen),
      baselineLabel: 'screen only',
      ratio: null,
      goal: `<= ${GOAL_MS} ms`,
      met: overhead(events) <= GOAL_MS,
      detail: {
        handoffs: HANDOFFS,
        bareWorkerStart: b,
        totalEvents: events,
        totalScreenOnly: screen,
        samplesMs: { bare: bare.map(Math.round), events: totals.events.map(Math.round), screen: totals.screen.map(Math.round) },
      },
    },
  ];
}
