import { afterAll, describe, expect, it } from 'vitest';
import { failEachWorker, FAULTY_WORKERS } from '../../bench/faults/workers.js';
import { TestEnv } from '../helpers/env.js';

describe('a failure in a background worker', () => {
  const env = new TestEnv();
  afterAll(() => env.cleanup());

  it('is logged, the daemon keeps answering, and the worker goes on working', async () => {
    const f = await failEachWorker(env);
    expect(f.workers.map((w) => w.worker).sort()).toEqual([...FAULTY_WORKERS].sort());
    for (const w of f.workers) expect(w, w.worker).toEqual({ worker: w.worker, logged: true, workedAfter: true });
    expect(f.messageDeliveredOnce).toBe(true);
    expect(f.sameDaemon).toBe(true);
  }, 120_000);
});
