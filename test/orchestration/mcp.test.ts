import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvents } from '../../src/cli/events.js';
import type { MessageRecord } from '../../src/inbox/schema.js';
import { recordedPrompts, writeFakeProfile } from '../helpers/agents.js';
import { TestEnv } from '../helpers/env.js';
import { mcpClient, textOf, type ToolText } from '../helpers/mcp.js';
import { waitForFile } from '../helpers/wait.js';




describe('orchestration over MCP', () => {
  const env = new TestEnv();
  let outside: Client;

  beforeAll(async () => {
    writeFakeProfile(env, 'worker', [{ match: 'compute', answer: 'The answer is 42.\nComputed carefully.' }]);
    writeFakeProfile(env, 'reporter', [
      { match: 'Task from', tool: { name: 'send_message', arguments: { message: 'report: {{1}}done' } }, answer: 'reported: {{result}}' },
    ]);
    writeFakeProfile(env, 'supervisor', [
      { match: '^HANDOFF (.*)$', tool: { name: 'handoff', arguments: { profile: 'worker', message: '{{1}}' } }, answer: 'Supervisor got: {{result}}' },
      { match: '^ASSIGN (.*)$', tool: { name: 'assign', arguments: { profile: 'reporter', message: '{{1}}' } } },
    ]);
    outside = await mcpClient(env);
  });
  afterAll(async () => {
    await outside?.close();
    await env.cleanup();
  });

  it('lists its tools and says which need a conductor terminal', async () => {
    const { tools } = await outside.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'assign',
      'decide_approval',
      'handoff',
      'handoff_result',
      'interrupt',
      'list_approvals',
      'list_terminals',
      'merge_worker',
      'request_approval',
      'send_message',
      'whoami',
      'worker_diff',
    ]);
    const who = (await outside.callTool({ name: 'whoami', arguments: {} })) as ToolText;
    expect(who.isError).toBe(true);
    expect(textOf(who)).toMatch(/outside a conductor terminal .*CONDUCTOR_TERMINAL_ID/);
    const list = (await outside.callTool({ name: 'list_terminals', arguments: {} })) as ToolText;
    expect(list.isError).toBeFalsy();
  });

  it('hands off from a fake supervisor to a fake worker and returns the worker’s answer', async () => {
    const sup = await env.launch(['--profile', 'supervisor']);
    const supRecord = `${env.home}/supervisor.prompts.jsonl`;
    await env.cliOk(['send', sup.id, 'HANDOFF please compute the answer']);
    const done = await env.waitForStatus(sup.id, ['completed'], 30_000);
    expect(done.status).toBe('completed');
    const last = await env.cliOk(['output', sup.id, '--last']);
    expect(last).toContain('Supervisor got: The answer is 42.');
    expect(last).toContain('Computed carefully.');
    expect(recordedPrompts(supRecord)).toEqual(['HANDOFF please compute the answer']);
    // The worker got the task with its preamble, and was shut down after answering.
    const workerPrompt = recordedPrompts(`${env.home}/worker.prompts.jsonl`)[0];
    expect(workerPrompt).toMatch(new RegExp(`^\\[conductor\\] Task from terminal ${sup.id} \\(supervisor\\) \\(handoff h-[0-9a-f]{8}\\)`));
    expect(workerPrompt).toContain('please compute the answer');
    const all = (await env.sessions(true)).flatMap((s) => s.terminals);
    const worker = all.find((t) => t.callerTerminalId === sup.id)!;
    expect(worker.profile).toBe('worker');
    expect(worker.status).toBe('exited');
  });

  it('assigns two workers that report back to the supervisor’s inbox', async () => {
    const sup = await env.launch(['--profile', 'supervisor', '--session', 'assigning']);
    const client = await env.client();
    const events = await openEvents(client, { terminal: sup.id, types: 'message.delivered' });
    await env.cliOk(['send', sup.id, 'ASSIGN first job']);
    await env.waitForStatus(sup.id, ['completed']);
    await env.cliOk(['send', sup.id, 'ASSIGN second job']);
    // Two reports reach the supervisor (maybe in one batch); each delivery event prompts a re-count.
    const reportsDelivered = async () =>
      (await client.get<{ messages: MessageRecord[] }>(`/terminals/${sup.id}/messages?direction=received`)).messages.filter(
        (m) => m.state === 'delivered' && m.body.startsWith('report:'),
      ).length;
    while ((await reportsDelivered()) < 2) await events.next();
    events.close();
    const { messages } = await client.get<{ messages: MessageRecord[] }>(`/terminals/${sup.id}/messages?direction=received`);
    const reports = messages.filter((m) => m.body.startsWith('report:'));
    expect(reports).toHaveLength(2);
    const workers = (await env.sessions()).flatMap((s) => s.terminals).filter((t) => t.callerTerminalId === sup.id);
    expect(new Set(reports.map((m) => m.from))).toEqual(new Set(workers.map((w) => w.id)));
    const supPrompts = await waitForFile(`${env.home}/supervisor.prompts.jsonl`, () => {
      const p = recordedPrompts(`${env.home}/supervisor.prompts.jsonl`).join('\n');
      return (p.match(/report: done/g) ?? []).length === 2 && p;
    });
    expect(supPrompts).toMatch(new RegExp(`\\[conductor\\] Message #\\d+ from terminal ${workers[0].id} \\(reporter\\):\\nreport: done`));
  });

  it('holds messages for a busy receiver and delivers them in order, batched, once it is idle', async () => {
    // Long enough that the three queued messages are surely in before the answer, even on a loaded machine.
    const record = writeFakeProfile(env, 'slow', [
      { match: '^work forever', answer: 'never', thinkMs: 120_000 },
      { match: '^work', answer: 'worked', thinkMs: 4000 },
    ]);
    const r = await env.launch(['--profile', 'slow', '--session', 'slow']);
    const events = await openEvents(await env.client(), { terminal: r.id, types: 'message.delivered' });
    await env.cliOk(['send', r.id, 'work hard']);
    for (const text of ['first note', 'second note', 'third note']) await env.cliOk(['send', '--queue', r.id, text]);
    const client = await env.client();
    const pending = await client.get<{ messages: MessageRecord[] }>(`/terminals/${r.id}/messages?direction=received`);
    expect(pending.messages.map((m) => m.state)).toEqual(['pending', 'pending', 'pending']);
    for (let delivered = 0; delivered < 3; ) if ((await events.next())?.type === 'message.delivered') delivered++;
    events.close();
    const prompts = recordedPrompts(record);
    expect(prompts).toHaveLength(2);
    const batch = prompts[1];
    const order = ['first note', 'second note', 'third note'].map((t) => batch.indexOf(t));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(batch).toMatch(/^\[conductor\] Message #\d+ from a human operator:\nfirst note/);
    const after = await client.get<{ messages: MessageRecord[] }>(`/terminals/${r.id}/messages`);
    expect(after.messages.map((m) => m.state)).toEqual(['delivered', 'delivered', 'delivered']);
    const listing = await env.cliOk(['inbox', r.id]);
    expect(listing).toMatch(/#\d+\s+human\s+\w{8}\s+delivered/);
  });

  it('refuses messages to oneself, to unknown and to exited terminals, saying what to do', async () => {
    const t = await env.launch(['--provider', 'shell', '--session', 'lonely']);
    const mine = await mcpClient(env, t.id);
    const self = (await mine.callTool({ name: 'send_message', arguments: { message: 'hi', to: t.id } })) as ToolText;
    expect(self.isError).toBe(true);
    expect(textOf(self)).toMatch(/cannot send a message to itself/);
    const noDefault = (await mine.callTool({ name: 'send_message', arguments: { message: 'hi' } })) as ToolText;
    expect(textOf(noDefault)).toMatch(/no default receiver: give `to`/);
    const unknown = (await mine.callTool({ name: 'send_message', arguments: { message: 'hi', to: 'deadbeef' } })) as ToolText;
    expect(textOf(unknown)).toMatch(/terminal 'deadbeef' not found/);
    const other = await env.launch(['--provider', 'shell', '--session', 'leaving']);
    await env.cliOk(['shutdown', other.id]);
    const exited = (await mine.callTool({ name: 'send_message', arguments: { message: 'hi', to: other.id } })) as ToolText;
    expect(textOf(exited)).toMatch(/has exited and cannot receive messages/);
    const badProfile = (await mine.callTool({ name: 'handoff', arguments: { profile: '../etc/passwd', message: 'x' } })) as ToolText;
    expect(badProfile.isError).toBe(true);
    expect(textOf(badProfile)).toMatch(/plain identifier/);
    const me = JSON.parse(textOf(await mine.callTool({ name: 'whoami', arguments: {} })));
    expect(me.id).toBe(t.id);
    await mine.close();
  });

  it('turns pending messages of a receiver that exits into failed ones, visible to the sender', async () => {
    const r = await env.launch(['--profile', 'slow', '--session', 'doomed']);
    await env.cliOk(['send', r.id, 'work forever']);
    await env.cliOk(['send', '--queue', r.id, 'never read']);
    await env.cliOk(['shutdown', r.id]);
    const client = await env.client();
    const { messages } = await client.get<{ messages: MessageRecord[] }>(`/terminals/${r.id}/messages`);
    expect(messages).toHaveLength(1);
    expect(messages[0].state).toBe('failed');
    expect(messages[0].reason).toMatch(/exited before it could read/);
  });
});
