import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DaemonClient } from '../src/cli/client.js';
import { lastUserText, startFakeAnthropicApi, type FakeAnthropicApi, type StaticTurn } from '../test/fakes/anthropic-api.js';
import { ensureClaude, PINNED_CLAUDE_VERSION } from '../test/helpers/claudeVersions.js';
import { claudeEnv, claudeText } from './agentClis.js';
import { PAUSE_MS, pauseFigure, TRIES, type PauseCount } from './agentPause.js';
import { closeSession, lastOutput, launchSession, screenShows, StatusWatch, type StatusPath, type Terminal } from './agentTerminals.js';
import type { Figure } from './report.js';
import type { BenchWorld } from './world.js';

/**
 * Real Claude Code (the pinned release) on both paths, several terminals each, every one with its
 * own fake model API: false `completed` while the model falls silent for 5 s mid-answer, then
 * prompts typed into the pane by hand (tmux send-keys, not the conductor's input path).
 */

const TERMINALS = 4;
const TYPED_TRIES = 10;
/** A typed turn not followed within this long is counted as missed. */
const TYPED_TIMEOUT_MS = 10_000;
const PAUSE_ANSWER = 'The parser reads the config file first. After a long silence it writes the result, and that is all.';
const PAUSE_END = 'and that is all.';

const typedAnswer = (n: number) => `Answer to typed prompt ${n}.`;

/** Each prompt gets its answer from its own words: typed prompts a short one, the others the pausing one. */
function replyTo(prompt: string): StaticTurn {
  const typed = /typed prompt (\d+)/.exec(prompt);
  if (typed) return claudeText(typedAnswer(Number(typed[1])));
  return claudeText(PAUSE_ANSWER, { pauseAfterChunk: 3, pauseMs: PAUSE_MS });
}

interface Agent {
  terminal: Terminal;
  api: FakeAnthropicApi;
  watch: StatusWatch;
}

interface TypedCount {
  tries: number;
  followed: number;
  /** Tries whose Enter the CLI never sent on to the model (not the conductor's to follow). */
  notSubmitted: number;
  missed: Array<{ n: number; status?: string; answer?: string }>;
}

/** After the prompt's echo, the screen shows `text`: the turn's answer is drawn (whatever the conductor made of it). */
const shownAfter = (echo: string, text: string) => (screen: string) => screen.includes(echo) && screen.slice(screen.lastIndexOf(echo)).includes(text);

async function pauseTry(world: BenchWorld, client: DaemonClient, a: Agent, n: number, count: PauseCount): Promise<void> {
  const prompt = `pause try ${n}: what does the parser do?`;
  const before = a.api.turnRequests().length;
  const mark = a.watch.mark;
  const sentAt = Date.now();
  await client.post(`/terminals/${a.terminal.id}/input`, { text: prompt, enter: true });
  const end = await a.watch.until(mark, PAUSE_MS + 30_000);
  if (end.status !== 'completed') throw new Error(`Claude Code ${a.terminal.id}: a pause try ended '${end.status}'`);
  count.tries++;
  const endedAt = a.api.turnRequests().slice(before).at(-1)?.endedAt;
  const early = a.watch.seen.slice(mark).find((s) => s.status === 'completed' && (endedAt === undefined || s.at < endedAt));
  if (!early) return;
  count.falseCompleted++;
  count.falses.push({ afterMs: early.at - sentAt });
  // The answer goes on after a false completion: the next try waits until it is drawn.
  await screenShows(world, client, a.terminal.id, shownAfter(prompt, PAUSE_END), PAUSE_MS + 30_000);
}

async function typedTry(world: BenchWorld, client: DaemonClient, a: Agent, n: number, count: TypedCount): Promise<void> {
  const prompt = `typed prompt ${n}: what changed?`;
  const before = a.api.turnRequests().length;
  const mark = a.watch.mark;
  const pane = a.terminal.tmuxPane;
  await world.tmuxOk(['send-keys', '-t', pane, '-l', prompt]);
  // Enter once the text is in the input box, as a person typing would.
  await screenShows(world, client, a.terminal.id, (screen) => screen.includes(prompt), 15_000);
  await world.tmuxOk(['send-keys', '-t', pane, 'Enter']);
  count.tries++;
  const end = await a.watch.until(mark, TYPED_TIMEOUT_MS).catch(() => undefined);
  const answer = end?.status === 'completed' ? await lastOutput(client, a.terminal.id) : undefined;
  if (answer === typedAnswer(n)) {
    count.followed++;
    return;
  }
  if (a.api.turnRequests().length === before) count.notSubmitted++;
  count.missed.push({ n, status: end?.status, answer });
  // Not followed: the next try waits until this turn's answer is at least drawn.
  await screenShows(world, client, a.terminal.id, shownAfter(prompt, typedAnswer(n)), TYPED_TIMEOUT_MS).catch(() => undefined);
}

async function pathRuns(world: BenchWorld, client: DaemonClient, path: StatusPath): Promise<{ pause: PauseCount; typed: TypedCount }> {
  const { binDir } = await ensureClaude(PINNED_CLAUDE_VERSION);
  const cwd = join(world.home, 'agent-project');
  mkdirSync(cwd, { recursive: true });
  const session = `bench-claude-${path}`;
  const apis: FakeAnthropicApi[] = [];
  const watches: StatusWatch[] = [];
  try {
    for (let i = 0; i < TERMINALS; i++) apis.push(await startFakeAnthropicApi({ defaultReply: { kind: 'dynamic', make: (body) => replyTo(lastUserText(body)) } }));
    const terminals = await launchSession(client, session, (i) => ({ provider: 'claude_code', cwd, launchEnv: claudeEnv(binDir, apis[i].url, path) }), TERMINALS);
    const agents: Agent[] = [];
    for (const [i, terminal] of terminals.entries()) {
      const watch = await StatusWatch.open(client, terminal.id);
      watches.push(watch);
      agents.push({ terminal, api: apis[i], watch });
    }
    const pause: PauseCount = { tries: 0, falseCompleted: 0, falses: [] };
    await Promise.all(agents.map(async (a, i) => {
      for (let n = i; n < TRIES; n += TERMINALS) await pauseTry(world, client, a, n, pause);
    }));
    const typed: TypedCount = { tries: 0, followed: 0, notSubmitted: 0, missed: [] };
    await Promise.all(agents.map(async (a, i) => {
      for (let n = i; n < TYPED_TRIES; n += TERMINALS) await typedTry(world, client, a, n, typed);
    }));
    return { pause, typed };
  } finally {
    for (const w of watches) w.close();
    await closeSession(client, session);
    await Promise.all(apis.map((api) => api.close()));
  }
}

export async function measureClaudePauseAndTyped(world: BenchWorld, client: DaemonClient): Promise<Figure[]> {
  // One path after the other: eight Claude Codes at once would load two cores past what is measured.
  const events = await pathRuns(world, client, 'events');
  const screen = await pathRuns(world, client, 'screen');
  const agent = `Claude Code ${PINNED_CLAUDE_VERSION}`;
  const followed = (c: TypedCount) => Math.round((c.followed / c.tries) * 1000) / 10;
  return [
    pauseFigure('agent_pause_false_completed_claude', agent, { events: events.pause, screen: screen.pause }),
    {
      id: 'agent_typed_prompt_followed',
      label: `hand-typed prompt followed to completed with its answer, ${agent} (${events.typed.tries} tries)`,
      unit: '%',
      value: followed(events.typed),
      baseline: followed(screen.typed),
      baselineLabel: 'screen only',
      ratio: null,
      goal: '100 %',
      met: events.typed.followed === events.typed.tries,
      detail: { events: events.typed, screenOnly: screen.typed },
    },
  ];
}
