import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DaemonClient } from '../src/cli/client.js';
import type { AgentCli, ModelFake } from './agentClis.js';
import { closeSession, launchSession, STATUS_PATHS, StatusWatch, type StatusPath, type Terminal } from './agentTerminals.js';
import { ratioOf, type Figure } from './report.js';
import { summarise } from './stats.js';
import type { BenchWorld } from './world.js';

const TURNS = 10;
const GOAL_P50_MS = 250;
const GOAL_P99_MS = 500;

const answers = Array.from({ length: TURNS }, (_, i) => `Answer ${i + 1}: the parser reads the config file, checks every field and writes the result.`);

interface PathResult {
  /** Turn end (the fake's last byte) to the `completed` event at the bench, per turn. */
  samples: number[];
  /** From the fake's last byte of any request of the turn (side requests after the answer included). */
  sinceLastRequest: number[];
  /** Turns (from 1) whose `completed` came before the fake had finished the answer. */
  early: number[];
  statusSource: string | null;
}

/**
 * Turn end to `completed` for one real CLI, on the event path and on the screen-only path at once
 * (one terminal each, each with its own fake model API), so both share the machine's load.
 */
export async function measureTurnLatency(world: BenchWorld, client: DaemonClient, cli: AgentCli): Promise<Figure[]> {
  const cwd = join(world.home, 'agent-project');
  mkdirSync(cwd, { recursive: true });
  const started: Array<Awaited<ReturnType<AgentCli['start']>>> = [];
  const sessions = STATUS_PATHS.map((path) => `bench-turns-${cli.key.replaceAll('_', '-')}-${path}`);
  try {
    for (let i = 0; i < STATUS_PATHS.length; i++) started.push(await cli.start(answers));
    const terminals = await Promise.all(
      STATUS_PATHS.map(async (path, i) => (await launchSession(client, sessions[i], { provider: cli.provider, cwd, launchEnv: started[i].launchEnv(path) }))[0]),
    );
    const results = await Promise.all(STATUS_PATHS.map((path, i) => runTurns(client, terminals[i], started[i].fake, `${cli.label} (${path})`)));
    return figures(cli, { events: results[0], screen: results[1] });
  } finally {
    await Promise.all(sessions.map((name) => closeSession(client, name)));
    await Promise.all(started.map((s) => s.fake.close()));
  }
}

async function runTurns(client: DaemonClient, terminal: Terminal, fake: ModelFake, what: string): Promise<PathResult> {
  const watch = await StatusWatch.open(client, terminal.id);
  const samples: number[] = [];
  const sinceLastRequest: number[] = [];
  const early: number[] = [];
  try {
    for (let i = 0; i < TURNS; i++) {
      const before = fake.turns().length;
      const requestsBefore = fake.requests().length;
      const mark = watch.mark;
      await client.post(`/terminals/${terminal.id}/input`, { text: `Question ${i + 1}: what does the parser do?`, enter: true });
      const end = await watch.until(mark, 60_000).catch((err: Error) => {
        throw new Error(`${what}, turn ${i + 1}: ${err.message}`);
      });
      if (end.status !== 'completed') throw new Error(`${what}, turn ${i + 1}: the terminal went '${end.status}'`);
      const turn = fake.turns().slice(before).at(-1);
      if (turn?.endedAt === undefined || turn.endedAt > end.at) early.push(i + 1);
      else samples.push(end.at - turn.endedAt);
      const lastEnd = Math.max(...fake.requests().slice(requestsBefore).map((r) => (r.endedAt !== undefined && r.endedAt <= end.at ? r.endedAt : 0)));
      if (lastEnd > 0) sinceLastRequest.push(end.at - lastEnd);
    }
  } finally {
    watch.close();
  }
  if (samples.length < TURNS / 2) throw new Error(`${what}: only ${samples.length} of ${TURNS} turns measured (turns ${early.join(', ')} completed before the answer ended)`);
  const { statusSource } = await client.get<Terminal>(`/terminals/${terminal.id}`);
  return { samples, sinceLastRequest, early, statusSource };
}

function figures(cli: AgentCli, by: Record<StatusPath, PathResult>): Figure[] {
  const events = summarise(by.events.samples);
  const screen = summarise(by.screen.samples);
  const detail = {
    turns: TURNS,
    turnEnd: "the fake model API's last byte of the turn's answer",
    completed: 'the terminal.status completed event reaching an SSE client',
    events: { ...events, earlyTurns: by.events.early, statusSource: by.events.statusSource, sinceLastRequestOfTheTurn: summarise(by.events.sinceLastRequest) },
    screenOnly: { ...screen, earlyTurns: by.screen.early, statusSource: by.screen.statusSource, sinceLastRequestOfTheTurn: summarise(by.screen.sinceLastRequest) },
  };
  const figure = (q: 'p50' | 'p99', goal: number): Figure => ({
    id: `agent_turn_completed_${cli.key}_${q}`,
    label: `turn end to completed, ${cli.label}, ${q}`,
    unit: 'ms',
    value: events[q],
    baseline: screen[q],
    baselineLabel: 'screen only',
    ratio: ratioOf(events[q], screen[q]),
    goal: `<= ${goal} ms`,
    // A completion before the answer ended is a false one: no goal is met with it.
    met: events[q] <= goal && by.events.early.length === 0 && by.events.statusSource === 'events',
    detail,
  });
  return [figure('p50', GOAL_P50_MS), figure('p99', GOAL_P99_MS)];
}
