import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { diffArrays } from 'diff';
import { CLEAN_LOG_MAX_BYTES, rotateIfOver } from './logRotation.js';

interface Position {
  history: number;
  screen: string[];
}

/**
 * Keeps `logs/terminal/<id>.log` a clean record of what the terminal showed. Input is the rendered
 * screen (tmux has already applied every escape sequence and carriage return), so the log holds
 * exactly the text a person saw: lines that scrolled away are appended once, and lines a TUI
 * redraws in place are appended when they settle with new content.
 *
 * Its position (scrollback length and last screen) is saved beside the log, so a restarted
 * daemon continues the log exactly where the previous one stopped.
 */
export class CleanLog {
  private previousScreen: string[] = [];
  private previousHistory = -1;
  private baselineOnly = false;

  constructor(
    private readonly file: string,
    private readonly positionFile = `${file}.pos`,
    private readonly maxBytes = CLEAN_LOG_MAX_BYTES,
  ) {}

  /** Continue an existing log after a restart. */
  resume(): void {
    try {
      const pos = JSON.parse(readFileSync(this.positionFile, 'utf8')) as Position;
      this.previousHistory = pos.history;
      this.previousScreen = pos.screen;
    } catch {
      // No saved position: take the next screen as the baseline rather than log it twice.
      this.baselineOnly = existsSync(this.file);
    }
  }

  /** How many scrollback lines the next capture must include to miss nothing. */
  historyNeeded(historySize: number): number {
    if (this.previousHistory < 0 || this.baselineOnly) return this.baselineOnly ? 0 : historySize;
    return Math.max(0, historySize - this.previousHistory);
  }

  /** `text` is a capture of `historyNeeded()` scrollback lines (at least) above `height` visible lines. */
  update(text: string, historySize: number, height: number): number {
    const lines = text.replace(/\n$/, '').split('\n').map((l) => l.replace(/\s+$/, ''));
    const needed = Math.min(this.historyNeeded(historySize), Math.max(0, lines.length - height));
    const region = trimTrailingBlank(lines.slice(Math.max(0, lines.length - height - needed)));
    const added = this.baselineOnly ? [] : addedLines(this.previousScreen, region, height);
    this.baselineOnly = false;
    this.previousScreen = trimTrailingBlank(lines.slice(Math.max(0, lines.length - height)));
    this.previousHistory = historySize;
    if (added.length > 0) {
      appendFileSync(this.file, `${added.join('\n')}\n`);
      rotateIfOver(this.file, this.maxBytes);
    }
    const position: Position = { history: historySize, screen: this.previousScreen };
    writeFileSync(this.positionFile, JSON.stringify(position));
    return added.length;
  }
}

/**
 * The lines of `region` that are new since `previous` (the last screen). `region` starts where
 * that screen started: its first `height` lines are the old screen's rows, its last `height` the
 * screen now, and whatever lies between scrolled by without ever being on a screen we saw, so it
 * is new for sure. Only the two ends are diffed: diffing a flood's 50,000 lines against a screen
 * took seconds of CPU, and the daemon answers nothing meanwhile.
 */
function addedLines(previous: string[], region: string[], height: number): string[] {
  if (region.length <= 2 * height) return diffArrays(previous, region).flatMap((part) => (part.added ? part.value : []));
  const middle = region.slice(height, region.length - height);
  const ends = [...region.slice(0, height), ...region.slice(region.length - height)];
  const added: string[] = [];
  let position = 0;
  for (const part of diffArrays(previous, ends)) {
    if (part.removed) continue;
    for (const line of part.value) {
      if (position++ === height) added.push(...middle);
      if (part.added) added.push(line);
    }
  }
  if (position <= height) added.push(...middle);
  return added;
}

function trimTrailingBlank(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0 && lines[end - 1] === '') end--;
  return lines.slice(0, end);
}
