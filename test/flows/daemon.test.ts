import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvents, type EventStream } from '../../src/cli/events.js';
import type { ConductorEvent } from '../../src/events/bus.js';
import type { FlowRecord, FlowRunRecord } from '../../src/flow/schema.js';
import type { TerminalRecord } from '../../src/terminal/schema.js';
import { recordedPrompts, writeFakeProfile } from '../helpers/agents.js';
import { TestEnv } from '../helpers/env.js';
import { waitForFile } from '../helpers/wait.js';

/** The first event that satisfies `match`, or a failure once the deadline passes. */
async function nextMatching(stream: EventStream, match: (e: ConductorEvent) => boolean, timeoutMs: number, what: string): Promise<ConductorEvent> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    for (;;) {
      const e = await Promise.race([stream.next(), deadline]);
      if (!e) throw new Error(`the event stream ended while waiting for ${what}`);
      if (match(e)) return e;
    }
  } finally {
    clearTimeout(timer);
  }
}

describe('flows in the daemon', () => {
  const env = new TestEnv();
  const flows = join(env.home, 'flows');
  let agentRecord: string;

  function writeFlow(name: string, front: string, body: string): string {
    const file = join(flows, `${name}.md`);
    writeFileSync(file, `---\nname: ${name}\n${front}\n---\n${body}\n`);
    return file;
  }

  beforeAll(() => {
    mkdirSync(flows, { recursive: true });
    agentRecord = writeFakeProfile(env, 'flowagent', [{ match: 'Task from flow', answer: 'Report written.' }]);
    writeFakeProfile(env, 'slowagent', [{ match: 'Task from flow', answer: 'Slowly done.', thinkMs: 2500 }]);
  });
  afterAll(() => env.cleanup());

  it('runs a flow: the gate fills the prompt, a new session gets it through the inbox, the run finishes', async () => {
    const file = writeFlow(
      'report',
      `schedule: "0 0 1 1 *"\nprofile: flowagent\nscript: |\n  echo '{"execute": true, "output": {"topic": "bananas"}}'`,
      'Write a report about {{output.topic}} (flow {{flow.name}}).',
    );
    const added = JSON.parse(await env.cliOk(['flow', 'add', file, '--json'])) as FlowRecord;
    expect(added).toMatchObject({ name: 'report', enabled: true, profile: 'flowagent', cwd: flows });
    expect(new Date(added.nextRunAt!).getDate()).toBe(1);

    const events = await openEvents(await env.client(), { types: 'terminal.exited' });
    const run = JSON.parse(await env.cliOk(['flow', 'run', 'report', '--json'])) as FlowRunRecord;
    expect(run).toMatchObject({ flow: 'report', trigger: 'manual', state: 'launched' });
    // Finished, the agent is shut down: its exit is the end of the run.
    await nextMatching(events, (e) => e.terminalId === run.terminalId, 30_000, `terminal ${run.terminalId} to exit`);
    events.close();

    // The fake agent also records the `/exit` it was shut down with.
    const prompts = recordedPrompts(agentRecord).filter((p) => p !== '/exit');
    expect(prompts).toHaveLength(1);
    expect(prompts[0]).toMatch(new RegExp(`^\\[conductor\\] Task from flow report \\(run #${run.id}\\)\\. Nobody waits for a report`));
    expect(prompts[0]).toContain('Write a report about bananas (flow report).');

    const shown = JSON.parse(await env.cliOk(['flow', 'show', 'report', '--json'])) as { flow: FlowRecord; runs: FlowRunRecord[] };
    expect(shown.runs.map((r) => [r.id, r.state, r.terminalId])).toEqual([[run.id, 'finished', run.terminalId]]);
    const terminal = (await env.sessions(true)).find((s) => s.name === `report-${run.id}`)?.terminals[0] as TerminalRecord;
    expect(terminal).toMatchObject({ id: run.terminalId, profile: 'flowagent', status: 'exited', cwd: flows });
    const listed = JSON.parse(await env.cliOk(['flow', 'list', '--json'])) as { flows: FlowRecord[] };
    expect(listed.flows.find((f) => f.name === 'report')?.lastRun?.state).toBe('finished');
  });

  it('refuses to start a flow again while its previous run is going; keep leaves the agent running', async () => {
    const file = writeFlow('slow', 'schedule: "0 0 1 1 *"\nprofile: slowagent\nkeep: true', 'Take your time.');
    await env.cliOk(['flow', 'add', file]);
    const first = JSON.parse(await env.cliOk(['flow', 'run', 'slow', '--json'])) as FlowRunRecord;
    expect(first.state).toBe('launched');
    const again = await env.cli(['flow', 'run', 'slow']);
    expect(again.exitCode).toBe(4);
    expect(String(again.stderr)).toMatch(new RegExp(`flow 'slow' is not started again: run #${first.id} is still going`));
    await env.waitForStatus(first.terminalId!, ['completed'], 30_000);
    const second = JSON.parse(await env.cliOk(['flow', 'run', 'slow', '--json'])) as FlowRunRecord;
    expect(second.state).toBe('launched');
    expect(second.terminalId).not.toBe(first.terminalId);
    const kept = JSON.parse(await env.cliOk(['ls', '--json'])).sessions.flatMap((s: { terminals: TerminalRecord[] }) => s.terminals);
    expect(kept.map((t: TerminalRecord) => t.id)).toContain(first.terminalId);
    await env.cliOk(['shutdown', '--all']);
  });

  it('schedules enabled flows by itself and records what the gate skipped', async () => {
    const marker = join(env.home, 'ticks.txt');
    const gate = `echo tick >> ${JSON.stringify(marker)}; echo '{"execute": false, "output": {"reason": "nothing to do"}}'`;
    const file = writeFlow('ticker', `schedule: "* * * * * *"\nprofile: flowagent\nscript: ${JSON.stringify(gate)}\ntimeout: 5`, 'Never sent.');
    await env.cliOk(['flow', 'add', file]);
    // Two gate runs a second apart: the first has been recorded by the time the second starts.
    await waitForFile(marker, () => existsSync(marker) && readFileSync(marker, 'utf8').split('\n').filter(Boolean).length >= 2, 15_000, 'two scheduled gate runs');
    const disabled = JSON.parse(await env.cliOk(['flow', 'disable', 'ticker', '--json'])) as FlowRecord;
    expect(disabled).toMatchObject({ enabled: false, nextRunAt: null });
    const { runs } = JSON.parse(await env.cliOk(['flow', 'show', 'ticker', '--json'])) as { runs: FlowRunRecord[] };
    const skipped = runs.filter((r) => r.state === 'skipped');
    expect(skipped.length).toBeGreaterThanOrEqual(1);
    expect(skipped[0]).toMatchObject({ trigger: 'schedule', reason: 'the gate script said execute: false: nothing to do', terminalId: null });
    expect(runs.every((r) => r.state !== 'launched')).toBe(true);
    await env.cliOk(['flow', 'remove', 'ticker']);
    expect((await env.cli(['flow', 'show', 'ticker'])).exitCode).toBe(3);
  });

  it('refuses flow files that do not validate, naming the file and the field', async () => {
    const noProfile = writeFlow('orphan', 'schedule: "0 * * * *"\nprofile: nosuchprofile', 'Go.');
    const r1 = await env.cli(['flow', 'add', noProfile]);
    expect(r1.exitCode).toBe(2);
    expect(String(r1.stderr)).toMatch(new RegExp(`flow ${noProfile}: profile: profile 'nosuchprofile' not found`));
    const badCron = writeFlow('badcron', 'schedule: "every day"\nprofile: flowagent', 'Go.');
    const r2 = await env.cli(['flow', 'add', badCron]);
    expect(r2.exitCode).toBe(2);
    expect(String(r2.stderr)).toMatch(/badcron\.md: schedule: /);
    const noProvider = writeFlow('review', 'schedule: "0 * * * *"\nprofile: reviewer', 'Review.');
    const r3 = await env.cli(['flow', 'add', noProvider]);
    expect(r3.exitCode).toBe(2);
    expect(String(r3.stderr)).toMatch(/review\.md: provider: profile 'reviewer' names no provider/);
    const dup = await env.cli(['flow', 'add', join(flows, 'report.md')]);
    expect(dup.exitCode).toBe(4);
    expect(String(dup.stderr)).toMatch(/exists already: add it with --force/);
    expect((await env.cli(['flow', 'add', join(flows, 'report.md'), '--force'])).exitCode).toBe(0);
  });
});
