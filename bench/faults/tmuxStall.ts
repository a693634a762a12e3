import { readFileSync } from 'node:fs';
import type { MessageRecord } from '../../src/inbox/schema.js';
import { recordedPrompts, writeFakeProfile } from '../../test/helpers/agents.js';
import type { TestEnv } from '../../test/helpers/env.js';
import { probe, startControlServer, withinGoal, type LatencySummary } from './measure.js';
import { untilTrue } from './wait.js';

export const STALL_MS = 10_000;
const MESSAGES = 20;

export interface StallFigure {
  fault: string;
  survived: boolean;
  health: LatencySummary;
  ls: LatencySummary;
  /** The same probe against a trivial server beside the daemon: what the machine's load alone costs. */
  control: LatencySummary;
  input: { status: number; ms: number; message: string };
  messages: { sent: number; lost: number; duplicated: number };
  /** Input typed after SIGCONT reached the terminal. */
  recovered: boolean;
}

/** The tmux server stopped (SIGSTOP) for 10 s while input, messages and listings keep coming. */
export async function stallTmux(env: TestEnv): Promise<StallFigure> {
  const client = await env.client();
  const record = writeFakeProfile(env, 'stallsink', [{ match: '[\\s\\S]', answer: 'got it', thinkMs: 0 }], { FAKE_AGENT_CHUNK_MS: '1' });
  const sink = await env.launch(['--profile', 'stallsink', '--session', 'stallsink']);
  const shell = await env.launch(['--provider', 'shell', '--session', 'stallshell']);
  const tmuxPid = Number((await env.tmux(['display-message', '-p', '#{pid}'])).stdout);
  const auth = { authorization: `Bearer ${client.state.token}` };
  const controlServer = await startControlServer();
  const control = probe(controlServer.url, {}, 50);
  const health = probe(`${client.baseUrl}/health`, {}, 50);
  const ls = probe(`${client.baseUrl}/sessions`, auth, 100);
  const ids: number[] = [];
  let input: StallFigure['input'];
  let healthFigures: LatencySummary;
  let lsFigures: LatencySummary;
  let controlFigures: LatencySummary;
  process.kill(tmuxPid, 'SIGSTOP');
  // Whatever happens below, the server is not left stopped.
  const resume = setTimeout(() => process.kill(tmuxPid, 'SIGCONT'), STALL_MS + 1000);
  const window = new Promise((resolve) => setTimeout(resolve, STALL_MS)); // the fault itself: a 10 s stall
  try {
    for (let i = 0; i < MESSAGES; i++) ids.push((await client.post<MessageRecord>('/messages', { to: sink.id, message: `stalled message ${i}` })).id);
    const t0 = Date.now();
    const res = await fetch(`${client.baseUrl}/terminals/${shell.id}/input`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'echo typed-during-the-stall' }),
    });
    const body = (await res.json()) as { error?: { message: string } };
    input = { status: res.status, ms: Date.now() - t0, message: body.error?.message ?? 'accepted' };
    await window;
  } finally {
    // Measured throughout the stall; the catching up after it is not the fault.
    healthFigures = await health.stop();
    lsFigures = await ls.stop();
    controlFigures = await control.stop();
    controlServer.stop();
    clearTimeout(resume);
    process.kill(tmuxPid, 'SIGCONT');
  }

  await untilTrue(
    client,
    async () => {
      const { messages } = await client.get<{ messages: MessageRecord[] }>(`/terminals/${sink.id}/messages?direction=received`);
      return messages.filter((m) => ids.includes(m.id)).every((m) => m.state === 'delivered' || m.state === 'failed');
    },
    60_000,
    'the stalled messages to be delivered',
  );
  const counts = new Map<number, number>();
  for (const p of recordedPrompts(record)) for (const m of p.matchAll(/Message #(\d+) /g)) counts.set(Number(m[1]), (counts.get(Number(m[1])) ?? 0) + 1);
  const lost = ids.filter((id) => !counts.has(id)).length;
  const duplicated = ids.filter((id) => (counts.get(id) ?? 0) > 1).length;

  await env.cliOk(['send', shell.id, 'echo after-the-stall']);
  const recovered = await untilTrue(
    client,
    async () => readFileSync(shell.logFile, 'utf8').split('\n').includes('after-the-stall'),
    20_000,
    'the shell to print after the stall',
  ).catch(() => false);
  return {
    fault: 'tmux server SIGSTOPped for 10 s',
    survived: recovered && lost === 0 && duplicated === 0 && withinGoal(healthFigures, controlFigures, 100),
    health: healthFigures,
    ls: lsFigures,
    control: controlFigures,
    input,
    messages: { sent: ids.length, lost, duplicated },
    recovered,
  };
}
