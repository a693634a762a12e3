import { afterAll, describe, expect, it } from 'vitest';
import { withinGoal } from '../../bench/faults/measure.js';
import { stallTmux } from '../../bench/faults/tmuxStall.js';
import { TestEnv } from '../helpers/env.js';

describe('a stopped tmux server', () => {
  const env = new TestEnv();
  afterAll(() => env.cleanup());

  it('gives input a clear timeout while /health answers within 100 ms; nothing is lost or repeated after', async () => {
    const f = await stallTmux(env);
    expect(f.input.status).toBe(504);
    expect(f.input.message).toMatch(/^tmux did not answer `[a-z-]+` within 5 s: its server .* is stopped or overloaded; try again in a moment$/);
    expect(f.input.ms).toBeLessThan(8_000);
    expect(f.health.failures).toBe(0);
    expect(f.health.samples).toBeGreaterThan(50);
    // On a loaded machine the goal applies to what the daemon adds to a trivial server's latency.
    expect(withinGoal(f.health, f.control, 100), JSON.stringify({ health: f.health, control: f.control })).toBe(true);
    expect(withinGoal(f.ls, f.control, 200), JSON.stringify({ ls: f.ls, control: f.control })).toBe(true);
    expect(f.messages).toEqual({ sent: 20, lost: 0, duplicated: 0 });
    expect(f.recovered).toBe(true);
  }, 90_000);
});
