import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DaemonClient } from '../src/cli/client.js';
import type { SessionRecord, TerminalRecord } from '../src/terminal/schema.js';
import type { Figure } from './report.js';
import type { BenchWorld } from './world.js';

const TERMINALS = 50;
// Long enough that a one-off garbage collection does not pass for a steady cost, short enough for the bench.
const WINDOW_MS = 30_000;
const GOAL_CPU_PERCENT = 1;
/** After the last launch (or shutdown) settled: lets the last judgements and the garbage collector's heap shrink (seen 7-8 s after activity) pass, so the window shows the steady cost. */
const SETTLE_MS = 8000;

export const clockTicks = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/** utime + stime of a process, in clock ticks (/proc/<pid>/stat fields 14 and 15). */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Field 2 (comm) may hold spaces: count from after its closing parenthesis (field 3 is rest[0]).
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]);
}

export function rssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : Number.NaN;
}

interface CpuWindow {
  /** Per process, percent of one core over the window. */
  percent: number[];
  /** Per process, clock ticks used in each second of the window: shows whether the cost is steady or one burst. */
  ticksPerSecond: number[][];
}

async function cpuOver(pids: number[], ms: number): Promise<CpuWindow> {
  const start = pids.map(cpuTicks);
  const ticksPerSecond: number[][] = pids.map(() => []);
  const t0 = performance.now();
  let previous = start;
  for (let s = 0; s < Math.ceil(ms / 1000); s++) {
    await sleep(Math.min(1000, ms - s * 1000));
    const now = pids.map(cpuTicks);
    now.forEach((t, i) => ticksPerSecond[i].push(t - previous[i]));
    previous = now;
  }
  const elapsedS = (performance.now() - t0) / 1000;
  const percent = pids.map((_, i) => Math.round(((previous[i] - start[i]) / clockTicks / elapsedS) * 100 * 100) / 100);
  return { percent, ticksPerSecond };
}

async function waitAllIdle(client: DaemonClient, session: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { terminals } = await client.get<{ terminals: TerminalRecord[] }>('/terminals');
    const mine = terminals.filter((t) => t.sessionName === session);
    if (mine.length === TERMINALS && mine.every((t) => t.status === 'idle')) return;
    if (Date.now() > deadline) {
      const counts = mine.reduce<Record<string, number>>((acc, t) => ({ ...acc, [t.status]: (acc[t.status] ?? 0) + 1 }), {});
      throw new Error(`not all ${TERMINALS} terminals went idle: ${JSON.stringify(counts)}`);
    }
    await sleep(250);
  }
}

/**
 * The daemon's CPU time and memory with 50 idle `shell` terminals, against the same daemon with
 * none, each over the same window. Terminals left from earlier measurements are shut down first.
 */
export async function measureIdleCpu(world: BenchWorld, client: DaemonClient, leftovers: string[]): Promise<Figure[]> {
  for (const id of leftovers) await client.delete(`/terminals/${id}`);
  const daemon = world.daemonPid;
  const tmuxServer = Number((await world.tmuxOk(['display-message', '-p', '#{pid}'])).trim());
  const pids = [daemon, tmuxServer];

  await sleep(SETTLE_MS);
  const idle = await cpuOver(pids, WINDOW_MS);
  const [idleDaemon, idleTmux] = idle.percent;
  const idleRss = rssMb(daemon);

  const t0 = performance.now();
  await client.post<{ session: SessionRecord }>('/sessions', { name: 'bench-idle', provider: 'shell', cwd: world.home });
  for (let i = 1; i < TERMINALS; i++) {
    await client.post<TerminalRecord>('/sessions/bench-idle/terminals', { provider: 'shell', cwd: world.home });
  }
  const launchMs = performance.now() - t0;
  await waitAllIdle(client, 'bench-idle', 60_000);
  const allIdleMs = performance.now() - t0;

  await sleep(SETTLE_MS);
  const loaded = await cpuOver(pids, WINDOW_MS);
  const [busyDaemon, busyTmux] = loaded.percent;
  const loadedRss = rssMb(daemon);

  const detail = {
    terminals: TERMINALS,
    windowMs: WINDOW_MS,
    clockTicksPerSecond: clockTicks,
    launch50Ms: Math.round(launchMs),
    allIdleAfterMs: Math.round(allIdleMs),
    daemonCpuPercent: { zeroTerminals: idleDaemon, fiftyTerminals: busyDaemon },
    tmuxServerCpuPercent: { zeroTerminals: idleTmux, fiftyTerminals: busyTmux },
    daemonRssMb: { zeroTerminals: idleRss, fiftyTerminals: loadedRss },
    daemonTicksPerSecond: { zeroTerminals: idle.ticksPerSecond[0], fiftyTerminals: loaded.ticksPerSecond[0] },
  };
  const base = { ratio: null, baselineLabel: '0 terminals', detail };
  return [
    { ...base, id: 'idle_daemon_cpu', label: `daemon CPU, ${TERMINALS} idle terminals, ${WINDOW_MS / 1000} s`, unit: '%', value: busyDaemon, baseline: idleDaemon, goal: `< ${GOAL_CPU_PERCENT} %`, met: busyDaemon < GOAL_CPU_PERCENT },
    { ...base, id: 'idle_daemon_rss', label: `daemon RSS, ${TERMINALS} idle terminals`, unit: 'MB', value: loadedRss, baseline: idleRss, goal: null, met: null },
    { ...base, id: 'idle_tmux_cpu', label: `tmux server CPU, ${TERMINALS} idle terminals`, unit: '%', value: busyTmux, baseline: idleTmux, goal: null, met: null },
  ];
}
