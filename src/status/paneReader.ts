import type { CleanLog } from '../terminal/cleanLog.js';
import { RAW_LOG_MAX_BYTES, rotateIfOver } from '../terminal/logRotation.js';
import type { PaneInfo, Tmux } from '../tmux/client.js';
import { fileSize } from './exits.js';

/** Scrollback captured on a normal judgement; more is fetched only when more has scrolled by. */
const HISTORY_GUESS = 200;
const MAX_HISTORY = 50_000;
/** Scrollback read for a finished turn's answer. */
const RESPONSE_HISTORY = 3000;

export interface PaneSource {
  pane: string;
  rawFile: string;
  cleanLog: CleanLog;
}

export interface PaneReading {
  info: PaneInfo;
  /** The visible screen, plain text. */
  screen: string;
  /** The raw log's size when it was read (the sweep compares it later). */
  rawSize: number;
}

/**
 * Reads a pane for a judgement: rotates its raw log when it grew too large, captures the screen
 * with as much scrollback as has gone by since the last look, and brings the clean log up to date.
 */
export async function readPane(tmux: Tmux, source: PaneSource): Promise<PaneReading> {
  let rawSize = fileSize(source.rawFile);
  if (rawSize > RAW_LOG_MAX_BYTES && rotateIfOver(source.rawFile, RAW_LOG_MAX_BYTES)) rawSize = 0;
  let { info, text } = await tmux.snapshot(source.pane, HISTORY_GUESS);
  const needed = source.cleanLog.historyNeeded(info.historySize);
  if (needed > HISTORY_GUESS) ({ info, text } = await tmux.snapshot(source.pane, Math.min(needed, MAX_HISTORY)));
  source.cleanLog.update(text, info.historySize, info.height);
  return { info, screen: visible(text, info.height), rawSize };
}

/** The screen plus scrollback a provider reads a finished turn's answer from. */
export function readForResponse(tmux: Tmux, pane: string): Promise<string> {
  return tmux.capture(pane, RESPONSE_HISTORY);
}

function visible(text: string, height: number): string {
  const lines = text.replace(/\n$/, '').split('\n');
  return lines.slice(Math.max(0, lines.length - height)).join('\n');
}
