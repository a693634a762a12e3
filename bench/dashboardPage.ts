import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { DaemonClient } from '../src/cli/client.js';

/** Debian's chromium, as in the dashboard tests. */
const CHROMIUM = process.env.CONDUCTOR_TEST_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface BenchBrowser {
  page: Page;
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile, logged in to the dashboard through a one-time link. */
export async function openDashboard(client: DaemonClient): Promise<BenchBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'conductor-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  const { url } = await client.post<{ url: string }>('/dashboard/codes');
  await page.goto(url);
  await page.locator('[data-testid=app][data-ready=true]').waitFor({ timeout: 15_000 });
  return {
    page,
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable between this process and the page. */
export const epochNow = () => performance.timeOrigin + performance.now();

/** Starts watching the live view for `marker`; `markerShownAt` resolves with the epoch time it first showed. */
export async function armMarker(page: Page, marker: string, timeoutMs = 10_000): Promise<void> {
  await page.evaluate(`(() => {
    const marker = ${JSON.stringify(marker)};
    window.benchMarkers ??= {};
    window.benchMarkers[marker] = new Promise((resolve, reject) => {
      const rows = document.querySelector('[data-testid=live] .xterm-rows');
      if (!rows) return reject(new Error('no live view'));
      const now = () => performance.timeOrigin + performance.now();
      const seen = () => (rows.textContent ?? '').includes(marker);
      if (seen()) return resolve(now());
      const observer = new MutationObserver(() => {
        if (!seen()) return;
        observer.disconnect();
        clearTimeout(timer);
        resolve(now());
      });
      const timer = setTimeout(() => { observer.disconnect(); reject(new Error(marker + ' never showed')); }, ${timeoutMs});
      observer.observe(rows, { childList: true, subtree: true, characterData: true });
    });
  })()`);
}

export function markerShownAt(page: Page, marker: string): Promise<number> {
  return page.evaluate(`window.benchMarkers[${JSON.stringify(marker)}]`) as Promise<number>;
}

/**
 * Clicks a terminal's row inside the page and times until the view shows that terminal, in the
 * page's own clock: what a person waits for, without the driver's round trips.
 */
export function timeClick(page: Page, terminalId: string): Promise<number> {
  return page.evaluate(`new Promise((resolve, reject) => {
    const id = ${JSON.stringify(terminalId)};
    const row = document.querySelector('[data-testid=terminal-row][data-id="' + id + '"]');
    if (!row) return reject(new Error('no row for ' + id));
    const shown = () => document.querySelector('[data-testid=terminal-view]')?.getAttribute('data-id') === id;
    const t0 = performance.now();
    const observer = new MutationObserver(() => {
      if (!shown()) return;
      observer.disconnect();
      requestAnimationFrame(() => resolve(performance.now() - t0));
    });
    observer.observe(document.body, { childList: true, subtree: true, attributes: true });
    row.click();
  })`) as Promise<number>;
}

/** The built page's files, gzipped one by one, in KB: what a browser downloads. */
export function shippedGzipKb(webRoot: string): { kb: number; files: Record<string, number> } {
  const files: Record<string, number> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else files[full.slice(webRoot.length + 1)] = Math.round((gzipSync(readFileSync(full), { level: 9 }).length / 1024) * 10) / 10;
    }
  };
  walk(webRoot);
  return { kb: Math.round(Object.values(files).reduce((a, b) => a + b, 0) * 10) / 10, files };
}
