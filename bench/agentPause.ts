import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DaemonClient } from '../src/cli/client.js';
import {
  closeSession,
  fakeAgentProvider,
  installFakeAgentEvents,
  lastOutput,
  launchSession,
  screenShows,
  STATUS_PATHS,
  StatusWatch,
  type StatusPath,
  type Terminal,
} from './agentTerminals.js';
import type { Figure } from './report.js';
import type { BenchWorld } from './world.js';

/** False `completed` during a 5 s silent pause mid-answer, with the fake agent on both paths. */

export const TRIES = 20;
export const PAUSE_MS = 5000;
/** Terminals per path, run in parallel: 20 tries take four pauses' time. */
const TERMINALS = 5;
const PAUSE_ANSWER = 'first half of the answer, then the second half after a long silence';

export interface PauseCount {
  tries: number;
  falseCompleted: number;
  /** How each false one showed: when it came, and what the terminal reported as the answer. */
  falses: Array<{ afterMs: number; answer?: string }>;
}

function writeScript(world: BenchWorld): string {
  const file = join(world.home, 'pause.script.json');
  // Half the answer, then five seconds without drawing anything (spinner included), then the rest.
  writeFileSync(file, JSON.stringify([{ match: '^pause', answer: PAUSE_ANSWER, thinkMs: 50, chunkSize: 6, chunkMs: 20, pauseAt: 24, pauseMs: PAUSE_MS }]));
  return file;
}

/** One try: a `completed` is false if it comes before the pause alone could have passed, or with half the answer. */
async function pauseTry(world: BenchWorld, client: DaemonClient, t: Terminal, watch: StatusWatch, n: number, count: PauseCount): Promise<void> {
  const mark = watch.mark;
  const sentAt = Date.now();
  await client.post(`/terminals/${t.id}/input`, { text: `pause try ${n}`, enter: true });
  const end = await watch.until(mark, PAUSE_MS + 20_000);
  if (end.status !== 'completed') throw new Error(`fake agent ${t.id}: a pause try ended '${end.status}'`);
  const answer = await lastOutput(client, t.id);
  count.tries++;
  if (end.at - sentAt >= PAUSE_MS && answer === PAUSE_ANSWER) return;
  count.falseCompleted++;
  count.falses.push({ afterMs: end.at - sentAt, answer });
  // The turn goes on after a false completion: the next try waits for its real end.
  const answered = (screen: string) => screen.slice(screen.lastIndexOf(`> pause try ${n}`)).includes('long silence') && /ready · \/exit to quit\s*$/.test(screen);
  await screenShows(world, client, t.id, answered, PAUSE_MS + 20_000);
}

async function pathTries(world: BenchWorld, client: DaemonClient, path: StatusPath, script: string): Promise<PauseCount> {
  const session = `bench-pause-fake-${path}`;
  const count: PauseCount = { tries: 0, falseCompleted: 0, falses: [] };
  try {
    const terminals = await launchSession(client, session, { provider: fakeAgentProvider(path), cwd: world.home, env: { FAKE_AGENT_SCRIPT: script } }, TERMINALS);
    await Promise.all(
      terminals.map(async (t, i) => {
        const watch = await StatusWatch.open(client, t.id);
        try {
          for (let n = i; n < TRIES; n += TERMINALS) await pauseTry(world, client, t, watch, n, count);
        } finally {
          watch.close();
        }
      }),
    );
  } finally {
    await closeSession(client, session);
  }
  return count;
}

/** The figure for one agent: false completions on the event path, next to the screen-only path's. */
export function pauseFigure(id: string, agent: string, by: Record<StatusPath, PauseCount>): Figure {
  const pct = (c: PauseCount) => Math.round((c.falseCompleted / c.tries) * 1000) / 10;
  return {
    id,
    label: `false completed in a 5 s silent pause, ${agent} (${by.events.tries} tries), % of tries`,
    unit: '%',
    value: pct(by.events),
    baseline: pct(by.screen),
    baselineLabel: 'screen only',
    ratio: null,
    goal: '0 (none)',
    met: by.events.falseCompleted === 0,
    detail: { events: by.events, screenOnly: by.screen, pauseMs: PAUSE_MS },
  };
}

export async function measureFakeAgentPause(world: BenchWorld, client: DaemonClient): Promise<Figure[]> {
  installFakeAgentEvents(world);
  const script = writeScript(world);
  const [events, screen] = await Promise.all(STATUS_PATHS.map((path) => pathTries(world, client, path, script)));
  return [pauseFigure('agent_pause_false_completed_fake_agent', 'fake agent', { events, screen })];
}
