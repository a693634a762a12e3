import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { ApprovalRecord } from '../../src/approval/schema.js';
import type { DaemonClient } from '../../src/cli/client.js';
import { openEvents } from '../../src/cli/events.js';
import type { FlowRunRecord } from '../../src/flow/schema.js';
import type { HandoffRecord } from '../../src/handoff/schema.js';
import type { MessageRecord } from '../../src/inbox/schema.js';
import { waitForExit } from '../../src/process/tree.js';
import { recordedPrompts, writeFakeProfile } from '../../test/helpers/agents.js';
import { conductorBin, type TestEnv } from '../../test/helpers/env.js';
import { untilTrue } from './wait.js';

export interface KillFigure {
  fault: string;
  survived: boolean;
  detail: string;
  /** Messages the fault could have lost or repeated: counted from what the agent actually read. */
  messages: { sent: number; lost: number; duplicated: number };
  /** From the kill until the new daemon answered. */
  restartMs: number;
}

/** SIGKILL the daemon (no chance to clean up) and start a new one, as the next CLI call would. */
async function killAndRestart(env: TestEnv, client: DaemonClient): Promise<{ client: DaemonClient; ms: number }> {
  const t0 = Date.now();
  process.kill(client.state.pid, 'SIGKILL');
  await waitForExit([client.state.pid], 5000);
  const next = await env.client();
  return { client: next, ms: Date.now() - t0 };
}

function countOnce(record: string, marker: string): { sent: number; lost: number; duplicated: number } {
  const seen = recordedPrompts(record).filter((p) => p.includes(marker)).length;
  return { sent: 1, lost: seen === 0 ? 1 : 0, duplicated: Math.max(0, seen - 1) };
}

/** Waits until the task reached the worker and the worker is at work on it. */
async function untilWorking(client: DaemonClient, terminal: string): Promise<void> {
  await untilTrue(
    client,
    async () => {
      const { messages } = await client.get<{ messages: MessageRecord[] }>(`/terminals/${terminal}/messages?direction=received`);
      const t = await client.get<{ status: string }>(`/terminals/${terminal}`);
      return messages.some((m) => m.state === 'delivered') && t.status === 'busy';
    },
    30_000,
    `terminal ${terminal} to work on its task`,
  );
}

export async function killDuringHandoff(env: TestEnv): Promise<KillFigure> {
  const record = writeFakeProfile(env, 'slowworker', [{ match: 'compute', answer: 'The answer is 42.', thinkMs: 3000 }]);
  let client = await env.client();
  const started = await client.post<HandoffRecord>('/handoffs', { profile: 'slowworker', message: 'compute the answer (handoff)', timeout: 120 });
  await untilWorking(client, started.worker!);
  const restart = await killAndRestart(env, client);
  client = restart.client;
  const done = await untilTrue(
    client,
    async () => {
      const h = await client.get<HandoffRecord>(`/handoffs/${started.id}`);
      return h.state !== 'running' && h;
    },
    60_000,
    `handoff ${started.id} to finish`,
  );
  const survived = done.state === 'completed' && /The answer is 42\./.test(done.result ?? '');
  return {
    fault: 'SIGKILL during a handoff',
    survived,
    detail: `handoff ${done.state}${done.error ? `: ${done.error}` : ''}`,
    messages: countOnce(record, 'compute the answer (handoff)'),
    restartMs: restart.ms,
  };
}

export async function killDuringApprovalWait(env: TestEnv): Promise<KillFigure> {
  let client = await env.client();
  const terminal = (await env.launch(['--provider', 'shell'])).id;
  const events = await openEvents(client, { types: 'approval.requested' });
  // The real hook, as Claude Code runs it, waiting on a risky command.
  const hook = execa(conductorBin, ['hook', 'pre-tool-use'], {
    env: { ...process.env, ...env.env, CONDUCTOR_TERMINAL_ID: terminal },
    input: JSON.stringify({ tool_name: 'Bash', tool_input: { command: 'git push origin main' }, cwd: env.home }),
    reject: false,
    timeout: 90_000,
  });
  const requested = await events.next();
  events.close();
  const id = String(requested!.data.approvalId);
  const restart = await killAndRestart(env, client);
  client = restart.client;
  await client.post<ApprovalRecord>(`/approvals/${id}/decision`, { decision: 'approve', note: 'after the crash' });
  const r = await hook;
  const out = String(r.stdout);
  const survived = r.exitCode === 0 && out.includes('"permissionDecision":"allow"') && out.includes('after the crash');
  return {
    fault: 'SIGKILL during an approval wait',
    survived,
    detail: `hook exit ${r.exitCode}: ${out.trim() || String(r.stderr).trim()}`.slice(0, 200),
    messages: { sent: 0, lost: 0, duplicated: 0 },
    restartMs: restart.ms,
  };
}

export async function killDuringFlowRun(env: TestEnv): Promise<KillFigure> {
  const record = writeFakeProfile(env, 'slowflow', [{ match: 'nightly', answer: 'Nightly done.', thinkMs: 3000 }]);
  let client = await env.client();
  const file = join(env.home, 'nightly.md');
  // Scheduled once a year: this run is the manual one, started below.
  writeFileSync(file, `---\nname: nightly\nschedule: '0 3 1 1 *'\nprofile: slowflow\ncwd: ${env.home}\n---\nRun the nightly check.\n`);
  await env.cliOk(['flow', 'add', file]);
  const run = await client.post<FlowRunRecord>('/flows/nightly/run', {});
  if (run.state !== 'launched' || !run.terminalId) throw new Error(`the flow run did not launch: ${run.state} ${run.reason ?? ''}`);
  await untilWorking(client, run.terminalId);
  const restart = await killAndRestart(env, client);
  client = restart.client;
  const ended = await untilTrue(
    client,
    async () => (await client.get<{ runs: FlowRunRecord[] }>('/flows/nightly')).runs.find((r) => r.id === run.id && r.state !== 'launched'),
    60_000,
    `flow run #${run.id} to end`,
  );
  return {
    fault: 'SIGKILL during a flow run',
    survived: ended.state === 'finished',
    detail: `run ${ended.state}${ended.reason ? `: ${ended.reason}` : ''}`,
    messages: countOnce(record, 'nightly'),
    restartMs: restart.ms,
  };
}
