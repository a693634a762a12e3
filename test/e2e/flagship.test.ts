import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvents } from '../../src/cli/events.js';
import type { ApprovalRecord } from '../../src/approval/schema.js';
import type { TerminalRecord, TerminalStatus } from '../../src/terminal/schema.js';
import { lastUserText, startFakeAnthropicApi, toolResults, type FakeAnthropicApi, type StaticTurn } from '../fakes/anthropic-api.js';
import { CLAUDE_VERSIONS, ensureClaude } from '../helpers/claudeVersions.js';
import { bareEnvironment, TestEnv } from '../helpers/env.js';

const WORKER_ANSWER = 'The answer is 42: six times seven, checked twice.';
const WORKER_SUMMARY = 'Summary: the project holds three files and no tests.';

/** Text of every user message of a request, tool results left out. */
function userTexts(body: any): string {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  return messages
    .filter((m) => m?.role === 'user')
    .map((m) => (typeof m.content === 'string' ? m.content : (m.content as any[]).filter((b) => b?.type === 'text').map((b) => b.text).join('\n')))
    .join('\n');
}

/** The tool the assistant called just before this request, if the request carries its result. */
function answeredTool(body: any): string | undefined {
  if (toolResults(body).length === 0) return undefined;
  const messages: any[] = body.messages;
  const call = [...messages].reverse().find((m) => m?.role === 'assistant' && Array.isArray(m.content) && m.content.some((b: any) => b?.type === 'tool_use'));
  return call?.content.find((b: any) => b?.type === 'tool_use')?.name;
}

/** Resolves the first time the supervisor's model is sent a worker's report. */
let reportSeen: (prompt: string) => void = () => undefined;

/**
 * One model behind both agents, told apart by what they were sent: a worker's first prompt is the
 * conductor's task; everything else is the supervisor.
 */
function model(body: any): StaticTurn {
  const texts = userTexts(body);
  if (texts.includes('[conductor] Task from')) {
    return { kind: 'text', text: texts.includes('summarise the project') ? WORKER_SUMMARY : WORKER_ANSWER };
  }
  const tool = answeredTool(body);
  if (tool === 'mcp__conductor__handoff') return { kind: 'text', text: `The worker reported: ${toolResults(body)[0].split('\n\n[handoff')[0]}` };
  if (tool === 'mcp__conductor__assign') return { kind: 'text', text: 'Assigned; its report will come to me.' };
  const prompt = lastUserText(body);
  if (prompt.includes('[conductor] Report from worker')) {
    reportSeen(prompt);
    return { kind: 'text', text: `Got the report. ${prompt.split('\n\n').slice(1).join(' ')}` };
  }
  if (prompt.includes('Hand off')) {
    return { kind: 'tool_use', name: 'mcp__conductor__handoff', input: { profile: 'developer', message: 'please compute the answer' }, text: 'A developer will do it.' };
  }
  if (prompt.includes('Assign')) {
    return { kind: 'tool_use', name: 'mcp__conductor__assign', input: { profile: 'developer', message: 'summarise the project' }, text: 'I will assign it.' };
  }
  return { kind: 'text', text: 'OK.' };
}

/**
 * The flagship, as a user runs it: real Claude Code as the supervisor with the built-in
 * `supervisor` profile, real Claude Code workers with the built-in `developer` profile, the
 * tmux server and the daemon started from a shell with no key and no `claude` on PATH, and the
 * launch from a shell that has both.
 */
describe.each(CLAUDE_VERSIONS)('the flagship on Claude Code $version', ({ version }) => {
  const env = new TestEnv();
  const project = join(env.home, 'project');
  let api: FakeAnthropicApi;
  let launchEnv: Record<string, string>;
  let supervisor: TerminalRecord;
  const statuses: TerminalStatus[] = [];

  beforeAll(async () => {
    const claude = await ensureClaude(version);
    api = await startFakeAnthropicApi({ defaultReply: { kind: 'dynamic', make: model } });
    mkdirSync(project, { recursive: true });
    const bare = bareEnvironment();
    const server = await execa('tmux', ['-L', env.socket, 'new-session', '-d', '-s', 'users-own'], { env: bare, extendEnv: false, reject: false });
    expect(server.exitCode, String(server.stderr)).toBe(0);
    await env.cliOk(['daemon', 'start'], { bare: true });
    launchEnv = {
      PATH: `${claude.binDir}:${process.env.PATH}`,
      ANTHROPIC_BASE_URL: api.url,
      ANTHROPIC_API_KEY: 'sk-ant-test-flagship-key-000000000000',
    };
    const out = await env.cliOk(['launch', '--headless', '--json', '--cwd', project, '--provider', 'claude_code', '--profile', 'supervisor'], { env: launchEnv });
    supervisor = JSON.parse(out) as TerminalRecord;
    const events = await openEvents(await env.client(), { terminal: supervisor.id, types: 'terminal.status' });
    void (async () => {
      for (;;) {
        const e = await events.next();
        if (!e) return;
        statuses.push(e.data.status as TerminalStatus);
      }
    })();
  }, 180_000);
  afterAll(async () => {
    await env.cleanup();
    await api?.close();
  });

  it('doctor, run in the launching shell, sees the key the agent gets', async () => {
    const report = JSON.parse(await env.cliOk(['doctor', '--json'], { env: launchEnv })) as { checks: Array<{ id: string; status: string; summary: string }> };
    const auth = report.checks.find((c) => c.id === 'auth:claude_code');
    expect(auth?.status).toBe('ok');
    expect(auth?.summary).toContain('ANTHROPIC_API_KEY is set');
    expect(report.checks.find((c) => c.id === 'provider:claude_code')?.summary).toContain(version);
  });

  it('hands off to a real Claude developer: the exact answer comes back and the worker is gone', async () => {
    expect(supervisor.provider).toBe('claude_code');
    expect(supervisor.profile).toBe('supervisor');
    await env.cliOk(['send', supervisor.id, 'Hand off: find the answer through a developer.']);
    const done = await env.waitForStatus(supervisor.id, ['completed', 'error', 'waiting_input'], 150_000);
    expect(done.status).toBe('completed');
    expect(await env.cliOk(['output', supervisor.id, '--last'])).toContain(`The worker reported: ${WORKER_ANSWER}`);
    const result = api.requests.find((r) => r.kind === 'turn' && answeredTool(r.body) === 'mcp__conductor__handoff');
    const [text] = toolResults(result!.body);
    expect(text.split('\n\n[handoff')[0]).toBe(WORKER_ANSWER);
    const worker = /worker ([0-9a-f]{8}) · completed/.exec(text)![1];
    const gone = await env.waitForStatus(worker, ['exited'], 30_000);
    expect(gone.profile).toBe('developer');
    expect(gone.callerTerminalId).toBe(supervisor.id);
  }, 180_000);

  it('assigns to a real Claude developer whose report arrives as the supervisor’s next prompt', async () => {
    let timer: NodeJS.Timeout | undefined;
    const reported = new Promise<string>((resolve, reject) => {
      reportSeen = resolve;
      timer = setTimeout(() => reject(new Error('the report never reached the supervisor’s model')), 150_000);
    }).finally(() => clearTimeout(timer));
    const events = await openEvents(await env.client(), { terminal: supervisor.id, types: 'terminal.status' });
    await env.cliOk(['send', supervisor.id, 'Assign: have the project summarised.']);
    const sentAt = Date.now();
    const prompt = await reported.catch(async (err: Error) => {
      const terminals = (await (await env.client()).get<{ terminals: TerminalRecord[] }>('/terminals?all=true')).terminals;
      const states = terminals.map((t) => `${t.id} ${t.profile} ${t.status} (${t.statusDetail ?? ''})`).join('; ');
      throw new Error(`${err.message} after ${Date.now() - sentAt} ms; terminals: ${states}; supervisor screen:\n${await env.cliOk(['output', supervisor.id, '--screen'])}`);
    });
    const reportAt = Date.now();
    const assigned = api.requests.find((r) => r.kind === 'turn' && answeredTool(r.body) === 'mcp__conductor__assign');
    const worker = /Worker ([0-9a-f]{8}) \(claude_code, profile developer\)/.exec(toolResults(assigned!.body)[0])![1];
    expect(prompt).toContain(`[conductor] Report from worker ${worker} (profile developer`);
    expect(prompt).toContain(WORKER_SUMMARY);
    // The report's own turn: done once the supervisor is completed with its answer to the report.
    const answered = `Got the report. ${WORKER_SUMMARY}`;
    const seen: string[] = [];
    const deadline = setTimeout(() => events.close(), 60_000);
    try {
      for (;;) {
        const now = await (await env.client()).get<TerminalRecord>(`/terminals/${supervisor.id}`);
        if (now.status === 'completed' && (await env.cliOk(['output', supervisor.id, '--last'])).includes(answered)) break;
        const e = await events.next();
        if (!e) {
          const screen = await env.cliOk(['output', supervisor.id, '--screen']);
          throw new Error(`the report's turn did not complete within 60 s of the report (${Date.now() - reportAt} ms); statuses: ${seen.join(' → ')}; now ${now.status} (${now.statusDetail}); screen:\n${screen}`);
        }
        seen.push(String(e.data.status));
      }
    } finally {
      clearTimeout(deadline);
      events.close();
    }
    expect(await env.cliOk(['output', supervisor.id, '--last'])).toContain(answered);
  }, 180_000);

  it('asked no human anything for the conductor’s own tools', async () => {
    const { approvals } = await (await env.client()).get<{ approvals: ApprovalRecord[] }>('/approvals?all=true');
    expect(approvals).toEqual([]);
    expect(statuses).not.toContain('waiting_input');
    expect(statuses.filter((s) => s === 'completed').length).toBeGreaterThanOrEqual(2);
  });
});
