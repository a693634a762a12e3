import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ratioOf, type Figure } from './report.js';
import { summarise } from './stats.js';
import { run } from './world.js';

const RUNS = 20;
const WARMUP = 2;

async function timed(cmd: string, args: string[]): Promise<number> {
  const t0 = performance.now();
  const r = await run(cmd, args);
  const elapsed = performance.now() - t0;
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  return elapsed;
}

/** `conductor --version` against `node -e 0`, interleaved so both see the same machine load. */
export async function measureColdStart(repoRoot: string): Promise<Figure[]> {
  const bin = join(repoRoot, 'bin', 'conductor');
  const cli: number[] = [];
  const node: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const a = await timed(bin, ['--version']);
    const b = await timed('node', ['-e', '0']);
    if (i >= WARMUP) {
      cli.push(a);
      node.push(b);
    }
  }
  const c = summarise(cli);
  const n = summarise(node);
  const detail = { runs: RUNS, conductor: c, node: n };
  return [
    {
      id: 'cold_start_p50',
      label: 'CLI cold start `conductor --version`, median',
      unit: 'ms',
      value: c.p50,
      baseline: n.p50,
      baselineLabel: 'node -e 0',
      ratio: ratioOf(c.p50, n.p50),
      goal: 'ratio <= 2',
      met: ratioOf(c.p50, n.p50) <= 2,
      detail,
    },
    {
      id: 'cold_start_p90',
      label: 'CLI cold start `conductor --version`, p90',
      unit: 'ms',
      value: c.p90,
      baseline: n.p90,
      baselineLabel: 'node -e 0',
      ratio: ratioOf(c.p90, n.p90),
      goal: 'ratio <= 2',
      met: ratioOf(c.p90, n.p90) <= 2,
      detail,
    },
  ];
}
