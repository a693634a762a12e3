import type { ScreenState } from '../providers/types.js';
import type { TerminalStatus } from '../terminal/schema.js';

/**
 * The per-terminal status machine. Pure: the screen's state, the time and what input was sent
 * go in; the next status comes out. The clock is passed in, never read.
 */
export interface TrackerState {
  status: TerminalStatus;
  detail: string | null;
  startedAt: number;
  /** Input was delivered and its answer has not been seen complete yet. */
  awaitingResponse: boolean;
  /** The screen just before that input; an idle screen that differs from it means an answer arrived. */
  screenBeforeInput: string | null;
  sawBusySinceInput: boolean;
}

export function initialTracker(now: number): TrackerState {
  return {
    status: 'starting',
    detail: null,
    startedAt: now,
    awaitingResponse: false,
    screenBeforeInput: null,
    sawBusySinceInput: false,
  };
}

export function inputSent(state: TrackerState, screenBefore: string): TrackerState {
  if (state.status === 'exited') return state;
  // Busy at once: a waiter must never mistake the previous answer's `completed` for this one's.
  return {
    ...state,
    status: 'busy',
    detail: 'input delivered',
    awaitingResponse: true,
    screenBeforeInput: screenBefore,
    sawBusySinceInput: false,
  };
}

export interface Observation {
  screenState: ScreenState;
  screen: string;
  now: number;
  startupTimeoutMs: number;
}

export function observe(state: TrackerState, o: Observation): TrackerState {
  if (state.status === 'exited') return state;
  switch (o.screenState) {
    case 'unknown':
      return state;
    case 'starting': {
      if (state.status !== 'starting') return state; // An unreadable screen later on changes nothing.
      if (o.now - state.startedAt > o.startupTimeoutMs) {
        return { ...state, status: 'error', detail: `not ready after ${o.startupTimeoutMs} ms` };
      }
      return state;
    }
    case 'busy':
      return { ...state, status: 'busy', detail: null, sawBusySinceInput: state.awaitingResponse || state.sawBusySinceInput };
    case 'waiting_input':
      return { ...state, status: 'waiting_input', detail: null };
    case 'error':
      return { ...state, status: 'error', detail: 'the agent shows an error', awaitingResponse: false };
    case 'idle': {
      if (state.awaitingResponse) {
        const answered = state.sawBusySinceInput || normalise(o.screen) !== normalise(state.screenBeforeInput ?? '');
        if (answered) {
          return { ...state, status: 'completed', detail: null, awaitingResponse: false, screenBeforeInput: null };
        }
        return { ...state, status: 'idle', detail: null };
      }
      // Idle after an answer stays `completed` until the next input.
      return { ...state, status: state.status === 'completed' ? 'completed' : 'idle', detail: null };
    }
  }
}

function normalise(screen: string): string {
  return screen.replace(/\s+$/gm, '').trimEnd();
}
