import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { provider as shell } from '../providers/shell.js';
import type { DaemonClient } from '../src/cli/client.js';
import { waitForStatus } from '../src/cli/events.js';
import type { SessionRecord, TerminalRecord } from '../src/terminal/schema.js';
import type { PaneProbe } from './probe.js';
import { ratioOf, type Figure } from './report.js';
import { summarise, type Summary } from './stats.js';
import type { BenchWorld } from './world.js';

const SAMPLES = 30;
const WARMUP = 3;
/** After a conductor sample: the shell's quiet window plus a judgement, so the next one starts idle. */
const CONDUCTOR_GAP_MS = 250;
const FLOOR_GAP_MS = 60;
/**
 * Between two looks at the pane: ~1 ms of resolution without a busy core. Back-to-back polling
 * kept the probe and the tmux server on a core each and slowed the conductor (more processes
 * per send) far more than the floor: its p50 went from ~18 to ~30 ms on a 2-core machine.
 */
const POLL_PAUSE_MS = 1;

interface Sample {
  visible: number;
  /** When the HTTP call (or the tmux command, for the floor) returned. */
  returned: number;
}

/** Times from starting `action` until `marker` shows in `pane`, and until `action` itself returned. */
async function timeUntilVisible(probe: PaneProbe, pane: string, marker: string, action: () => Promise<unknown>): Promise<Sample> {
  const t0 = performance.now();
  let returned = Number.NaN;
  const done = action().then(() => (returned = performance.now() - t0));
  const seen = await probe.waitFor(pane, marker, { pauseMs: POLL_PAUSE_MS });
  await done;
  return { visible: seen - t0, returned };
}

const uniqueMarker = (i: number) => `bm${i}q${randomBytes(3).toString('hex')}`;

/** A plain tmux pane with the same shell and prompt as the conductor's `shell` terminal, outside the conductor. */
async function openFloorPane(world: BenchWorld, probe: PaneProbe): Promise<string> {
  const spec = shell.launch({ terminalId: 'floor', cwd: world.home, runtimeDir: world.home, mcp: { command: '', args: [], env: {} }, baseEnv: process.env });
  const envArgs = Object.entries(spec.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const out = await world.tmuxOk([
    'new-session', '-d', '-P', '-F', '#{pane_id}', '-s', 'bench-floor', '-x', '200', '-y', '50', '-c', world.home,
    ...envArgs, '--', ...spec.argv,
  ]);
  const pane = out.trim();
  await probe.waitFor(pane, '[conductor]');
  return pane;
}

function floorPaste(world: BenchWorld, pane: string, text: string, enter: boolean) {
  const buffer = `bench-${randomBytes(3).toString('hex')}`;
  const args = ['load-buffer', '-b', buffer, '-', ';', 'paste-buffer', '-p', '-d', '-b', buffer, '-t', pane];
  if (enter) args.push(';', 'send-keys', '-t', pane, 'Enter');
  return world.tmuxOk(args, text);
}

interface Series {
  conductor: Sample[];
  floor: Sample[];
}

/**
 * Send-to-visible latency: POST /terminals/:id/input into an idle `shell` terminal until the
 * text shows in its pane, against tmux load-buffer + paste-buffer into a plain pane.
 * `enter: false` looks for the pasted text; `enter: true` for the output of the submitted command.
 */
export async function measureSendLatency(
  world: BenchWorld,
  client: DaemonClient,
  probe: PaneProbe,
  sessionName = 'bench-send',
): Promise<{ figures: Figure[]; terminalId: string }> {
  const created = await client.post<{ session: SessionRecord; terminal: TerminalRecord }>('/sessions', {
    name: sessionName,
    provider: 'shell',
    cwd: world.home,
  });
  const terminal = created.terminal;
  await waitForStatus(client, terminal.id, (s) => s === 'idle', 15_000);
  const floorPane = await openFloorPane(world, probe);

  const paste: Series = { conductor: [], floor: [] };
  const enter: Series = { conductor: [], floor: [] };

  // Paste only: the marker is the pasted text; the line is cleared afterwards (C-u).
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const keep = i >= WARMUP;
    let marker = uniqueMarker(i);
    const c = await timeUntilVisible(probe, terminal.tmuxPane, marker, () =>
      client.post(`/terminals/${terminal.id}/input`, { text: marker, enter: false }),
    );
    await world.tmuxOk(['send-keys', '-t', terminal.tmuxPane, 'C-u']);
    await sleep(CONDUCTOR_GAP_MS);
    marker = uniqueMarker(i);
    const f = await timeUntilVisible(probe, floorPane, marker, () => floorPaste(world, floorPane, marker, false));
    await world.tmuxOk(['send-keys', '-t', floorPane, 'C-u']);
    await sleep(FLOOR_GAP_MS);
    if (keep) {
      paste.conductor.push(c);
      paste.floor.push(f);
    }
  }

  // Paste and Enter: the marker is what the command prints, so it shows only once submitted.
  const command = (marker: string) => `printf 'bm%s\\n' ${marker.slice(2)}`;
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const keep = i >= WARMUP;
    let marker = uniqueMarker(i);
    const c = await timeUntilVisible(probe, terminal.tmuxPane, marker, () =>
      client.post(`/terminals/${terminal.id}/input`, { text: command(marker), enter: true }),
    );
    await waitForStatus(client, terminal.id, (s) => s === 'completed' || s === 'idle', 10_000);
    await sleep(CONDUCTOR_GAP_MS);
    marker = uniqueMarker(i);
    const f = await timeUntilVisible(probe, floorPane, marker, () => floorPaste(world, floorPane, command(marker), true));
    await sleep(FLOOR_GAP_MS);
    if (keep) {
      enter.conductor.push(c);
      enter.floor.push(f);
    }
  }
  await world.tmux(['kill-session', '-t', '=bench-floor']);

  return { figures: [...figuresFor('send_paste', 'paste (enter:false)', paste), ...figuresFor('send_enter', 'paste+Enter (enter:true)', enter)], terminalId: terminal.id };
}

function figuresFor(id: string, what: string, s: Series): Figure[] {
  const c = summarise(s.conductor.map((x) => x.visible));
  const f = summarise(s.floor.map((x) => x.visible));
  const detail: Record<string, Summary | number> = {
    conductorVisible: c,
    floorVisible: f,
    conductorHttpReturned: summarise(s.conductor.map((x) => x.returned)),
    floorTmuxReturned: summarise(s.floor.map((x) => x.returned)),
    shellSettleDelayMs: shell.settleDelayMs,
  };
  return [
    {
      id: `${id}_p50`,
      label: `send-to-visible, ${what}, p50`,
      unit: 'ms',
      value: c.p50,
      baseline: f.p50,
      baselineLabel: 'raw tmux',
      ratio: ratioOf(c.p50, f.p50),
      goal: 'ratio <= 3',
      met: ratioOf(c.p50, f.p50) <= 3,
      detail,
    },
    {
      id: `${id}_p99`,
      label: `send-to-visible, ${what}, p99`,
      unit: 'ms',
      value: c.p99,
      baseline: f.p99,
      baselineLabel: 'raw tmux',
      ratio: ratioOf(c.p99, f.p99),
      goal: null,
      met: null,
      detail,
    },
  ];
}
