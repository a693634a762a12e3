import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminalRawLogPath } from '../../src/config/paths.js';
import { paneProcessTree } from '../../src/process/tree.js';
import type { SessionRecord, TerminalRecord } from '../../src/terminal/schema.js';
import { commandLine } from '../e2e/shared.js';
import { TestEnv } from '../helpers/env.js';
import { mcpClient, textOf, type ToolText } from '../helpers/mcp.js';
import { waitForFile } from '../helpers/wait.js';



describe('interrupt and keys', () => {
  const env = new TestEnv();

  beforeAll(async () => {
    await env.client();
  });
  afterAll(async () => {
    await env.cleanup();
  });

  /** A shell started by `caller`, as the MCP tools assign and handoff do. */
  async function shellStartedBy(caller: string | undefined, name: string): Promise<TerminalRecord> {
    const client = await env.client();
    const { terminal } = await client.post<{ terminal: TerminalRecord }>('/sessions', { provider: 'shell', name, cwd: env.home, ...(caller ? { callerTerminalId: caller } : {}) });
    return env.waitForStatus(terminal.id, ['idle']);
  }

  async function sleepsIn(t: TerminalRecord): Promise<boolean> {
    const pane = await env.tmux(['display-message', '-p', '-t', t.tmuxPane, '#{pane_pid}']);
    return paneProcessTree(Number(String(pane.stdout).trim())).some((pid) => /^sleep 60\b/.test(commandLine(pid)));
  }

  it("stops a shell's sleep 60 with C-c and confirms the shell left busy", async () => {
    const t = await env.launch(['--provider', 'shell', '--session', 'sleeper']);
    await env.cliOk(['send', t.id, 'sleep 60']);
    expect((await env.client().then((c) => c.get<TerminalRecord>(`/terminals/${t.id}`))).status).toBe('busy');
    expect(await sleepsIn(t)).toBe(true);
    const report = JSON.parse(await env.cliOk(['interrupt', t.id, '--json']));
    expect(report).toMatchObject({ terminalId: t.id, keys: ['C-c'], before: 'busy' });
    expect(['idle', 'completed']).toContain(report.status);
    expect(await sleepsIn(t)).toBe(false);
    const human = await env.cli(['interrupt', t.id]);
    expect(human.exitCode).toBe(0);
    expect(String(human.stdout)).toMatch(/was not busy/);
  });

  it('says clearly when the agent does not stop', async () => {
    const t = await env.launch(['--provider', 'shell', '--session', 'stubborn']);
    // An ignored SIGINT stays ignored in the child: C-c cannot stop this sleep.
    await env.cliOk(['send', t.id, "trap '' INT; sleep 60"]);
    const r = await env.cli(['interrupt', t.id, '--timeout', '1']);
    expect(r.exitCode).toBe(10);
    expect(String(r.stderr)).toMatch(new RegExp(`terminal ${t.id} is still busy 1 s after C-c: .*conductor attach ${t.id}`));
    await env.cliOk(['shutdown', t.id]);
  });

  it('refuses interrupting unknown or exited terminals', async () => {
    expect((await env.cli(['interrupt', 'deadbeef'])).exitCode).toBe(3);
    const t = await env.launch(['--provider', 'shell', '--session', 'gone']);
    await env.cliOk(['shutdown', t.id]);
    const r = await env.cli(['interrupt', t.id]);
    expect(r.exitCode).toBe(4);
    expect(String(r.stderr)).toMatch(/has exited: there is nothing to interrupt/);
  });

  it('presses keys by their tmux names and refuses unknown names before anything is sent', async () => {
    const t = await env.launch(['--provider', 'shell', '--session', 'keys']);
    const bad = await env.cli(['keys', t.id, 'Escpe']);
    expect(bad.exitCode).toBe(2);
    expect(String(bad.stderr)).toMatch(/'Escpe' is not a tmux key name; use tmux key names: Enter, Escape/);
    const semicolon = await env.cli(['keys', t.id, ';']);
    expect(semicolon.exitCode).toBe(2);
    const client = await env.client();
    const api = await client.post(`/terminals/${t.id}/keys`, { keys: ['Enterr'] }).catch((e: Error) => e);
    expect(String(api)).toMatch(/'Enterr' is not a tmux key name/);
    await env.cliOk(['keys', t.id, 'e', 'c', 'h', 'o', 'Space', 'k', 'e', 'y', 's', 'C-m']);
    // Keys are not input the conductor waits an answer for: the pane's raw output tells.
    const raw = terminalRawLogPath(env.layout, t.id);
    await waitForFile(raw, () => /[\r\n]keys\r\n/.test(readFileSync(raw, 'utf8')));
  });

  it('lets a supervisor interrupt its workers over MCP, and no worker its supervisor', async () => {
    const sup = await shellStartedBy(undefined, 'sup');
    const worker = await shellStartedBy(sup.id, 'worker');
    const grandWorker = await shellStartedBy(worker.id, 'grand');
    const stranger = await shellStartedBy(undefined, 'stranger');
    const asSup = await mcpClient(env, sup.id);
    const asWorker = await mcpClient(env, worker.id);
    try {
      const { tools } = await asSup.listTools();
      expect(tools.map((t) => t.name)).toContain('interrupt');

      for (const t of [worker, grandWorker]) {
        await env.cliOk(['send', t.id, 'sleep 60']);
        const r = (await asSup.callTool({ name: 'interrupt', arguments: { terminal: t.id } })) as ToolText;
        expect(r.isError).toBeFalsy();
        expect(textOf(r)).toMatch(new RegExp(`Interrupted terminal ${t.id} \\(C-c\\); it is now (idle|completed)`));
        expect(await sleepsIn(t)).toBe(false);
      }

      await env.cliOk(['send', sup.id, 'sleep 60']);
      const up = (await asWorker.callTool({ name: 'interrupt', arguments: { terminal: sup.id } })) as ToolText;
      expect(up.isError).toBe(true);
      expect(textOf(up)).toMatch(new RegExp(`terminal ${sup.id} is your supervisor: a worker may not interrupt it`));
      expect(await sleepsIn(sup)).toBe(true);
      const sideways = (await asWorker.callTool({ name: 'interrupt', arguments: { terminal: stranger.id } })) as ToolText;
      expect(sideways.isError).toBe(true);
      expect(textOf(sideways)).toMatch(/is not one of your workers/);
      const self = (await asSup.callTool({ name: 'interrupt', arguments: { terminal: sup.id } })) as ToolText;
      expect(textOf(self)).toMatch(/cannot interrupt itself/);
      const sessions = (await (await env.client()).get<{ sessions: SessionRecord[] }>('/sessions')).sessions;
      expect(sessions.flatMap((s) => s.terminals).find((t) => t.id === sup.id)?.status).toBe('busy');
    } finally {
      await asSup.close();
      await asWorker.close();
    }
  });
});
