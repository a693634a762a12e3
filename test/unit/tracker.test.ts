import { describe, expect, it } from 'vitest';
import { initialTracker, inputSent, observe, type TrackerState } from '../../src/status/tracker.js';
import type { ScreenState } from '../../src/providers/types.js';

const see = (s: TrackerState, screenState: ScreenState, screen = 'x', now = 1000) =>
  observe(s, { screenState, screen, now, startupTimeoutMs: 5000 });

describe('status tracker', () => {
  it('starts as starting and becomes idle at the first idle screen', () => {
    const s = see(initialTracker(0), 'idle');
    expect(s.status).toBe('idle');
  });

  it('turns an unreadable start into error after the start-up timeout, judged by the injected clock', () => {
    const start = initialTracker(0);
    expect(see(start, 'starting', '', 4999).status).toBe('starting');
    const late = see(start, 'starting', '', 5001);
    expect(late.status).toBe('error');
    expect(late.detail).toMatch(/not ready after 5000 ms/);
  });

  it('is busy the moment input lands, so an old `completed` is never mistaken for the new answer', () => {
    let s = see(initialTracker(0), 'idle', 'prompt');
    s = inputSent(s, 'prompt');
    s = see(s, 'busy', 'thinking');
    s = see(s, 'idle', 'answer 1');
    expect(s.status).toBe('completed');
    s = inputSent(s, 'answer 1');
    expect(s.status).toBe('busy');
  });

  it('completes a fast answer it never saw busy, once the screen differs from before the input', () => {
    let s = see(initialTracker(0), 'idle', '$');
    s = inputSent(s, '$');
    expect(see(s, 'idle', '$').status).toBe('idle');
    expect(see(s, 'idle', '$ true\n$').status).toBe('completed');
  });

  it('stays completed while idle, and reports waiting_input and error', () => {
    let s = see(inputSent(see(initialTracker(0), 'idle'), 'x'), 'busy');
    s = see(s, 'idle', 'y');
    expect(see(s, 'idle', 'y').status).toBe('completed');
    expect(see(s, 'waiting_input').status).toBe('waiting_input');
    expect(see(s, 'error').status).toBe('error');
  });

  it('never leaves exited', () => {
    const exited: TrackerState = { ...initialTracker(0), status: 'exited' };
    for (const st of ['idle', 'busy', 'error', 'waiting_input', 'starting'] as const) expect(see(exited, st).status).toBe('exited');
    expect(inputSent(exited, '').status).toBe('exited');
  });
});
