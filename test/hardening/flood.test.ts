import { afterAll, describe, expect, it } from 'vitest';
import { floodOutput } from '../../bench/faults/flood.js';
import { withinGoal } from '../../bench/faults/measure.js';
import { TestEnv } from '../helpers/env.js';

describe('an output flood', () => {
  const env = new TestEnv();
  afterAll(() => env.cleanup());

  it('keeps ls under 200 ms and daemon memory bounded while one terminal prints 80 MB; the raw log rotates', async () => {
    const f = await floodOutput(env);
    expect(f.ls.samples).toBeGreaterThan(5);
    // On a loaded machine the goal applies to what the daemon adds to a trivial server's latency.
    expect(withinGoal(f.ls, f.control, 200), JSON.stringify({ ls: f.ls, control: f.control })).toBe(true);
    expect(f.health.failures).toBe(0);
    expect(f.rssMb.peak - f.rssMb.before).toBeLessThan(150);
    expect(f.rawLog.rotated).toBe(true);
    expect(f.rawLog.bytes).toBeLessThanOrEqual(f.rawLog.limit * 1.5);
  }, 200_000);
});
