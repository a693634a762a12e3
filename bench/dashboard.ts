import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DaemonClient } from '../src/cli/client.js';
import { waitForStatus } from '../src/cli/events.js';
import type { SessionRecord, TerminalRecord } from '../src/terminal/schema.js';
import { armMarker, epochNow, markerShownAt, openDashboard, shippedGzipKb, timeClick } from './dashboardPage.js';
import type { PaneProbe } from './probe.js';
import type { Figure } from './report.js';
import { summarise } from './stats.js';
import type { BenchWorld } from './world.js';

const OUTPUT_SAMPLES = 30;
const LOAD_SAMPLES = 5;
const CLICK_SAMPLES = 12;
const STREAMING_TERMINALS = 20;
const SIZE_GOAL_KB = 400;

async function shellTerminal(client: DaemonClient, world: BenchWorld, name: string): Promise<TerminalRecord> {
  const { terminal } = await client.post<{ session: SessionRecord; terminal: TerminalRecord }>('/sessions', { name, provider: 'shell', cwd: world.home });
  await waitForStatus(client, terminal.id, (s) => s === 'idle', 15_000);
  return terminal;
}

/** Text pasted into the pane by tmux itself, behind the conductor: the shell echoes it at its prompt. */
function paste(world: BenchWorld, pane: string, text: string): Promise<string> {
  const buffer = `bench-${randomBytes(3).toString('hex')}`;
  return world.tmuxOk(['load-buffer', '-b', buffer, '-', ';', 'paste-buffer', '-d', '-b', buffer, '-t', pane], text);
}

async function openLive(page: import('playwright-core').Page, id: string): Promise<void> {
  await page.locator(`[data-testid=terminal-row][data-id="${id}"]`).click();
  await page.locator(`[data-testid=terminal-view][data-id="${id}"] [data-testid=live][data-state=live]`).waitFor({ timeout: 10_000 });
}

/**
 * The dashboard in real Chromium: pane output to visible in the live view (the floor: the same
 * paste seen in the pane itself), first load to an interactive terminal list, the shipped
 * page's gzipped size, and how fast a click answers while 20 terminals stream output.
 */
export async function measureDashboard(world: BenchWorld, client: DaemonClient, probe: PaneProbe): Promise<Figure[]> {
  const first = await shellTerminal(client, world, 'bench-dash');
  const browser = await openDashboard(client);
  const { page } = browser;
  const started: string[] = [first.id];
  try {
    // Pane output to visible.
    await openLive(page, first.id);
    const floor: number[] = [];
    const dashboard: number[] = [];
    for (let i = 0; i < OUTPUT_SAMPLES + 3; i++) {
      const marker = `dm${i}x${randomBytes(3).toString('hex')}`;
      await armMarker(page, marker);
      const t0 = epochNow();
      const t0Perf = performance.now();
      await paste(world, first.tmuxPane, marker);
      const inPane = await probe.waitFor(first.tmuxPane, marker, { pauseMs: 1 });
      const inPage = await markerShownAt(page, marker);
      if (i >= 3) {
        floor.push(inPane - t0Perf);
        dashboard.push(inPage - t0);
      }
      await world.tmuxOk(['send-keys', '-t', first.tmuxPane, 'C-u']);
      await sleep(60);
    }

    // First load to an interactive list: a reload with the session, until the rows can be clicked.
    const loads: number[] = [];
    for (let i = 0; i < LOAD_SAMPLES; i++) {
      const t0 = performance.now();
      await page.goto(new URL('/', page.url()).toString());
      await page.locator('[data-testid=app][data-ready=true] [data-testid=terminal-row]').first().waitFor({ timeout: 10_000 });
      loads.push(performance.now() - t0);
    }

    // A click while nothing streams (the baseline), then with every terminal printing.
    for (let i = 1; i < STREAMING_TERMINALS; i++) started.push((await shellTerminal(client, world, `bench-dash-${i}`)).id);
    await page.locator(`[data-testid=terminal-row][data-id="${started.at(-1)}"]`).waitFor({ timeout: 15_000 });
    const clicks = async () => {
      const times: number[] = [];
      for (let i = 0; i < CLICK_SAMPLES; i++) {
        times.push(await timeClick(page, started[(i % (started.length - 1)) + 1]));
        await sleep(100);
      }
      return times;
    };
    const quietClicks = await clicks();
    const records = await Promise.all(started.map((id) => client.get<TerminalRecord>(`/terminals/${id}`)));
    for (const t of records) {
      await world.tmuxOk(['send-keys', '-t', t.tmuxPane, '-l', 'while :; do echo "stream $RANDOM $(date +%s%N)"; sleep 0.05; done']);
      await world.tmuxOk(['send-keys', '-t', t.tmuxPane, 'Enter']);
    }
    await openLive(page, started[0]);
    await sleep(2000); // let every terminal be streaming and busy before timing
    const streamingClicks = await clicks();

    const size = shippedGzipKb(join(world.repoRoot, 'dist', 'web'));
    const out = summarise(dashboard);
    const base = summarise(floor);
    const load = summarise(loads);
    const quiet = summarise(quietClicks);
    const busy = summarise(streamingClicks);
    return [
      { id: 'dashboard_output_p50', label: 'dashboard: pane output to visible, p50', unit: 'ms', value: out.p50, baseline: base.p50, baselineLabel: 'in the pane', ratio: null, goal: '<= 100 ms', met: out.p50 <= 100, detail: { dashboard: out, pane: base } },
      { id: 'dashboard_output_p99', label: 'dashboard: pane output to visible, p99', unit: 'ms', value: out.p99, baseline: base.p99, baselineLabel: 'in the pane', ratio: null, goal: '<= 300 ms', met: out.p99 <= 300, detail: { dashboard: out, pane: base } },
      { id: 'dashboard_first_load', label: 'dashboard: load to interactive terminal list, p50', unit: 'ms', value: load.p50, baseline: null, baselineLabel: null, ratio: null, goal: '<= 500 ms', met: load.p50 <= 500, detail: { load } },
      { id: 'dashboard_gzip_size', label: 'dashboard: shipped front-end, gzipped', unit: 'KB', value: size.kb, baseline: null, baselineLabel: null, ratio: null, goal: `<= ${SIZE_GOAL_KB} KB`, met: size.kb <= SIZE_GOAL_KB, detail: size.files },
      { id: 'dashboard_click_streaming', label: `dashboard: click answers, ${STREAMING_TERMINALS} terminals streaming, p99`, unit: 'ms', value: busy.p99, baseline: quiet.p99, baselineLabel: 'none streaming', ratio: null, goal: '<= 100 ms', met: busy.p99 <= 100, detail: { streaming: busy, quiet } },
    ];
  } finally {
    await browser.close();
    // Stop the output loops first, so each shell takes its exit command at once.
    const records = await Promise.all(started.map((id) => client.get<TerminalRecord>(`/terminals/${id}`).catch(() => undefined)));
    for (const t of records) if (t) await world.tmux(['send-keys', '-t', t.tmuxPane, 'C-c']);
    await Promise.all(started.map((id) => client.delete(`/terminals/${id}`).catch(() => undefined)));
  }
}
