import type { AgentEvent, ScreenState } from '../providers/types.js';
import type { TerminalStatus } from '../terminal/schema.js';

/**
 * The per-terminal status machine, fed by two sources: the agent's own hook events and
 * judgements of its screen. Pure: the observation and the time go in, the next state comes out;
 * the clock is passed in, never read.
 *
 * Which source decides a turn's end:
 * - `events: 'none'`: the screen alone (a provider without hooks, or events switched off). A turn
 *   ends on a positive idle screen seen in two judgements in a row, unchanged in between.
 * - `expected` / `live`: the agent's `turn_end` event. The screen still reports dialogs
 *   (`waiting_input`), errors and the start-up, and takes over a turn whose end event never comes
 *   once the screen has stayed idle for `FALLBACK_AFTER_MS`.
 */
export interface TrackerState {
  status: TerminalStatus;
  detail: string | null;
  startedAt: number;
  events: 'none' | 'expected' | 'live';
  /** The agent reports the start of its turns (a hook like UserPromptSubmit), not only their end. */
  turnStartsReported: boolean;
  /** A turn is open: input was delivered, or the agent started one, and its end was not seen yet. */
  awaitingResponse: boolean;
  /** Inputs the conductor delivered that no turn_start event has taken up yet. */
  pendingInputs: number;
  /** Screen path: inputs delivered while a turn was already open, each still owed a turn of its own. */
  queuedInputs: number;
  /** The screen just before that input; an idle screen that differs from it means an answer arrived. */
  screenBeforeInput: string | null;
  sawBusySinceInput: boolean;
  /** The previous judgement's idle screen while a turn is open (two in a row end it), and since when. */
  idleScreen: string | null;
  idleSince: number | null;
  /** The exact answer of the last finished turn, from the agent's own record (hook payload). */
  eventResponse: string | null;
  /** Since when the screen has contradicted the event-reported status (null: they agree). */
  disagreeSince: number | null;
  /** Screen path: when a turn ended with input still queued, which may have joined that turn. */
  mergedInputAt: number | null;
  /** The agent itself reported the open turn's start (not only the conductor's input). */
  turnOpenedByAgent: boolean;
  /** What the status was before input opened a turn, for an input that is then abandoned. */
  statusBeforeInput: TerminalStatus | null;
  /** The open turn was interrupted: the next idle screen ends it, whatever the events say. */
  interrupted: boolean;
}

/** A turn whose end event never came is ended by the screen after this long idle. */
export const FALLBACK_AFTER_MS = 10_000;
/**
 * Screen path: after a turn ended with input still queued, an idle screen unchanged this long
 * means no further turn is coming (the CLI took the input into the turn that ended, or the
 * queued turn was too quick to be seen busy).
 */
export const QUEUED_TURN_GRACE_MS = 3_000;
/** Screen and events may disagree this long before it is logged. */
export const DISAGREEMENT_LOG_MS = 3_000;

export function initialTracker(now: number, events: TrackerState['events'] = 'none'): TrackerState {
  return {
    status: 'starting',
    detail: null,
    startedAt: now,
    events,
    turnStartsReported: false,
    awaitingResponse: false,
    pendingInputs: 0,
    queuedInputs: 0,
    screenBeforeInput: null,
    sawBusySinceInput: false,
    idleScreen: null,
    idleSince: null,
    eventResponse: null,
    disagreeSince: null,
    mergedInputAt: null,
    turnOpenedByAgent: false,
    statusBeforeInput: null,
    interrupted: false,
  };
}

/**
 * Input is about to be submitted (before its Enter is pressed). With events, the agent's hooks may
 * report its turn before the conductor has confirmed the Enter, so the turn is opened now.
 */
export function inputExpected(state: TrackerState): TrackerState {
  if (state.status === 'exited' || state.events === 'none') return state;
  return {
    ...state,
    status: 'busy',
    detail: 'input sent',
    awaitingResponse: true,
    pendingInputs: state.pendingInputs + 1,
    sawBusySinceInput: false,
    idleScreen: null,
    idleSince: null,
    statusBeforeInput: state.pendingInputs === 0 && !state.awaitingResponse ? state.status : state.statusBeforeInput,
  };
}

/** The expected input was never submitted (its Enter did not land). */
export function inputAbandoned(state: TrackerState): TrackerState {
  if (state.status === 'exited' || state.events === 'none' || state.pendingInputs === 0) return state;
  const pendingInputs = state.pendingInputs - 1;
  if (pendingInputs > 0 || state.turnOpenedByAgent) return { ...state, pendingInputs };
  return { ...state, pendingInputs, status: state.statusBeforeInput ?? 'idle', detail: null, awaitingResponse: false };
}

/** Input was submitted: confirmed by the screen after its Enter. */
export function inputSent(state: TrackerState, screenBefore: string): TrackerState {
  if (state.status === 'exited') return state;
  // With events the turn was opened by inputExpected, and may even have ended already.
  if (state.events !== 'none') return { ...state, screenBeforeInput: screenBefore };
  const midTurn = state.awaitingResponse;
  // Busy at once: a waiter must never mistake the previous answer's `completed` for this one's.
  return {
    ...state,
    status: 'busy',
    detail: 'input delivered',
    awaitingResponse: true,
    pendingInputs: 0,
    queuedInputs: midTurn ? state.queuedInputs + 1 : 0,
    screenBeforeInput: midTurn ? state.screenBeforeInput : screenBefore,
    sawBusySinceInput: midTurn ? state.sawBusySinceInput : false,
    idleScreen: null,
    idleSince: null,
    mergedInputAt: midTurn ? state.mergedInputAt : null,
  };
}

const completed = (state: TrackerState, detail: string | null = null): TrackerState => ({
  ...state,
  status: 'completed',
  detail,
  awaitingResponse: false,
  pendingInputs: 0,
  queuedInputs: 0,
  screenBeforeInput: null,
  idleScreen: null,
  idleSince: null,
  disagreeSince: null,
  mergedInputAt: null,
  turnOpenedByAgent: false,
  statusBeforeInput: null,
  interrupted: false,
});

/** The agent's interrupt keys were sent: its turn stops, and a CLI may report no end for it. */
export function interruptSent(state: TrackerState): TrackerState {
  return state.awaitingResponse ? { ...state, interrupted: true } : state;
}

/** One event from the agent's own hooks. */
export function eventReceived(state: TrackerState, event: AgentEvent, now: number): TrackerState {
  if (state.status === 'exited') return state;
  const live: TrackerState = { ...state, events: 'live', disagreeSince: null };
  switch (event.kind) {
    case 'session_start':
    case 'session_end':
      return live;
    case 'turn_start':
      return {
        ...live,
        status: 'busy',
        detail: null,
        turnStartsReported: true,
        turnOpenedByAgent: true,
        awaitingResponse: true,
        pendingInputs: Math.max(0, state.pendingInputs - 1),
        sawBusySinceInput: true,
        idleScreen: null,
        idleSince: null,
        startedAt: state.status === 'starting' ? now : state.startedAt,
      };
    case 'tool_start':
    case 'tool_end':
      return state.awaitingResponse ? { ...live, status: 'busy', detail: null, sawBusySinceInput: true } : live;
    case 'waiting_input':
      return { ...live, status: 'waiting_input', detail: event.detail ?? null };
    case 'turn_failed':
      return { ...completed(live), status: 'error', detail: event.detail ?? 'the agent reports that its turn failed' };
    case 'turn_end': {
      // Without turn starts, each end takes up one delivered input.
      const pending = state.turnStartsReported ? state.pendingInputs : Math.max(0, state.pendingInputs - 1);
      const withResponse = { ...live, eventResponse: event.response ?? null };
      if (pending > 0) return { ...withResponse, pendingInputs: pending, status: 'busy', detail: null };
      return completed(withResponse);
    }
  }
}

export interface Observation {
  screenState: ScreenState;
  screen: string;
  now: number;
  startupTimeoutMs: number;
}

/** One judgement of the screen. */
export function observe(state: TrackerState, o: Observation): TrackerState {
  if (state.status === 'exited') return state;
  const next = observeScreen(state, o);
  return { ...next, disagreeSince: disagreement(state, next, o) };
}

function observeScreen(state: TrackerState, o: Observation): TrackerState {
  const notIdle = { ...state, idleScreen: null, idleSince: null };
  switch (o.screenState) {
    case 'unknown':
    case 'starting': {
      if (state.status !== 'starting') return notIdle; // An unreadable screen later on changes nothing.
      if (o.now - state.startedAt > o.startupTimeoutMs) {
        return { ...notIdle, status: 'error', detail: `not ready after ${o.startupTimeoutMs} ms` };
      }
      return notIdle;
    }
    case 'busy': {
      // Events that report turn starts are trusted over a screen that still (or already) looks busy.
      if (eventsDecide(state) && state.turnStartsReported && !state.awaitingResponse) return notIdle;
      // Busy with no input of the conductor's: a turn someone else started (a human in the pane).
      const opensTurn = !state.awaitingResponse && (state.status === 'idle' || state.status === 'completed');
      return {
        ...notIdle,
        status: 'busy',
        detail: null,
        awaitingResponse: state.awaitingResponse || opensTurn,
        sawBusySinceInput: state.awaitingResponse || opensTurn || state.sawBusySinceInput,
      };
    }
    case 'waiting_input':
      return { ...notIdle, status: 'waiting_input', detail: null };
    case 'error':
      if (eventsDecide(state) && state.awaitingResponse) return notIdle; // turn_failed says so, if it failed
      return { ...notIdle, status: 'error', detail: 'the agent shows an error', awaitingResponse: false };
    case 'idle':
      return observeIdle(state, o);
  }
}

function observeIdle(state: TrackerState, o: Observation): TrackerState {
  if (state.status === 'starting' && !state.awaitingResponse) {
    // Ready once the idle screen holds still across two judgements (the start-up may still be drawing).
    const screen = normalise(o.screen);
    if (state.idleScreen === screen) return { ...state, status: 'idle', detail: null, idleScreen: null, idleSince: null };
    return { ...state, idleScreen: screen, idleSince: o.now };
  }
  if (!state.awaitingResponse) {
    // Idle after an answer stays `completed` until the next input.
    return { ...state, status: state.status === 'completed' ? 'completed' : 'idle', detail: null, idleScreen: null, idleSince: null };
  }
  const screen = normalise(o.screen);
  const repeated = state.idleScreen === screen;
  const idleSince = repeated ? (state.idleSince ?? o.now) : o.now;
  const seen = { ...state, idleScreen: screen, idleSince };
  if (state.interrupted) return { ...completed(seen), status: 'idle', detail: 'interrupted' };
  if (state.status === 'waiting_input') seen.status = 'busy'; // the dialog was answered
  if (eventsDecide(state)) {
    if (o.now - idleSince >= FALLBACK_AFTER_MS) {
      // Hooks never heard from (switched off, or unable to reach the daemon): the screen alone from now on.
      const events = state.events === 'expected' ? 'none' : state.events;
      return completed({ ...seen, events }, 'the agent sent no turn-end event: judged from its screen');
    }
    return seen;
  }
  if (!repeated) return seen;
  if (state.queuedInputs > 0) {
    // A turn ended, but input delivered during it is owed a turn of its own: this is its start.
    return { ...seen, queuedInputs: state.queuedInputs - 1, screenBeforeInput: screen, sawBusySinceInput: false, mergedInputAt: o.now };
  }
  const answered = state.sawBusySinceInput || screen !== normalise(state.screenBeforeInput ?? '');
  if (answered) return completed(seen);
  // The CLI may have taken queued input into the turn that just ended: then no further turn comes.
  if (state.mergedInputAt !== null) return o.now - state.mergedInputAt >= QUEUED_TURN_GRACE_MS ? completed(seen) : seen;
  // Nothing changed since the input: it did not start a turn (yet).
  return { ...seen, status: 'idle', detail: null };
}

/** A judgement wants a confirming one soon: its idle screen ends the turn only if seen again. */
export function wantsConfirmation(state: TrackerState): boolean {
  if (state.status === 'starting') return state.idleScreen !== null;
  return state.awaitingResponse && state.idleScreen !== null && state.status !== 'idle';
}

function eventsDecide(state: TrackerState): boolean {
  return state.events !== 'none';
}

/** When the screen's own reading contradicts the status the events gave, since when. */
function disagreement(before: TrackerState, after: TrackerState, o: Observation): number | null {
  if (before.events !== 'live') return null;
  const screenSays = o.screenState;
  const eventSays = after.status;
  const contradicts =
    (screenSays === 'idle' && eventSays === 'busy') || (screenSays === 'busy' && (eventSays === 'completed' || eventSays === 'idle'));
  if (!contradicts) return null;
  return before.disagreeSince ?? o.now;
}

export function disagreesLongerThan(state: TrackerState, now: number, ms: number): boolean {
  return state.disagreeSince !== null && now - state.disagreeSince >= ms;
}

function normalise(screen: string): string {
  return screen.replace(/\s+$/gm, '').trimEnd();
}
