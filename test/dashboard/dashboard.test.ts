import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ApprovalRecord } from '../../src/approval/schema.js';
import type { DaemonClient } from '../../src/cli/client.js';
import type { TerminalRecord } from '../../src/terminal/schema.js';
import { openEvents } from '../../src/cli/events.js';
import { writeFakeProfile } from '../helpers/agents.js';
import { TestEnv } from '../helpers/env.js';
import { armMarker, liveText, logIn, loginUrl, openBrowser, screenshot, shownAt, type TestBrowser } from './browser.js';

/** One daemon, one shell terminal and one browser for the whole file. */
let env: TestEnv;
let client: DaemonClient;
let shell: TerminalRecord;
let browser: TestBrowser;
let page: Page;

const unique = (prefix: string) => `${prefix}${randomBytes(3).toString('hex')}`;

async function paneText(pane: string): Promise<string> {
  return String((await env.tmux(['capture-pane', '-p', '-t', pane])).stdout);
}

/** Types into the pane behind the conductor's back, as the agent printing would. */
async function typeInPane(pane: string, text: string): Promise<void> {
  await env.tmux(['send-keys', '-t', pane, '-l', text]);
  await env.tmux(['send-keys', '-t', pane, 'Enter']);
}

async function openTerminal(id: string): Promise<void> {
  await page.getByTestId('tab-terminals').click();
  await page.locator(`[data-testid=terminal-row][data-id="${id}"]`).click();
  await page.locator(`[data-testid=live][data-state=live]`).waitFor();
}

beforeAll(async () => {
  env = new TestEnv();
  client = await env.client();
  shell = await env.launch(['--provider', 'shell']);
  browser = await openBrowser();
  await browser.context.grantPermissions(['notifications']);
  // Records the page's notifications: headless Chromium shows none.
  await browser.context.addInitScript(() => {
    const shown: Array<{ title: string; body?: string }> = [];
    class Recorded {
      static permission = 'granted';
      static requestPermission = async () => 'granted';
      constructor(title: string, opts?: { body?: string }) {
        shown.push({ title, body: opts?.body });
      }
    }
    Object.assign(window, { Notification: Recorded, shownNotifications: shown });
  });
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await env?.cleanup();
});

describe('the web dashboard', () => {
  it('logs in through `conductor dashboard --url`, drops the code from the address bar, and lists the shell terminal with its status', async () => {
    const url = await loginUrl(env);
    expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${client.state.port}/login#code=[A-Za-z0-9_-]{20,}$`));
    await page.goto(url);
    await page.locator('[data-testid=app][data-ready=true]').waitFor();
    expect(page.url()).toBe(`http://127.0.0.1:${client.state.port}/`);
    const row = page.locator(`[data-testid=terminal-row][data-id="${shell.id}"]`);
    await expect.poll(() => row.getByTestId('status').getAttribute('data-status')).toBe('idle');
    await expect.poll(() => row.innerText()).toContain('shell');
    const cookies = await browser.context.cookies();
    const session = cookies.find((c) => c.name === `conductor_session_${client.state.port}`);
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  });

  it('a used login link, or a made-up one, gets a page that says so and how to get a new one', async () => {
    const url = await loginUrl(env);
    const other = await browser.context.newPage();
    try {
      await other.goto(url);
      await other.locator('[data-testid=app]').waitFor();
      await other.goto(url);
      await expect.poll(() => other.getByTestId('login-failed-reason').innerText()).toMatch(/already used.*conductor dashboard/);
      expect(other.url()).not.toContain('code=');
      await screenshot(other, 'login-link-used');
      await other.goto(`http://127.0.0.1:${client.state.port}/login#code=${'x'.repeat(43)}`);
      await expect.poll(() => other.getByTestId('login-failed-reason').innerText()).toMatch(/not valid/);
    } finally {
      await other.close();
    }
  });

  it('shows a new line of the pane in the live view within 1 s', async () => {
    await openTerminal(shell.id);
    const marker = unique('live');
    await armMarker(page, `${marker}done`, 5000);
    const started = Date.now();
    await typeInPane(shell.tmuxPane, `echo ${marker}done`);
    const shown = await shownAt(page, `${marker}done`);
    expect(shown - started).toBeLessThan(1000);
    await expect.poll(() => liveText(page)).toContain(`${marker}done`);
  });

  it('typing into the live view, and into the input box, reaches the pane verbatim', async () => {
    await openTerminal(shell.id);
    const word = unique('typed');
    await page.locator('[data-testid=live] .xterm').click();
    await page.keyboard.type(`echo "${word} 'q' $((6*7)) ü;"`);
    await page.keyboard.press('Enter');
    await expect.poll(() => paneText(shell.tmuxPane), { timeout: 10_000 }).toContain(`${word} 'q' 42 ü;`);
    expect(await paneText(shell.tmuxPane)).toContain(`echo "${word} 'q' $((6*7)) ü;"`);

    const boxed = unique('boxed');
    const line = `printf '%s|%s\\n' "${boxed}" '$HOME \\ "x"'`;
    await page.getByTestId('send-text').fill(line);
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByTestId('view-note').innerText()).toBe('sent');
    const pane = await paneText(shell.tmuxPane);
    expect(pane).toContain(line);
    expect(pane).toContain(`${boxed}|$HOME \\ "x"`);
    await expect.poll(() => liveText(page)).toContain(`${boxed}|$HOME`);
    await screenshot(page, 'terminals');
  });

  it('Approve decides a pending request, the requester gets the decision, and a request decided elsewhere first says by whom', async () => {
    const request = await client.post<ApprovalRecord>('/approvals', { action: 'git push origin main', reason: 'publish the fix', requester: shell.id });
    const decision = client.get<ApprovalRecord>(`/approvals/${request.id}?wait=30000`);
    await page.getByTestId('tab-approvals').click();
    const card = page.locator(`[data-testid=approval][data-id="${request.id}"]`);
    await expect.poll(() => card.innerText()).toContain('git push origin main');
    await expect.poll(() => card.getByTestId('requester-screen').innerText()).toContain('[conductor]');
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { shownNotifications: Array<{ title: string }> }).shownNotifications.map((n) => n.title)))
      .toContain('An approval waits for you');
    await screenshot(page, 'approvals');
    await card.getByTestId('approval-note').fill('looks right');
    await card.getByTestId('approve').click();
    const decided = await decision;
    expect(decided).toMatchObject({ state: 'approved', decidedBy: 'human (dashboard)', note: 'looks right' });
    await expect.poll(() => card.getByTestId('approval-result').innerText()).toBe('approved by human (dashboard)');
    const again = await env.cli(['deny', request.id]);
    expect(again.exitCode).toBe(4);
    expect(again.stderr).toContain('already approved by human (dashboard)');

    // Another human decides while the page still shows the request: the page says who did.
    const second = await client.post<ApprovalRecord>('/approvals', { action: 'rm -rf build', reason: 'clean up', requester: shell.id });
    const card2 = page.locator(`[data-testid=approval][data-id="${second.id}"]`);
    await card2.waitFor();
    await page.route(`**/approvals/${second.id}/decision`, async (route) => {
      await env.cliOk(['approve', second.id, '--note', 'from the terminal']);
      await route.continue();
    });
    await card2.getByTestId('deny').click();
    await expect.poll(() => card2.getByTestId('approval-result').innerText()).toMatch(/already approved by human.*that decision stands/);
    expect((await client.get<ApprovalRecord>(`/approvals/${second.id}`)).state).toBe('approved');
    await expect.poll(() => page.getByTestId('audit').innerText()).toContain(second.id);
  });

  it('a lost event stream reconnects with Last-Event-ID and replays what happened meanwhile, without gaps', async () => {
    await page.getByTestId('tab-terminals').click();
    await expect.poll(() => page.getByTestId('connection').innerText()).toBe('live');
    type Probe = { conductorDashboard: { eventIds: number[]; pauseEvents(): void; resumeEvents(): void } };
    const lastSeen = await page.evaluate(() => {
      const probe = (window as unknown as Probe).conductorDashboard;
      probe.pauseEvents();
      return probe.eventIds.at(-1) ?? 0;
    });
    await expect.poll(() => page.getByTestId('connection').innerText()).toBe('reconnecting…');
    // While the page is cut off: a terminal starts and an approval is filed.
    const missed = await env.launch(['--provider', 'shell']);
    const request = await client.post<ApprovalRecord>('/approvals', { action: 'deploy', reason: 'while the page was away' });
    const stored: number[] = [];
    const events = await openEvents(client, { since: lastSeen });
    try {
      for (let e = await events.next(); e; e = await events.next()) {
        stored.push(e.id);
        if (e.type === 'approval.requested' && e.data.approvalId === request.id) break;
      }
    } finally {
      events.close();
    }
    expect(stored.length).toBeGreaterThanOrEqual(3);
    expect(await page.getByTestId('connection').innerText()).toBe('reconnecting…');
    const received = () => page.evaluate((after) => (window as unknown as Probe).conductorDashboard.eventIds.filter((id) => id > after), lastSeen);
    await page.evaluate(() => (window as unknown as Probe).conductorDashboard.resumeEvents());
    await expect.poll(async () => (await received()).slice(0, stored.length)).toEqual(stored);
    const all = await received();
    expect(new Set(all).size).toBe(all.length);
    await page.locator(`[data-testid=terminal-row][data-id="${missed.id}"]`).waitFor();
    await client.post(`/approvals/${request.id}/decision`, { decision: 'deny', note: 'test over' });
    await client.delete(`/terminals/${missed.id}`);
  });

  it('a terminal waiting for input stands out in the list, with a notification', async () => {
    const asking = await env.launch(['--provider', 'shell']);
    await page.getByTestId('tab-terminals').click();
    await typeInPane(asking.tmuxPane, 'echo "unterminated');
    const row = page.locator(`[data-testid=terminal-row][data-id="${asking.id}"]`);
    await expect.poll(() => row.getAttribute('class'), { timeout: 10_000 }).toContain('waiting');
    expect(await row.getByTestId('status').getAttribute('data-status')).toBe('waiting_input');
    await expect.poll(() => page.getByTestId('badge-terminals').innerText()).toBe('1');
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { shownNotifications: Array<{ title: string }> }).shownNotifications.map((n) => n.title)))
      .toContain(`Terminal ${asking.id} waits for input`);
    await screenshot(page, 'waiting-input');
    await client.delete(`/terminals/${asking.id}`);
  });

  it('the inbox shows messages with their delivery state', async () => {
    const word = unique('inbox');
    await env.cliOk(['send', '--queue', shell.id, `echo ${word}`]);
    await openTerminal(shell.id);
    const message = page.getByTestId('message').filter({ hasText: word });
    await expect.poll(() => message.innerText(), { timeout: 10_000 }).toContain('delivered');
    await expect.poll(() => liveText(page)).toContain(word);
  });

  it('launches a terminal from the form, sends its first prompt once ready, and shows it live', async () => {
    await page.getByTestId('tab-launch').click();
    const word = unique('launched');
    await page.getByTestId('launch-name').fill('from-the-page');
    await page.getByTestId('launch-cwd').fill(env.home);
    await page.getByTestId('launch-prompt').fill(`echo ${word}`);
    await screenshot(page, 'launch');
    await page.getByTestId('launch-submit').click();
    const view = page.getByTestId('terminal-view');
    await view.waitFor();
    await expect.poll(() => liveText(page), { timeout: 15_000 }).toContain(`${word}\n`);
    const session = (await env.sessions()).find((s) => s.name === 'from-the-page');
    expect(session?.terminals[0].provider).toBe('shell');
    expect(await view.getAttribute('data-id')).toBe(session?.terminals[0].id);
  });

  it('lists flows with their next and last run; disable, enable and run now act on the daemon', async () => {
    writeFakeProfile(env, 'flowbot', []);
    writeFileSync(join(env.home, 'gate.sh'), `echo '{"execute": false, "output": {"reason": "no new commits"}}'\n`);
    const file = join(env.home, 'nightly.md');
    writeFileSync(file, `---\nname: nightly\ndescription: nothing to do tonight\nschedule: "0 3 * * *"\nprofile: flowbot\nscript: sh gate.sh\n---\nReview.\n`);
    await env.cliOk(['flow', 'add', file]);
    await page.getByTestId('tab-flows').click();
    const row = page.locator('[data-testid=flow][data-name=nightly]');
    await expect.poll(() => row.getByTestId('flow-enabled').innerText()).toBe('yes');
    const enabled = async () => (JSON.parse(await env.cliOk(['flow', 'list', '--json'])) as { flows: Array<{ name: string; enabled: boolean }> }).flows.find((f) => f.name === 'nightly')?.enabled;
    await row.getByTestId('flow-disable').click();
    await expect.poll(enabled).toBe(false);
    await row.getByTestId('flow-enable').click();
    await expect.poll(enabled).toBe(true);
    await row.getByTestId('flow-run').click();
    await expect.poll(() => row.innerText(), { timeout: 10_000 }).toContain('skipped');
    await screenshot(page, 'flows');
  });

  it('renders colours in the live view (the README screenshot)', async () => {
    // The README's picture shows a tidy project, not this test's temporary folders.
    await client.delete('/terminals');
    const project = join(env.home, 'demo-project');
    mkdirSync(project);
    const worker = await env.launch(['--provider', 'shell', '--cwd', project, '-s', 'web-app']);
    await env.launch(['--provider', 'shell', '--cwd', project, '-s', 'reviews']);
    await openTerminal(worker.id);
    await typeInPane(worker.tmuxPane, `printf '\\033[1;32m%s\\033[0m \\033[33m%s\\033[0m \\033[31m%s\\033[0m\\n' 'all-green' 'two-yellow' 'one-red'`);
    await expect.poll(() => liveText(page)).toContain('all-green two-yellow one-red');
    const green = page.locator('[data-testid=live] .xterm-rows span', { hasText: 'all-green' }).last();
    expect(await green.evaluate((el) => getComputedStyle(el).color)).not.toBe(await page.locator('[data-testid=live] .xterm-rows').evaluate((el) => getComputedStyle(el).color));
    await screenshot(page, 'dashboard');
  });
});
