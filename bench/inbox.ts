import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DaemonClient } from '../src/cli/client.js';
import { openEvents, waitForStatus } from '../src/cli/events.js';
import type { HandoffRecord } from '../src/handoff/schema.js';
import type { MessageRecord } from '../src/inbox/schema.js';
import type { SessionRecord, TerminalRecord } from '../src/terminal/schema.js';
import { clockTicks, cpuTicks, rssMb } from './idleCpu.js';
import type { Figure } from './report.js';
import { ratioOf } from './report.js';
import { summarise } from './stats.js';
import type { BenchWorld } from './world.js';

const DELIVERIES = 200;
const HANDOFFS = 8;
const FANOUT_TERMINALS = 50;
const FANOUT_MESSAGES = 20;

/** A receiver that is always ready: it prints "ready" and then echoes whatever it is given. */
function installSink(world: BenchWorld): void {
  writeFileSync(
    join(world.layout.providers, 'sink.yaml'),
    [
      'name: sink',
      'description: always-ready receiver (bench)',
      'command: ["sh", "-c", "echo ready; exec cat"]',
      'settle_delay_ms: 0',
      'quiet_window_ms: 20',
      'patterns:',
      "  idle: '.'",
      'exit:',
      '  keys: ["C-d"]',
      '',
    ].join('\n'),
  );
}

function installWorker(world: BenchWorld): void {
  const dir = world.layout.profiles;
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'instant.md'),
    '---\nname: instant\ndescription: answers at once (bench)\nprovider: fake_agent\nenv:\n  FAKE_AGENT_THINK_MS: "0"\n  FAKE_AGENT_CHUNK_MS: "0"\n---\nAnswer at once.\n',
  );
}

async function newTerminal(client: DaemonClient, world: BenchWorld, name: string, provider: string): Promise<TerminalRecord> {
  const { terminal } = await client.post<{ terminal: TerminalRecord; session: SessionRecord }>('/sessions', { name, provider, cwd: world.home });
  return waitForStatus(client, terminal.id, (s) => s !== 'starting', 15_000);
}

/** Delivery latency to an idle receiver: from POST /messages to the message.delivered event. */
async function deliveryLatency(world: BenchWorld, client: DaemonClient): Promise<Figure[]> {
  const sink = await newTerminal(client, world, 'bench-inbox', 'sink');
  const events = await openEvents(client, { terminal: sink.id, types: 'message.delivered,terminal.status' });
  const samples: number[] = [];
  let lost = 0;
  for (let i = 0; i < DELIVERIES; i++) {
    const started = performance.now();
    const m = await client.post<MessageRecord>('/messages', { to: sink.id, message: `note ${i}` });
    let delivered = false;
    for (;;) {
      const e = await events.next();
      if (!e) break;
      if (e.type === 'message.delivered' && e.data.messageId === m.id) {
        samples.push(performance.now() - started);
        delivered = true;
      }
      // Next message only once the receiver is idle again, so each one meets an idle receiver.
      if (delivered && e.type === 'terminal.status' && (e.data.status === 'completed' || e.data.status === 'idle')) break;
    }
    if (!delivered) lost++;
  }
  events.close();
  const s = summarise(samples);
  return [
    { id: 'deliver_p50', label: 'inbox delivery to an idle receiver, p50', unit: 'ms', value: s.p50, baseline: null, baselineLabel: null, ratio: null, goal: '<= 100 ms', met: s.p50 <= 100, detail: { ...s } },
    { id: 'deliver_p99', label: 'inbox delivery to an idle receiver, p99', unit: 'ms', value: s.p99, baseline: null, baselineLabel: null, ratio: null, goal: '<= 500 ms', met: s.p99 <= 500 && lost === 0, detail: { lost, samples: samples.length } },
  ];
}

/** The worker's own start-up: a bare tmux window running the fake agent until its input box shows. */
export async function bareWorkerStart(world: BenchWorld): Promise<number> {
  const agent = join(world.repoRoot, 'test', 'fixtures', 'fake-agent.mjs');
  const started = performance.now();
  const pane = (await world.tmuxOk(['new-window', '-d', '-P', '-F', '#{pane_id}', '-t', 'bench-probe:', '--', process.execPath, agent])).trim();
  for (;;) {
    const screen = await world.tmuxOk(['capture-pane', '-p', '-t', pane]);
    if (screen.includes('ready · /exit to quit')) break;
  }
  const took = performance.now() - started;
  await world.tmux(['kill-pane', '-t', pane]);
  return took;
}

/** Handoff overhead: tool call to result with an instantly answering worker, against the worker's bare start. */
async function handoffOverhead(world: BenchWorld, client: DaemonClient): Promise<Figure[]> {
  installWorker(world);
  const totals: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < HANDOFFS; i++) {
    bare.push(await bareWorkerStart(world));
    const started = performance.now();
    const h = await client.post<HandoffRecord>('/handoffs', { profile: 'instant', message: `question ${i}` });
    const done = await client.get<HandoffRecord>(`/handoffs/${h.id}?wait=60000`);
    if (done.state !== 'completed') throw new Error(`handoff ${h.id} ended ${done.state}: ${done.error}`);
    totals.push(performance.now() - started);
  }
  const t = summarise(totals);
  const b = summarise(bare);
  const overhead = t.p50 - b.p50;
  return [
    { id: 'handoff_total_p50', label: 'handoff, tool call to result, p50', unit: 'ms', value: t.p50, baseline: b.p50, baselineLabel: 'bare window + agent start', ratio: ratioOf(t.p50, b.p50), goal: null, met: null, detail: { total: t, bare: b } },
    { id: 'handoff_overhead_p50', label: 'handoff overhead beyond the worker start, p50', unit: 'ms', value: overhead, baseline: null, baselineLabel: null, ratio: null, goal: '<= 1000 ms', met: overhead <= 1000 },
  ];
}

/** 50 terminals, 20 messages each, sent at once: everything delivered, and what it cost the daemon. */
async function fanOut(world: BenchWorld, client: DaemonClient): Promise<Figure[]> {
  const sinks: TerminalRecord[] = [];
  for (let i = 0; i < FANOUT_TERMINALS; i++) sinks.push(await newTerminal(client, world, `bench-fan-${i}`, 'sink'));
  const pid = world.daemonPid;
  const ticksBefore = cpuTicks(pid);
  const started = performance.now();
  const events = await openEvents(client, { types: 'message.delivered,message.failed' });
  const ids = new Set<number>();
  await Promise.all(
    sinks.map(async (t) => {
      for (let j = 0; j < FANOUT_MESSAGES; j++) ids.add((await client.post<MessageRecord>('/messages', { to: t.id, message: `fan ${j}` })).id);
    }),
  );
  const delivered = new Set<number>();
  let failed = 0;
  const deadline = started + 120_000;
  while (delivered.size + failed < ids.size && performance.now() < deadline) {
    const e = await events.next();
    if (!e) break;
    if (e.type === 'message.delivered') delivered.add(Number(e.data.messageId));
    else failed++;
  }
  events.close();
  const seconds = (performance.now() - started) / 1000;
  const cpu = ((cpuTicks(pid) - ticksBefore) / clockTicks / seconds) * 100;
  const lost = ids.size - delivered.size;
  return [
    { id: 'fanout_delivered', label: `${FANOUT_TERMINALS} terminals x ${FANOUT_MESSAGES} messages: delivered`, unit: 'ms', value: seconds * 1000, baseline: null, baselineLabel: null, ratio: null, goal: 'all, none lost', met: lost === 0 && failed === 0, detail: { sent: ids.size, delivered: delivered.size, failed, lost } },
    { id: 'fanout_cpu', label: 'daemon CPU during that burst', unit: '%', value: Math.round(cpu * 10) / 10, baseline: null, baselineLabel: null, ratio: null, goal: null, met: null },
    { id: 'fanout_rss', label: 'daemon RSS after that burst', unit: 'MB', value: rssMb(pid), baseline: null, baselineLabel: null, ratio: null, goal: null, met: null },
  ];
}

export async function measureInbox(world: BenchWorld, client: DaemonClient): Promise<Figure[]> {
  installSink(world);
  // The idle-CPU section's 50 shells are done with: their load would blur these figures.
  await client.delete('/sessions/bench-idle').catch(() => undefined);
  return [...(await deliveryLatency(world, client)), ...(await handoffOverhead(world, client)), ...(await fanOut(world, client))];
}
