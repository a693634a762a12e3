/**
 * `npm run bench`: the core's performance figures, each against a baseline measured in the same
 * run, in a private world (own CONDUCTOR_HOME, own tmux server) removed at the end.
 * Prints a table, writes bench/results/latest.json, exits 0 even when a goal is missed.
 *
 * `BENCH_ONLY=agent-status` (comma-separated, matched against the section names written in
 * lower case with dashes, e.g. `inbox`, `agent-status-turn-end`) runs only the sections it names,
 * and writes bench/results/only-<names>.json instead.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { VERSION } from '../src/version.js';
import { agentStatusSections } from './agentStatus.js';
import { measureColdStart } from './coldStart.js';
import { measureDashboard } from './dashboard.js';
import { measureIdleCpu } from './idleCpu.js';
import { measureInbox } from './inbox.js';
import { PaneProbe } from './probe.js';
import { renderTable, writeJson, type Figure } from './report.js';
import { measureSendLatency } from './sendLatency.js';
import { measureStatusLatency } from './statusLatency.js';
import { BenchWorld, run } from './world.js';

const figures: Figure[] = [];
const failures: Array<{ section: string; error: string }> = [];

const only = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-');

async function section<T>(name: string, work: () => Promise<T>): Promise<T | undefined> {
  if (only.length > 0 && !only.some((wanted) => slug(name).includes(wanted))) return undefined;
  const t0 = performance.now();
  process.stderr.write(`bench: ${name}…\n`);
  try {
    const result = await work();
    process.stderr.write(`bench: ${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    return result;
  } catch (err) {
    const error = (err as Error).stack ?? String(err);
    failures.push({ section: name, error });
    process.stderr.write(`bench: ${name} FAILED: ${error}\n`);
    return undefined;
  }
}

async function main(): Promise<number> {
  const started = performance.now();
  const world = new BenchWorld();
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`bench: ${signal}, cleaning up\n`);
    void world.cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const cold = await section('CLI cold start', () => measureColdStart(world.repoRoot));
    if (cold) figures.push(...cold);

    // The bench starts the private tmux server itself, with a session for its control-mode probe.
    await world.startTmux('bench-probe');
    const client = await world.startDaemon();
    const leftovers: string[] = [];

    const probe = await PaneProbe.open(world.socket, 'bench-probe');
    try {
      const send = await section('send-to-visible latency', () => measureSendLatency(world, client, probe));
      if (send) {
        figures.push(...send.figures);
        leftovers.push(send.terminalId);
      }
    } finally {
      probe.close();
    }

    const status = await section('status detection latency', () => measureStatusLatency(world, client));
    if (status) {
      figures.push(...status.figures);
      leftovers.push(status.terminalId);
    }

    const idle = await section('idle CPU with 50 terminals', () => measureIdleCpu(world, client, leftovers));
    if (idle) figures.push(...idle);

    const inbox = await section('inbox and handoff', () => measureInbox(world, client));
    if (inbox) figures.push(...inbox);

    for (const agent of agentStatusSections) {
      const found = await section(agent.name, () => agent.measure(world, client));
      if (found) figures.push(...found);
    }

    // Last: its 20 streaming terminals load the machine, which would skew the figures above.
    const dashProbe = await PaneProbe.open(world.socket, 'bench-probe');
    try {
      const dashboard = await section('dashboard in Chromium', () => measureDashboard(world, client, dashProbe));
      if (dashboard) figures.push(...dashboard);
    } finally {
      dashProbe.close();
    }
  } catch (err) {
    failures.push({ section: 'setup', error: (err as Error).stack ?? String(err) });
  } finally {
    await world.cleanup();
  }

  const tmuxVersion = (await run('tmux', ['-V']).catch(() => undefined))?.stdout.trim() ?? null;
  const commit = (await run('git', ['-C', world.repoRoot, 'rev-parse', '--short', 'HEAD']).catch(() => undefined))?.stdout.trim() || null;
  const durationS = Math.round((performance.now() - started) / 100) / 10;

  process.stdout.write(`\nconductor ${VERSION} bench (${cpus().length} cpus, node ${process.versions.node}, ${tmuxVersion}), ${durationS} s\n\n`);
  process.stdout.write(`${renderTable(figures)}\n\n`);
  const missed = figures.filter((f) => f.met === false);
  if (missed.length > 0) process.stdout.write(`MISSED: ${missed.map((f) => f.id).join(', ')}\n`);
  else if (failures.length === 0) process.stdout.write('All goals met.\n');
  for (const f of failures) process.stdout.write(`FAILED to measure: ${f.section}: ${f.error.split('\n')[0]}\n`);

  // A partial run leaves the full run's results alone.
  const resultFile = only.length > 0 ? `only-${only.join('+')}.json` : 'latest.json';
  const out = join(world.repoRoot, 'bench', 'results', resultFile);
  writeJson(out, {
    conductorVersion: VERSION,
    commit,
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null, node: process.versions.node, tmux: tmuxVersion },
    durationS,
    figures,
    missed: missed.map((f) => f.id),
    failures,
  });
  process.stdout.write(`\nresults written to bench/results/${resultFile}\n`);
  // A missed goal is a finding, not a failure; only a measurement that could not be taken fails.
  return failures.length > 0 ? 1 : 0;
}

process.exitCode = await main();
