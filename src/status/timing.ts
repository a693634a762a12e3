import type { ProviderDefinition } from '../providers/types.js';
import type { TerminalStatus } from '../terminal/schema.js';
import type { TrackerState } from './tracker.js';

/** When the monitor looks at a terminal's screen. Pure: the provider's windows and the state in, delays out. */

/** Continuous output is still judged this often, so streaming shows as busy and reaches the log. */
export const MAX_JUDGE_DELAY_MS = 1000;
/** After a failed judgement (tmux stalled, disk full…) the terminal is judged again this much later. */
export const JUDGE_RETRY_MS = 1000;
/** While a turn the events decide looks idle on screen, it is looked at again this often (the fallback). */
export const EVENT_TURN_RECHECK_MS = 2000;
/** A dead pane is looked at again this soon for the exit status its wrapper writes. */
export const DEAD_RECHECK_MS = 50;

/**
 * How long output must be quiet before the screen is judged. While starting, shorter: readiness
 * needs the idle screen twice in a row anyway (see the tracker), and a handoff waits on it.
 */
export function quietWindowMs(provider: ProviderDefinition, status: TerminalStatus): number {
  return status === 'starting' ? startupQuietMs(provider.quietWindowMs) : provider.quietWindowMs;
}

/**
 * When an idle screen is looked at again to confirm it. Start-up: as soon as the short start-up
 * window. Screen-only turns: half the quiet window (an animated spinner or a ticking timer changes
 * the screen by then). Turns the events decide: now and then, for the fallback.
 */
export function confirmationDelayMs(provider: ProviderDefinition, state: TrackerState): number {
  if (state.status === 'starting') return startupQuietMs(provider.quietWindowMs);
  return state.events !== 'none' ? EVENT_TURN_RECHECK_MS : screenConfirmationDelayMs(provider.quietWindowMs);
}

export function screenConfirmationDelayMs(providerQuietWindowMs: number): number {
  return Math.min(400, Math.max(50, Math.round(providerQuietWindowMs / 2)));
}

function startupQuietMs(providerQuietWindowMs: number): number {
  return Math.max(30, Math.round(providerQuietWindowMs / 8));
}

/** A terminal still starting is re-checked so a start-up timeout fires even if it prints nothing. */
export function startupRecheckMs(startedAt: number, startupTimeoutMs: number, now: number): number {
  const left = startedAt + startupTimeoutMs - now;
  return Math.max(50, Math.min(left + 10, 2000));
}
