/**
 * `npm run faults`: the hardening figures. Fuzzes every route and MCP tool, injects each fault
 * in a private world (own CONDUCTOR_HOME, own tmux server), and prints what was sent, what
 * survived, what was lost or repeated, and the latencies and memory seen under each fault.
 * Writes bench/results/faults.json; exits 1 when a goal is missed.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { conductorBin, TestEnv } from '../../test/helpers/env.js';
import { writeJson } from '../report.js';
import { findRepoRoot } from '../world.js';
import { checkConsistency } from './consistency.js';
import { internalErrorsLogged } from './daemonLog.js';
import { fillTheDisk, mountSmallDisk, unmountSmallDisk } from './diskFull.js';
import { floodOutput, oversizedBodies } from './flood.js';
import { fuzzHttp, fuzzMcp } from './fuzz.js';
import { holdTmuxServer, knownIds } from './fuzzWorld.js';
import { killDuringApprovalWait, killDuringFlowRun, killDuringHandoff } from './sigkill.js';
import { stallTmux } from './tmuxStall.js';
import { failEachWorker } from './workers.js';

interface Row {
  fault: string;
  survived: boolean;
  lost: number;
  duplicated: number;
  healthMaxMs: number | null;
  lsMaxMs: number | null;
  /** A trivial server probed at the same time: the machine's own latency under the same load. */
  controlMaxMs: number | null;
  note: string;
}

const rows: Row[] = [];
const results: Record<string, unknown> = {};

async function inWorld<T>(name: string, work: (env: TestEnv) => Promise<T>, setup?: (env: TestEnv) => Promise<boolean>): Promise<T | undefined> {
  const env = new TestEnv();
  const t0 = performance.now();
  process.stderr.write(`faults: ${name}…\n`);
  let ready = true;
  try {
    if (setup) ready = await setup(env);
    if (!ready) {
      process.stderr.write(`faults: ${name} skipped: the set-up is not possible on this machine\n`);
      return undefined;
    }
    const result = await work(env);
    process.stderr.write(`faults: ${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    return result;
  } catch (err) {
    process.stderr.write(`faults: ${name} FAILED: ${(err as Error).stack ?? String(err)}\n`);
    rows.push({ fault: name, survived: false, lost: 0, duplicated: 0, healthMaxMs: null, lsMaxMs: null, controlMaxMs: null, note: `failed: ${(err as Error).message}` });
    return undefined;
  } finally {
    if (setup && ready) {
      await env.stopDaemon().catch(() => undefined);
      await env.tmux(['kill-server']);
      await unmountSmallDisk(env);
    }
    await env.cleanup();
  }
}

const HTTP_RUNS = 600;
const MCP_RUNS = 200;

async function main(): Promise<number> {
  const started = performance.now();
  const fuzz = await inWorld('fuzzing', async (env) => {
    const client = await env.client();
    const terminal = await env.launch(['--provider', 'shell']);
    await holdTmuxServer(env);
    const known = await knownIds(client, terminal);
    const http = await fuzzHttp(client, known, HTTP_RUNS);
    const mcp = await fuzzMcp({
      bin: conductorBin,
      env: { ...(process.env as Record<string, string>), ...env.env, CONDUCTOR_TERMINAL_ID: terminal.id, CONDUCTOR_MCP_WAIT_SECONDS: '1' },
      known,
      numRuns: MCP_RUNS,
    });
    const db = checkConsistency(env.layout.database);
    const sameDaemon = (await env.client()).state.pid === client.state.pid;
    return { http: http.stats, mcp: { ...mcp.stats, alive: mcp.alive }, internalErrors: internalErrorsLogged(env.layout.daemonLog).length, db, sameDaemon };
  });
  results.fuzz = fuzz;

  for (const [name, scenario] of [
    ['SIGKILL during a handoff', killDuringHandoff],
    ['SIGKILL during an approval wait', killDuringApprovalWait],
    ['SIGKILL during a flow run', killDuringFlowRun],
  ] as const) {
    const f = await inWorld(name, scenario);
    if (!f) continue;
    results[name] = f;
    rows.push({ fault: f.fault, survived: f.survived, lost: f.messages.lost, duplicated: f.messages.duplicated, healthMaxMs: null, lsMaxMs: null, controlMaxMs: null, note: `${f.detail}; new daemon answered ${f.restartMs} ms after the kill` });
  }

  const workers = await inWorld('a failure in each background worker', failEachWorker);
  if (workers) {
    results.workers = workers;
    for (const w of workers.workers) {
      rows.push({
        fault: `failure injected into the ${w.worker} worker`,
        survived: w.logged && w.workedAfter && workers.sameDaemon,
        lost: w.worker === 'inbox' && !workers.messageDeliveredOnce ? 1 : 0,
        duplicated: 0,
        healthMaxMs: null,
        lsMaxMs: null,
        controlMaxMs: null,
        note: `logged: ${w.logged}; worked after: ${w.workedAfter}; same daemon: ${workers.sameDaemon}`,
      });
    }
  }

  const stall = await inWorld('tmux stall', stallTmux);
  if (stall) {
    results.stall = stall;
    rows.push({
      fault: stall.fault,
      survived: stall.survived,
      lost: stall.messages.lost,
      duplicated: stall.messages.duplicated,
      healthMaxMs: stall.health.maxMs,
      lsMaxMs: stall.ls.maxMs,
      controlMaxMs: stall.control.maxMs,
      note: `input: ${stall.input.status} after ${stall.input.ms} ms ("${stall.input.message.slice(0, 60)}…"); ${stall.messages.sent} messages queued during it`,
    });
  }

  const flood = await inWorld('output flood', async (env) => ({ flood: await floodOutput(env), oversized: await oversizedBodies(await env.client()) }));
  if (flood) {
    results.flood = flood;
    const f = flood.flood;
    rows.push({
      fault: f.fault,
      survived: f.survived,
      lost: 0,
      duplicated: 0,
      healthMaxMs: f.health.maxMs,
      lsMaxMs: f.ls.maxMs,
      controlMaxMs: f.control.maxMs,
      note: `${f.seconds} s; RSS ${f.rssMb.before} → peak ${f.rssMb.peak} → ${f.rssMb.after} MB; raw log ${(f.rawLog.bytes / 1048576).toFixed(1)} MB, rotated: ${f.rawLog.rotated}`,
    });
    const o = flood.oversized;
    rows.push({
      fault: `${o.bodies} request bodies of 60 MB`,
      survived: o.statuses.every((s) => s === 413) && o.rssMb.after - o.rssMb.before < 64,
      lost: 0,
      duplicated: 0,
      healthMaxMs: null,
      lsMaxMs: null,
      controlMaxMs: null,
      note: `statuses ${[...new Set(o.statuses)].join(',')}; RSS ${o.rssMb.before} → ${o.rssMb.after} MB`,
    });
  }

  const disk = await inWorld('full disk', fillTheDisk, mountSmallDisk);
  if (disk) {
    results.disk = disk;
    rows.push({
      fault: disk.fault,
      survived: disk.survived,
      lost: 0,
      duplicated: 0,
      healthMaxMs: null,
      lsMaxMs: null,
      controlMaxMs: null,
      note: `writes ${JSON.stringify(disk.writes)}; CLI exit ${disk.cli.exitCode}; after freeing: ${disk.afterFreeing.status}, integrity ${disk.afterFreeing.integrity}`,
    });
  }

  const durationS = Math.round((performance.now() - started) / 100) / 10;
  const out = process.stdout;
  out.write(`\nconductor fault suite, ${durationS} s\n\n`);
  if (fuzz) {
    const fiveXX = fuzz.http.serverErrors.length;
    out.write(`fuzzing: ${fuzz.http.requests} HTTP requests over every route, ${fiveXX} answered 5xx (${fuzz.http.unanswered} unanswered); by status ${JSON.stringify(fuzz.http.byStatus)}\n`);
    out.write(`         ${fuzz.mcp.calls} MCP tool calls over ${fuzz.mcp.tools.length} tools, ${fuzz.mcp.crashes.length} internal failures; MCP server alive: ${fuzz.mcp.alive}\n`);
    out.write(`         daemon 500s logged: ${fuzz.internalErrors}; same daemon throughout: ${fuzz.sameDaemon}; integrity_check: ${fuzz.db.integrity}; orphaned rows: ${fuzz.db.totalOrphans}\n\n`);
  }
  const cell = (x: number | null) => (x === null ? '-' : `${x} ms`);
  const table = [
    ['fault', 'survived', 'lost', 'dup', '/health max', 'ls max', 'control max', 'detail'],
    ...rows.map((r) => [r.fault, r.survived ? 'yes' : 'NO', String(r.lost), String(r.duplicated), cell(r.healthMaxMs), cell(r.lsMaxMs), cell(r.controlMaxMs), r.note]),
  ];
  const last = table[0].length - 1;
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => (i === last ? 0 : row[i].length))));
  for (const row of table) out.write(`${row.map((c, i) => (i === last ? c : c.padEnd(widths[i]))).join('  ')}\n`);
  out.write(`(latency goals: /health < 100 ms and ls < 200 ms, or that much over the control server probed at the same time, on a busy machine)\n`);
  const survived = rows.filter((r) => r.survived).length;
  const lost = rows.reduce((a, r) => a + r.lost, 0);
  const duplicated = rows.reduce((a, r) => a + r.duplicated, 0);
  const fiveXX = fuzz ? fuzz.http.serverErrors.length + fuzz.mcp.crashes.length + fuzz.internalErrors : -1;
  out.write(`\nfaults injected: ${rows.length}, survived: ${survived}; messages lost: ${lost}, duplicated: ${duplicated}; 5xx seen while fuzzing: ${fiveXX}\n`);
  const met = fuzz !== undefined && fiveXX === 0 && survived === rows.length && lost === 0 && duplicated === 0;
  out.write(met ? 'All goals met.\n' : 'MISSED: see above.\n');
  const file = join(findRepoRoot(), 'bench', 'results', 'faults.json');
  writeJson(file, { date: new Date().toISOString(), durationS, rows, results, met });
  out.write(`\nresults written to bench/results/faults.json\n`);
  return met ? 0 : 1;
}

process.exitCode = await main();
