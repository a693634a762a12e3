import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvents } from '../../src/cli/events.js';
import type { ApprovalRecord } from '../../src/approval/schema.js';
import type { MessageRecord } from '../../src/inbox/schema.js';
import { recordedPrompts, waitUntilDeliveredAndAnswered, writeFakeProfile } from '../helpers/agents.js';
import { TestEnv } from '../helpers/env.js';
import { statusesUntil } from '../e2e/shared.js';
import { reboot, terminalRecord } from './reboot.js';

/** A shell terminal and the fake agent through a reboot: lost, listed, resumed; refusals; the inbox. */
describe('resume after a reboot: shell and fake agent (real tmux, daemon, CLI)', () => {
  const env = new TestEnv();
  const workdir = join(env.home, 'project');
  let shell = '';
  let agent = '';
  let agentPrompts = '';

  beforeAll(async () => {
    mkdirSync(workdir, { recursive: true });
    agentPrompts = writeFakeProfile(env, 'resumable', [
      { match: 'after the outage', answer: 'Got it after the outage.' },
      { match: 'risky', ask: 'Delete the build folder?', answer: 'Deleted.' },
    ]);
  });
  afterAll(() => env.cleanup());

  async function shellOutput(id: string, command: string): Promise<string> {
    const events = await openEvents(await env.client(), { terminal: id, types: 'terminal.status' });
    try {
      await env.cliOk(['send', id, command]);
      await statusesUntil(events, (s) => s === 'completed' || s === 'error', 15_000);
    } finally {
      events.close();
    }
    return env.cliOk(['output', id, '--last']);
  }

  it('marks terminals whose window vanished with the machine as lost, and ls says how to resume them', async () => {
    shell = (await env.launch(['--provider', 'shell', '--cwd', workdir])).id;
    agent = (await env.launch(['--profile', 'resumable', '--cwd', workdir])).id;
    expect(await shellOutput(shell, 'echo before-the-reboot')).toBe('before-the-reboot');
    await reboot(env);
    const listed = (await env.sessions()).flatMap((s) => s.terminals);
    expect(listed.find((t) => t.id === shell)?.status).toBe('lost');
    expect(listed.find((t) => t.id === agent)?.status).toBe('lost');
    const table = await env.cliOk(['ls']);
    expect(table).toContain('conductor resume --all');
    // No tmux server runs yet: what a lost terminal showed comes from its clean log.
    expect(await env.cliOk(['output', shell])).toContain('before-the-reboot');
    const typed = await env.cli(['send', agent, 'typed into nothing']);
    expect(typed.exitCode).toBe(4);
    expect(String(typed.stderr)).toContain(`conductor resume ${agent}`);
  }, 60_000);

  it('queues a message for a lost terminal instead of failing it', async () => {
    const queued = JSON.parse(await env.cliOk(['send', '--queue', '--json', agent, 'hello after the outage'])) as { id: number; state: string };
    expect(queued.state).toBe('pending');
    const { messages } = await (await env.client()).get<{ messages: MessageRecord[] }>(`/terminals/${agent}/messages?direction=received`);
    expect(messages.find((m) => m.id === queued.id)?.state).toBe('pending');
  });

  it('refuses a terminal that is not lost, and one that does not exist', async () => {
    const unknown = await env.cli(['resume', 'deadbeef']);
    expect(unknown.exitCode).toBe(3);
    const none = await env.cli(['resume']);
    expect(none.exitCode).toBe(2);
    expect(String(none.stderr)).toContain('exactly one of');
  });

  it('resumes the shell once when two resumes race, in the same cwd, its log continued after a marker', async () => {
    const [a, b] = await Promise.all([env.cli(['resume', shell]), env.cli(['resume', shell])]);
    const codes = [a.exitCode, b.exitCode].sort();
    expect(codes).toEqual([0, 4]);
    const loser = a.exitCode === 4 ? a : b;
    expect(String(loser.stderr)).toMatch(/being resumed already|is running/);
    const t = await env.waitForStatus(shell, ['idle']);
    const windows = String((await env.tmux(['list-windows', '-a', '-F', '#{window_name}'])).stdout).split('\n');
    expect(windows.filter((w) => w === t.windowName)).toHaveLength(1);
    expect(await shellOutput(shell, 'pwd')).toBe(workdir);
    const log = readFileSync(t.logFile, 'utf8');
    expect(log).toContain('before-the-reboot');
    expect(log).toMatch(/--- conductor: resumed at .*, started anew ---/);
    expect(log.indexOf('before-the-reboot')).toBeLessThan(log.search(/--- conductor: resumed/));
  }, 60_000);

  it('refuses to resume a running terminal', async () => {
    const r = await env.cli(['resume', shell]);
    expect(r.exitCode).toBe(4);
    expect(String(r.stderr)).toContain(`terminal ${shell} is running`);
  });

  it('delivers the message queued during the outage once, after the resume', async () => {
    expect(recordedPrompts(agentPrompts).filter((p) => p.includes('hello after the outage'))).toHaveLength(0);
    await env.cliOk(['resume', agent]);
    await waitUntilDeliveredAndAnswered(env, agent, (body) => body.includes('hello after the outage'));
    expect(recordedPrompts(agentPrompts).filter((p) => p.includes('hello after the outage'))).toHaveLength(1);
    expect((await terminalRecord(env, agent)).status).toBe('completed');
  }, 60_000);

  it('refuses a terminal that was shut down on purpose', async () => {
    await env.cliOk(['shutdown', shell]);
    const r = await env.cli(['resume', shell]);
    expect(r.exitCode).toBe(4);
    expect(String(r.stderr)).toContain('shut down on purpose');
  }, 30_000);

  it('resumes lost terminals by itself at daemon start with CONDUCTOR_AUTO_RESUME=1', async () => {
    const again = (await env.launch(['--provider', 'shell', '--cwd', workdir])).id;
    await reboot(env);
    await env.cliOk(['daemon', 'start'], { env: { CONDUCTOR_AUTO_RESUME: '1' } });
    const t = await env.waitForStatus(again, ['idle']);
    expect(t.status).toBe('idle');
    expect(readFileSync(t.logFile, 'utf8')).toMatch(/--- conductor: resumed at .*, started anew ---/);
    // The fake agent was lost again too, and came back by itself as well.
    expect((await env.waitForStatus(agent, ['idle'])).status).toBe('idle');
  }, 60_000);

  it('shuts a lost terminal down without touching the window a new tmux server gave its old ids', async () => {
    await env.launch(['--provider', 'shell', '--cwd', workdir]);
    const second = (await env.launch(['--provider', 'shell', '--cwd', workdir])).id;
    const panesBefore = new Map((await env.sessions()).flatMap((s) => s.terminals).map((t) => [t.id, t.tmuxPane]));
    await reboot(env);
    await env.cliOk(['daemon', 'start']);
    // The new tmux server numbers its panes from the start again: the resumed terminal's new
    // pane id is the one another, still lost, terminal had before the reboot.
    await env.cliOk(['resume', second]);
    const alive = await env.waitForStatus(second, ['idle']);
    const namesake = [...panesBefore].find(([id, pane]) => id !== second && pane === alive.tmuxPane)?.[0];
    expect(namesake, `a lost terminal had pane ${alive.tmuxPane} before the reboot`).toBeDefined();
    expect((await terminalRecord(env, namesake!)).status).toBe('lost');
    const report = JSON.parse(await env.cliOk(['shutdown', namesake!, '--json'])).shutdown[0];
    expect(report.method).toBe('already-exited');
    expect((await terminalRecord(env, namesake!)).status).toBe('exited');
    expect((await terminalRecord(env, second)).status).toBe('idle');
    const windows = String((await env.tmux(['list-windows', '-a', '-F', '#{window_name}'])).stdout).split('\n');
    expect(windows).toContain(alive.windowName);
    const refused = await env.cli(['resume', namesake!]);
    expect(String(refused.stderr)).toContain('shut down on purpose');
  }, 60_000);

  it('keeps a lost terminal\'s prompt approval pending, and expires it with the reason when it resumes', async () => {
    const asker = (await env.launch(['--profile', 'resumable', '--cwd', workdir])).id;
    const requested = await openEvents(await env.client(), { terminal: asker, types: 'approval.requested' });
    let approvalId: string;
    try {
      await env.cliOk(['send', asker, 'do the risky thing']);
      approvalId = String((await requested.next())!.data.approvalId);
    } finally {
      requested.close();
    }
    const pendingFor = async () => (await (await env.client()).get<{ approvals: ApprovalRecord[] }>('/approvals?all=true')).approvals.filter((a) => a.requester === asker);
    const before = (await pendingFor()).find((a) => a.id === approvalId)!;
    expect(before.state).toBe('pending');
    await reboot(env);
    expect((await terminalRecord(env, asker)).status).toBe('lost');
    expect((await pendingFor()).find((a) => a.id === before.id)?.state).toBe('pending');
    await env.cliOk(['resume', asker]);
    const after = (await pendingFor()).find((a) => a.id === before.id)!;
    expect(after.state).toBe('expired');
    expect(after.note).toMatch(/lost with its tmux window/);
  }, 60_000);
});
