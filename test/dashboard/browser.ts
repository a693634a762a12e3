import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot, type TestEnv } from '../helpers/env.js';

/** Debian's chromium; playwright cannot download browsers here. */
export const CHROMIUM = process.env.CONDUCTOR_TEST_CHROMIUM ?? '/usr/bin/chromium';

export const screenshotDir = join(repoRoot, 'test', 'dashboard', 'screenshots');

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile of its own, removed on close. */
export async function openBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'conductor-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1600, height: 1000 },
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A fresh login link from the real CLI, as a person would get it. */
export async function loginUrl(env: TestEnv): Promise<string> {
  return (await env.cliOk(['dashboard', '--url'])).trim();
}

/** Logs the page in through `conductor dashboard --url` and waits for the terminal list and the live event stream. */
export async function logIn(env: TestEnv, page: Page): Promise<void> {
  await page.goto(await loginUrl(env));
  await page.locator('[data-testid=app][data-ready=true]').waitFor({ timeout: 10_000 });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const file = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Text the live view's xterm shows (its DOM renderer draws rows as text). */
export async function liveText(page: Page): Promise<string> {
  return page.locator('[data-testid=live] .xterm-rows').innerText();
}

/**
 * Starts watching the live view for `marker` with a MutationObserver (no polling interval adds
 * to the figure); `shownAt` then gives the Date.now() at which it first showed.
 */
export async function armMarker(page: Page, marker: string, timeoutMs: number): Promise<void> {
  await page.evaluate(
    ({ marker, timeoutMs }) => {
      const w = window as unknown as { markers?: Record<string, Promise<number>> };
      w.markers ??= {};
      w.markers[marker] = new Promise<number>((resolve, reject) => {
        const rows = document.querySelector('[data-testid=live] .xterm-rows');
        if (!rows) return reject(new Error('no live view'));
        const seen = () => (rows.textContent ?? '').includes(marker);
        if (seen()) return resolve(Date.now());
        const observer = new MutationObserver(() => {
          if (!seen()) return;
          observer.disconnect();
          clearTimeout(timer);
          resolve(Date.now());
        });
        const timer = setTimeout(() => {
          observer.disconnect();
          reject(new Error(`'${marker}' did not show in the live view within ${timeoutMs} ms`));
        }, timeoutMs);
        observer.observe(rows, { childList: true, subtree: true, characterData: true });
      });
    },
    { marker, timeoutMs },
  );
}

export function shownAt(page: Page, marker: string): Promise<number> {
  return page.evaluate((marker) => (window as unknown as { markers: Record<string, Promise<number>> }).markers[marker], marker);
}
