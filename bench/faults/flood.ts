import { existsSync, statSync } from 'node:fs';
import { request } from 'node:http';
import type { DaemonClient } from '../../src/cli/client.js';
import { terminalRawLogPath } from '../../src/config/paths.js';
import { RAW_LOG_MAX_BYTES, rotatedPath } from '../../src/terminal/logRotation.js';
import type { TestEnv } from '../../test/helpers/env.js';
import { probe, rssMb, startControlServer, withinGoal, type LatencySummary } from './measure.js';

export const FLOOD_BYTES = 80 * 1024 * 1024;

export interface FloodFigure {
  fault: string;
  survived: boolean;
  ls: LatencySummary;
  health: LatencySummary;
  /** The same probe against a trivial server beside the daemon: what the machine's load alone costs. */
  control: LatencySummary;
  rssMb: { before: number; peak: number; after: number };
  rawLog: { bytes: number; rotated: boolean; limit: number };
  seconds: number;
}

/** One terminal prints 80 MB as fast as it can, while `ls` and /health are timed and RSS sampled. */
export async function floodOutput(env: TestEnv): Promise<FloodFigure> {
  const client = await env.client();
  const t = await env.launch(['--provider', 'shell', '--session', 'flood']);
  const auth = { authorization: `Bearer ${client.state.token}` };
  const before = rssMb(client.state.pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(client.state.pid))), 100);
  const controlServer = await startControlServer();
  const control = probe(controlServer.url, {}, 100);
  const ls = probe(`${client.baseUrl}/sessions`, auth, 100);
  const health = probe(`${client.baseUrl}/health`, {}, 100);
  const t0 = Date.now();
  // base64 lines of 199 characters: 60 MB of random bytes become 80 MB of text.
  await env.cliOk(['send', t.id, `head -c ${(FLOOD_BYTES * 3) / 4} /dev/urandom | base64 -w 199; echo FLOOD-''DONE`]);
  await env.waitForStatus(t.id, ['completed', 'idle'], 180_000);
  const seconds = Math.round((Date.now() - t0) / 100) / 10;
  const lsFigures = await ls.stop();
  const healthFigures = await health.stop();
  const controlFigures = await control.stop();
  controlServer.stop();
  clearInterval(sampler);
  const raw = terminalRawLogPath(env.layout, t.id);
  const rawBytes = statSync(raw).size;
  const rotated = existsSync(rotatedPath(raw));
  const after = rssMb(client.state.pid);
  await env.cliOk(['shutdown', t.id]);
  return {
    fault: `${FLOOD_BYTES / 1024 / 1024} MB output flood from one terminal`,
    survived: withinGoal(lsFigures, controlFigures, 200) && rotated && rawBytes <= RAW_LOG_MAX_BYTES * 1.5,
    ls: lsFigures,
    health: healthFigures,
    control: controlFigures,
    rssMb: { before, peak, after },
    rawLog: { bytes: rawBytes, rotated, limit: RAW_LOG_MAX_BYTES },
    seconds,
  };
}

/** Streams `bytes` of body to POST /messages; resolves with the status the daemon answered. */
export function sendLargeBody(client: DaemonClient, bytes: number, chunked: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { authorization: `Bearer ${client.state.token}`, 'content-type': 'application/json' };
    if (!chunked) headers['content-length'] = bytes;
    const req = request({ host: '127.0.0.1', port: client.state.port, path: '/messages', method: 'POST', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    // The daemon may answer and close before the whole body is sent: that is the point.
    req.on('error', (err) => (/EPIPE|ECONNRESET/.test(err.message) ? undefined : reject(err)));
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    req.write('{"to":"deadbeef","message":"');
    pump();
  });
}

export interface OversizedFigure {
  bodies: number;
  statuses: number[];
  rssMb: { before: number; after: number };
}

/** Six 60 MB bodies, declared and chunked: each must be refused early, and memory must not follow. */
export async function oversizedBodies(client: DaemonClient): Promise<OversizedFigure> {
  const before = rssMb(client.state.pid);
  const statuses: number[] = [];
  for (const chunked of [false, false, true, true, true, true]) statuses.push((await sendLargeBody(client, 60 * 1024 * 1024, chunked)).status);
  return { bodies: statuses.length, statuses, rssMb: { before, after: rssMb(client.state.pid) } };
}
