import { performance } from 'node:perf_hooks';

export { rssMb } from '../idleCpu.js';

export interface LatencySummary {
  samples: number;
  maxMs: number;
  p50Ms: number;
  /** Requests that failed or took longer than the probe's timeout. */
  failures: number;
}

export function summarise(latencies: number[], failures = 0): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    samples: sorted.length,
    maxMs: round(sorted.at(-1) ?? 0),
    p50Ms: round(sorted[Math.floor(sorted.length / 2)] ?? 0),
    failures,
  };
}

/** Times one request; a failure or a timeout counts as the time it took and as a failure. */
export async function timed(url: string, headers: Record<string, string> = {}, timeoutMs = 15_000): Promise<{ ms: number; ok: boolean; status: number }> {
  const t0 = performance.now();
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return { ms: performance.now() - t0, ok: res.ok, status: res.status };
  } catch {
    return { ms: performance.now() - t0, ok: false, status: 0 };
  }
}

/**
 * Requests `url` back to back, at most every `intervalMs`, until stopped: the latency a user
 * sees throughout a fault. One request at a time, so a stalled daemon shows as one long sample.
 */
export function probe(url: string, headers: Record<string, string> = {}, intervalMs = 50): { stop: () => Promise<LatencySummary> } {
  const latencies: number[] = [];
  let failures = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const r = await timed(url, headers);
      latencies.push(r.ms);
      if (!r.ok) failures++;
      const left = intervalMs - (performance.now() - started);
      if (left > 0 && running) await new Promise((resolve) => setTimeout(resolve, left));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return summarise(latencies, failures);
    },
  };
}

/**
 * A trivial HTTP server in a process of its own, probed beside the daemon: on a busy machine its
 * latency is what scheduling alone costs, so the daemon is judged by what it adds to that.
 */
export async function startControlServer(): Promise<{ url: string; stop: () => void }> {
  const { spawn } = await import('node:child_process');
  const script = "require('http').createServer((q,s)=>s.end('{}')).listen(0,'127.0.0.1',function(){console.log(this.address().port)})";
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    child.once('exit', () => reject(new Error('the control server did not start')));
  });
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill() };
}

/** Met when the worst latency is under `goalMs`, or adds less than `goalMs` to the control's worst. */
export function withinGoal(measured: LatencySummary, control: LatencySummary, goalMs: number): boolean {
  return measured.failures === 0 && (measured.maxMs < goalMs || measured.maxMs - control.maxMs < goalMs);
}
