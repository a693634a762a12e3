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
