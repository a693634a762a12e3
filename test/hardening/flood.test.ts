import { afterAll, describe, expect, it } from 'vitest';
import { floodOutput } from '../../bench/faults/flood.js';
import { TestEnv } from '../helpers/env.js';

describe('an output flood', () => {
  const env = new TestEnv();
  afterAll(() => env.cleanup());

  it('keeps ls under 200 ms and daemon memory bounded while one terminal prints 80 MB; the raw log rotates', async () => {
    const f = await floodOutput(env);
    expect(f.ls.failures).toBe(0);
    expect(f.ls.samples).toBeGreaterThan(5);
    expect(f.ls.maxMs).toBeLessThan(200);
    expect(f.health.failures).toBe(0);
    expect(f.rssMb.peak - f.rssMb.before).toBeLessThan(150);
    expect(f.rawLog.rotated).toBe(true);
    expect(f.rawLog.bytes).toBeLessThanOrEqual(f.rawLog.limit * 1.5);
  }, 200_000);
});
