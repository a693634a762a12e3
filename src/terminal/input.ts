import { ConflictError, InputNotDeliveredError } from '../errors.js';
import { moduleLogger } from '../logger.js';
import { resolveProvider } from '../providers/registry.js';
import type { ProviderDefinition } from '../providers/types.js';
import type { Runtime } from '../runtime.js';

/** What delivering input needs: the pane, its watcher, and the terminal's record. */
export type InputDeps = Pick<Runtime, 'terminals' | 'layout' | 'tmux' | 'monitor' | 'bus' | 'clock'>;
import type { PaneInfo } from '../tmux/client.js';
import type { SendInputInput, TerminalRecord } from './schema.js';

const log = moduleLogger('input');

const ENTER_ATTEMPTS = 3;
const MAX_PASTE_SETTLE_MS = 5000;

/** One input at a time per terminal: pastes must never interleave. */
const queues = new Map<string, Promise<unknown>>();
let bufferCounter = 0;

function serialised<T>(id: string, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(id) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(work);
  queues.set(id, next);
  void next.finally(() => {
    if (queues.get(id) === next) queues.delete(id);
  }).catch(() => undefined);
  return next;
}

/**
 * For deliveries that must happen exactly once: the text is loaded into a named tmux buffer
 * first, `claim` runs (and may refuse), and only then is it pasted. Whether that buffer still
 * exists tells a restarted daemon whether the paste happened.
 */
export interface PasteClaim {
  bufferName: string;
  claim: () => Promise<boolean>;
}

export class DeliveryAbortedError extends Error {}

export interface DeliveryReport {
  terminalId: string;
  bytes: number;
  enterAttempts: number;
}

/**
 * What the pane looks like, including how far it has scrolled and where the cursor is: a screen
 * of repeating lines can look the same after it scrolled.
 */
function fingerprintOf(info: PaneInfo, text: string): { key: string; screen: string } {
  return { key: `${info.historySize}:${info.cursorX},${info.cursorY}\n${text.replace(/\s+$/gm, '').trimEnd()}`, screen: text };
}

async function fingerprint(rt: InputDeps, pane: string): Promise<{ key: string; screen: string }> {
  const { info, text } = await rt.tmux.snapshot(pane);
  return fingerprintOf(info, text);
}

/** Paste markers inside the text would end the bracketed paste early; CRLF would become two Enters. */
export function pasteSafe(text: string): string {
  return text.replace(/\u001b\[20[01]~/g, '').replace(/\r\n/g, '\n');
}

/**
 * Pastes text verbatim (never through send-keys), lets the agent take it in, presses Enter, and
 * confirms the screen reacted; a swallowed Enter is pressed again, a bounded number of times.
 */
export function sendInput(
  rt: InputDeps,
  terminal: TerminalRecord,
  input: SendInputInput,
  claim?: PasteClaim,
): Promise<DeliveryReport> {
  return serialised(terminal.id, async () => {
    const current = await rt.terminals.get(terminal.id);
    if (current.status === 'exited') {
      throw new ConflictError(`terminal '${terminal.id}' has exited: start a new one with \`conductor launch\``);
    }
    if (current.status === 'lost') {
      throw new ConflictError(`terminal '${terminal.id}' was lost with its tmux window: \`conductor resume ${terminal.id}\` first, or \`conductor send --queue\` to deliver after it resumes`);
    }
    const provider = resolveProvider(current.provider, rt.layout.providers);
    const text = pasteSafe(input.text);
    if (claim) {
      await rt.tmux.loadBuffer(claim.bufferName, text);
      if (!(await claim.claim())) {
        await rt.tmux.deleteBuffer(claim.bufferName);
        throw new DeliveryAbortedError('claim refused');
      }
    }
    const buffer = claim?.bufferName ?? `conductor-${current.id}-${++bufferCounter}`;
    const job: PasteJob = { terminal: current, provider, buffer, load: claim ? undefined : text, bytes: Buffer.byteLength(input.text), enter: input.enter };
    if (!input.enter) return pasteAndSubmit(rt, job);
    await rt.monitor.expectInput(current.id);
    try {
      return await pasteAndSubmit(rt, job);
    } catch (err) {
      await rt.monitor.abandonInput(current.id);
      throw err;
    }
  });
}

interface PasteJob {
  terminal: TerminalRecord;
  provider: ProviderDefinition;
  buffer: string;
  /** The text to load into the buffer; undefined when it is loaded already (a claimed paste). */
  load: string | undefined;
  bytes: number;
  enter: boolean;
}

async function pasteAndSubmit(rt: InputDeps, job: PasteJob): Promise<DeliveryReport> {
  const { terminal: current, provider, buffer, load } = job;
  const pane = current.tmuxPane;
  const report: DeliveryReport = { terminalId: current.id, bytes: job.bytes, enterAttempts: 0 };
  let before: string;
  let afterPaste: string | undefined;
  let seq = rt.monitor.outputSeq(current.id);
  if (job.enter && provider.settleDelayMs === 0) {
    // Nothing to wait for between paste and Enter: screen, paste and Enter in one tmux call.
    const snap = await rt.tmux.pasteAndEnter(pane, buffer, load);
    before = snap.text;
    afterPaste = fingerprintOf(snap.info, snap.text).key;
  } else {
    const pastedAt = rt.clock();
    // The screen before the paste and the paste itself, in one tmux call.
    before = await rt.tmux.captureThenPaste(pane, buffer, load);
    if (!job.enter) return report;
    await waitForQuietSince(rt, current.id, pastedAt, provider.settleDelayMs);
  }
  const landed = async () => {
    const now = await fingerprint(rt, pane);
    return now.key !== afterPaste && !provider.inputPending?.(now.screen);
  };
  const confirmMs = Math.max(1000, provider.settleDelayMs * 4);
  for (let attempt = 1; attempt <= ENTER_ATTEMPTS; attempt++) {
    report.enterAttempts = attempt;
    if (attempt > 1 || afterPaste === undefined) {
      seq = rt.monitor.outputSeq(current.id);
      // The pasted screen is read in the same tmux call that presses Enter, just before it.
      const snap = await rt.tmux.snapshotThenKeys(pane, ['Enter']);
      afterPaste ??= fingerprintOf(snap.info, snap.text).key;
    }
    if (await confirmed(rt, current.id, landed, seq, confirmMs)) {
      await rt.monitor.noteInput(current.id, before);
      await rt.bus.publish('terminal.input', { sessionId: current.sessionId, terminalId: current.id }, {
        bytes: report.bytes,
        enterAttempts: attempt,
      });
      if (attempt > 1) log.warn({ terminal: current.id, attempt }, 'Enter needed more than one press');
      return report;
    }
  }
  throw new InputNotDeliveredError(
    `terminal '${current.id}' did not react to Enter after ${ENTER_ATTEMPTS} presses: the text is pasted but not submitted; ` +
      `look at it with \`conductor attach ${current.id}\``,
  );
}

async function waitForQuietSince(rt: InputDeps, id: string, since: number, quietMs: number): Promise<void> {
  const left = quietMs - (rt.clock() - since);
  if (left > 0) await rt.monitor.waitForOutput(id, left);
  await rt.monitor.waitForQuiet(id, quietMs, MAX_PASTE_SETTLE_MS);
}

/** Waits for output after `seq` and checks the pane each time; the check comes after the mark, so nothing slips between. */
async function confirmed(rt: InputDeps, id: string, landed: () => Promise<boolean>, seq: number, timeoutMs: number): Promise<boolean> {
  const deadline = rt.clock() + timeoutMs;
  for (;;) {
    const left = deadline - rt.clock();
    if (left <= 0 || !(await rt.monitor.waitForOutput(id, left, seq))) return landed();
    seq = rt.monitor.outputSeq(id);
    if (await landed()) return true;
  }
}

export async function sendKeys(rt: InputDeps, terminal: TerminalRecord, keys: string[]): Promise<void> {
  if (terminal.status === 'exited') throw new ConflictError(`terminal '${terminal.id}' has exited`);
  if (terminal.status === 'lost') throw new ConflictError(`terminal '${terminal.id}' was lost with its tmux window: \`conductor resume ${terminal.id}\` first`);
  await serialised(terminal.id, () => rt.tmux.sendKeys(terminal.tmuxPane, keys));
}
