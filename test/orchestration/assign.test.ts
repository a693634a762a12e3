import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvents, type EventStream } from '../../src/cli/events.js';
import type { MessageRecord } from '../../src/inbox/schema.js';
import { recordedPrompts, writeFakeProfile } from '../helpers/agents.js';
import { TestEnv } from '../helpers/env.js';
import { waitForFile } from '../helpers/wait.js';

/** An assigned worker reports back by itself: its final answer, or why it did not finish. */
describe('assignments report back', () => {
  const env = new TestEnv();

  beforeAll(async () => {
    writeFakeProfile(env, 'silent', [{ match: 'Task from', answer: 'Silent result: 7 files checked.' }]);
    writeFakeProfile(env, 'chatty', [{ match: 'Task from', tool: { name: 'send_message', arguments: { message: 'my own report' } }, answer: 'also my final words' }]);
    writeFakeProfile(env, 'crasher', [{ match: 'Task from', answer: 'going down', exitCode: 3 }]);
    writeFakeProfile(env, 'boss', [{ match: '^ASSIGN (\\w+) (.*)$', tool: { name: 'assign', arguments: { profile: '{{1}}', message: '{{2}}' } } }]);
  });
  afterAll(() => env.cleanup());

  async function assign(profile: string, shellEnv: Record<string, string> = {}): Promise<{ boss: string; worker: string; finished: EventStream }> {
    const out = await env.cliOk(['launch', '--headless', '--json', '--cwd', env.home, '--profile', 'boss', '--session', `boss-${profile}`], { env: shellEnv });
    const boss = JSON.parse(out) as { id: string };
    const client = await env.client();
    const finished = await openEvents(client, { terminal: boss.id, types: 'handoff.finished' });
    const created = await openEvents(client, { types: 'terminal.created' });
    await env.cliOk(['send', boss.id, `ASSIGN ${profile} check the files`]);
    let worker: string | undefined;
    while (!worker) {
      const e = await created.next();
      if (!e) throw new Error('the event stream ended before the worker was created');
      if (e.data.callerTerminalId === boss.id) worker = e.terminalId ?? undefined;
    }
    created.close();
    return { boss: boss.id, worker, finished };
  }

  const received = async (terminal: string) =>
    (await (await env.client()).get<{ messages: MessageRecord[] }>(`/terminals/${terminal}/messages?direction=received`)).messages;

  it('delivers a silent worker’s final answer to its caller as the worker’s report, once, as its next prompt', async () => {
    const { boss, worker, finished } = await assign('silent');
    await finished.next();
    finished.close();
    const reports = (await received(boss)).filter((m) => m.kind === 'report');
    expect(reports).toHaveLength(1);
    expect(reports[0].from).toBe(worker);
    expect(reports[0].body).toBe(`[conductor] Report from worker ${worker} (profile silent, assignment ${reports[0].body.match(/h-[0-9a-f]{8}/)![0]}):\n\nSilent result: 7 files checked.`);
    const record = `${env.home}/boss.prompts.jsonl`;
    const prompts = await waitForFile(record, () => {
      const p = recordedPrompts(record);
      return p.some((x) => x.includes('Silent result: 7 files checked.')) && p;
    }, 30_000, 'the report as the boss’s next prompt');
    expect(prompts.at(-1)).toMatch(/^\[conductor\] Report from worker [0-9a-f]{8} \(profile silent/);
    // The worker stays, for the caller to talk to or shut down.
    expect((await env.sessions()).flatMap((s) => s.terminals).find((t) => t.id === worker)?.status).toBe('completed');
  });

  it('sends no second report when the worker already wrote to its caller during the turn', async () => {
    const { boss, worker, finished } = await assign('chatty', { BOSS_SHELL_KEY: 'k-from-the-boss-shell' });
    // The worker got the environment its caller was launched with, not the conductor's own.
    const workerEnv = readFileSync(join(env.layout.runtime, worker, 'env.sh'), 'utf8');
    expect(workerEnv).toContain(`export BOSS_SHELL_KEY='k-from-the-boss-shell'`);
    expect(workerEnv).toContain(`export CONDUCTOR_TERMINAL_ID='${worker}'`);
    expect(workerEnv).not.toContain(`CONDUCTOR_TERMINAL_ID='${boss}'`);
    await finished.next();
    finished.close();
    const messages = await received(boss);
    expect(messages.filter((m) => m.body === 'my own report')).toHaveLength(1);
    expect(messages.filter((m) => m.kind === 'report')).toHaveLength(0);
  });

  it('reports a worker that exits before finishing, with the reason', async () => {
    const { boss, worker, finished } = await assign('crasher');
    await finished.next();
    finished.close();
    const reports = (await received(boss)).filter((m) => m.kind === 'report');
    expect(reports).toHaveLength(1);
    expect(reports[0].body).toMatch(new RegExp(`^\\[conductor\\] Worker ${worker} \\(profile crasher, assignment h-[0-9a-f]{8}\\) did not finish: the worker ${worker} ended before answering`));
  });
});
