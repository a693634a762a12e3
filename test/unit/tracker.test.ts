import { describe, expect, it } from 'vitest';
import {
  FALLBACK_AFTER_MS,
  QUEUED_TURN_GRACE_MS,
  eventReceived,
  initialTracker,
  inputAbandoned,
  interruptSent,
  inputExpected,
  inputSent,
  observe,
  wantsConfirmation,
  type TrackerState,
} from '../../src/status/tracker.js';
import type { AgentEvent, ScreenState } from '../../src/providers/types.js';

const see = (s: TrackerState, screenState: ScreenState, screen = 'x', now = 1000) =>
  observe(s, { screenState, screen, now, startupTimeoutMs: 5000 });
/** The same idle screen judged twice in a row, as the monitor's confirming judgement does. */
const idleTwice = (s: TrackerState, screen: string, now = 1000) => see(see(s, 'idle', screen, now), 'idle', screen, now + 200);
const event = (s: TrackerState, kind: AgentEvent['kind'], extra: Partial<AgentEvent> = {}, now = 1000) =>
  eventReceived(s, { kind, ...extra }, now);

describe('status tracker, screen only', () => {
  it('starts as starting and becomes idle once the idle screen holds across two judgements', () => {
    const once = see(initialTracker(0), 'idle', 'prompt');
    expect(once.status).toBe('starting');
    expect(wantsConfirmation(once)).toBe(true);
    expect(see(once, 'idle', 'prompt, still drawing').status).toBe('starting');
    expect(idleTwice(initialTracker(0), 'prompt').status).toBe('idle');
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
    s = idleTwice(s, 'answer 1');
    expect(s.status).toBe('completed');
    s = inputSent(s, 'answer 1');
    expect(s.status).toBe('busy');
  });

  it('needs the idle screen twice in a row, unchanged, before a turn is completed', () => {
    let s = see(inputSent(see(initialTracker(0), 'idle', '$'), '$'), 'busy', 'working');
    s = see(s, 'idle', 'half an answer');
    expect(s.status).toBe('busy');
    expect(wantsConfirmation(s)).toBe(true);
    // The spinner moved between the two judgements: still busy.
    s = see(s, 'idle', 'half an answer ⠙');
    expect(s.status).toBe('busy');
    s = see(s, 'idle', 'half an answer ⠙');
    expect(s.status).toBe('completed');
  });

  it('completes a fast answer it never saw busy, once the screen differs from before the input', () => {
    let s = see(initialTracker(0), 'idle', '$');
    s = inputSent(s, '$');
    expect(idleTwice(s, '$').status).toBe('idle');
    expect(idleTwice(s, '$ true\n$').status).toBe('completed');
  });

  it('keeps the status on a screen with no sign of any state', () => {
    let s = see(inputSent(see(initialTracker(0), 'idle', '$'), '$'), 'busy', 'working');
    for (let i = 0; i < 5; i++) s = see(s, 'unknown', 'reworded spinner', 1000 + i * 1000);
    expect(s.status).toBe('busy');
  });

  it('does not let a message delivered mid-turn be closed by the end of the turn before it', () => {
    let s = see(inputSent(see(initialTracker(0), 'idle', '$'), '$'), 'busy', 'turn 1');
    s = inputSent(s, 'turn 1'); // delivered while busy
    s = idleTwice(s, 'answer 1', 2000);
    expect(s.status).toBe('busy');
    s = see(s, 'busy', 'turn 2', 3000);
    s = idleTwice(s, 'answer 2', 4000);
    expect(s.status).toBe('completed');
  });

  it('completes a turn that took queued input in, once the screen stayed idle long enough', () => {
    let s = see(inputSent(see(initialTracker(0), 'idle', '$'), '$'), 'busy', 'turn 1');
    s = inputSent(s, 'turn 1');
    s = idleTwice(s, 'answer 1 and 2', 2000);
    expect(s.status).toBe('busy');
    s = see(s, 'idle', 'answer 1 and 2', 2200 + QUEUED_TURN_GRACE_MS - 1);
    expect(s.status).toBe('busy');
    s = see(s, 'idle', 'answer 1 and 2', 2200 + QUEUED_TURN_GRACE_MS);
    expect(s.status).toBe('completed');
  });

  it('follows a turn it did not start (a human typing in the pane) from busy to completed', () => {
    let s = idleTwice(inputSent(see(initialTracker(0), 'idle', '$'), '$'), 'answer 1');
    expect(s.status).toBe('completed');
    s = see(s, 'busy', 'typed by hand, working');
    expect(s.awaitingResponse).toBe(true);
    s = idleTwice(s, 'answer to the human');
    expect(s.status).toBe('completed');
  });

  it('stays completed while idle, and reports waiting_input and error', () => {
    let s = see(inputSent(see(initialTracker(0), 'idle'), 'x'), 'busy');
    s = idleTwice(s, 'y');
    expect(see(s, 'idle', 'y').status).toBe('completed');
    expect(see(s, 'waiting_input').status).toBe('waiting_input');
    expect(see(s, 'error').status).toBe('error');
  });

  it('never leaves exited', () => {
    const exited: TrackerState = { ...initialTracker(0), status: 'exited' };
    for (const st of ['idle', 'busy', 'error', 'waiting_input', 'starting', 'unknown'] as const) expect(see(exited, st).status).toBe('exited');
    expect(inputSent(exited, '').status).toBe('exited');
    expect(event(exited, 'turn_start').status).toBe('exited');
  });
});

describe('status tracker, with the agent reporting its own events', () => {
  const ready = () => idleTwice(event(initialTracker(0, 'expected'), 'session_start'), 'prompt');
  /** Input as the conductor submits it: expected before its Enter, confirmed after. */
  const deliver = (s: TrackerState) => inputSent(inputExpected(s), 'prompt');

  it('opens the turn before the Enter, so hooks faster than its confirmation are not lost', () => {
    let s = inputExpected(ready());
    expect(s.status).toBe('busy');
    s = event(s, 'turn_start');
    s = event(s, 'turn_end', { response: 'fast' });
    expect(s.status).toBe('completed');
    // The Enter's confirmation arrives after the whole turn: it reopens nothing.
    expect(inputSent(s, 'prompt').status).toBe('completed');
  });

  it('goes back to the previous status when the expected input is never submitted', () => {
    const s = inputAbandoned(inputExpected(ready()));
    expect(s.status).toBe('idle');
    expect(s.awaitingResponse).toBe(false);
  });


  it('completes at the turn-end event with the exact answer, not at an idle screen', () => {
    let s = deliver(ready());
    s = event(s, 'turn_start', { prompt: 'hi' });
    s = idleTwice(s, 'looks idle during a pause');
    expect(s.status).toBe('busy');
    s = event(s, 'turn_end', { response: 'the exact answer' });
    expect(s.status).toBe('completed');
    expect(s.eventResponse).toBe('the exact answer');
  });

  it('follows a turn the conductor did not start (a human typing in the pane)', () => {
    let s = event(ready(), 'turn_start', { prompt: 'typed by hand' });
    expect(s.status).toBe('busy');
    s = event(s, 'turn_end', { response: 'answer to the human' });
    expect(s.status).toBe('completed');
  });

  it('keeps a turn open while input it delivered has not started its own turn', () => {
    let s = deliver(ready());
    s = event(s, 'turn_start');
    s = deliver(s);
    s = event(s, 'turn_end', { response: 'first' });
    expect(s.status).toBe('busy');
    s = event(s, 'turn_start');
    s = event(s, 'turn_end', { response: 'second' });
    expect(s.status).toBe('completed');
    expect(s.eventResponse).toBe('second');
  });

  it('counts each turn end against one input when the agent reports only turn ends', () => {
    let s = deliver(ready());
    s = deliver(s);
    s = event(s, 'turn_end', { response: 'first' });
    expect(s.status).toBe('busy');
    s = event(s, 'turn_end', { response: 'second' });
    expect(s.status).toBe('completed');
  });

  it('trusts the events over a screen that still looks busy after the turn ended', () => {
    let s = event(event(ready(), 'turn_start'), 'turn_end', { response: 'done' }, 2000);
    s = see(s, 'busy', 'spinner still drawn', 2100);
    expect(s.status).toBe('completed');
    expect(s.disagreeSince).toBe(2100);
  });

  it('reports permission prompts from the event and from the screen, and goes back to busy after', () => {
    let s = event(deliver(ready()), 'turn_start');
    s = event(s, 'waiting_input', { detail: 'Claude needs your permission to use Bash' });
    expect(s.status).toBe('waiting_input');
    s = event(s, 'tool_start');
    expect(s.status).toBe('busy');
    s = see(s, 'waiting_input', 'a dialog with no hook');
    expect(s.status).toBe('waiting_input');
  });

  it('falls back to the screen when the turn-end event never comes', () => {
    let s = deliver(see(initialTracker(0, 'expected'), 'idle', 'prompt'));
    s = see(s, 'busy', 'working', 1000);
    s = see(s, 'idle', 'answer', 2000);
    s = see(s, 'idle', 'answer', 2000 + FALLBACK_AFTER_MS - 1);
    expect(s.status).toBe('busy');
    s = see(s, 'idle', 'answer', 2000 + FALLBACK_AFTER_MS);
    expect(s.status).toBe('completed');
    expect(s.detail).toMatch(/no turn-end event/);
  });

  it('ends an interrupted turn at the next idle screen, though no turn-end event comes', () => {
    let s = event(deliver(ready()), 'turn_start');
    s = interruptSent(s);
    s = see(s, 'idle', 'Interrupted by user');
    expect(s.status).toBe('idle');
    expect(s.detail).toBe('interrupted');
    expect(s.awaitingResponse).toBe(false);
  });

  it('reports a failed turn as an error', () => {
    const s = event(event(ready(), 'turn_start'), 'turn_failed', { detail: 'rate limited' });
    expect(s.status).toBe('error');
    expect(s.detail).toBe('rate limited');
    expect(s.awaitingResponse).toBe(false);
  });
});
