import type { ProviderDefinition, StartupDialog } from '../providers/types.js';
import type { TerminalStatus } from '../terminal/schema.js';

/** A start-up dialog is answered at most this many times, so a dialog that keeps coming back is reported, not looped on. */
export const MAX_DIALOG_ANSWERS = 3;

/** Pure: the start-up dialog on this screen that the provider answers by itself, if any. */
export function dialogToAnswer(
  provider: ProviderDefinition,
  status: TerminalStatus,
  answeredSoFar: number,
  screen: string,
): StartupDialog | undefined {
  if (status !== 'starting' || answeredSoFar >= MAX_DIALOG_ANSWERS) return undefined;
  return (provider.startupDialogs ?? []).find((d) => d.match.test(screen));
}
