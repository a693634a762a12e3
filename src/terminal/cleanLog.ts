import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { diffArrays } from 'diff';

/**
 * Keeps `logs/terminal/<id>.log` a clean record of what the terminal showed. Input is the rendered
 * screen (tmux has already applied every escape sequence and carriage return), so the log holds
 * exactly the text a person saw: lines that scrolled away are appended once, and lines a TUI
 * redraws in place are appended when they settle with new content.
 */
export class CleanLog {
  private previousScreen: string[] = [];
  private previousHistory = -1;
  /** After a daemon restart: the log's last lines, to find where the log stopped. */
  private resumeTail: string[] | null = null;

  constructor(private readonly file: string) {}

  /** Continue an existing log: the next update appends only what comes after its last lines. */
  resume(): void {
    if (!existsSync(this.file)) return;
    const text = readFileSync(this.file, 'utf8');
    this.resumeTail = trimTrailingBlank(text.replace(/\n$/, '').split('\n').slice(-RESUME_LINES));
  }

  /** How many scrollback lines the next capture must include to miss nothing. */
  historyNeeded(historySize: number): number {
    if (this.resumeTail) return Math.min(historySize, RESUME_HISTORY);
    if (this.previousHistory < 0) return historySize;
    return Math.max(0, historySize - this.previousHistory);
  }

  /**
   * `text` is a capture holding `historyIncluded` scrollback lines above `height` visible lines;
   * `historySize` is the pane's scrollback length at that moment.
   */
  update(text: string, historySize: number, height: number): number {
    const lines = text.replace(/\n$/, '').split('\n').map((l) => l.replace(/\s+$/, ''));
    const added = this.resumeTail ? this.addedAfterResume(lines, height) : this.addedSince(lines, historySize, height);
    this.resumeTail = null;
    this.previousScreen = trimTrailingBlank(lines.slice(Math.max(0, lines.length - height)));
    this.previousHistory = historySize;
    if (added.length > 0) appendFileSync(this.file, `${added.join('\n')}\n`);
    return added.length;
  }

  private addedSince(lines: string[], historySize: number, height: number): string[] {
    const needed = this.historyNeeded(historySize);
    const region = trimTrailingBlank(lines.slice(Math.max(0, lines.length - height - needed)));
    const added: string[] = [];
    for (const part of diffArrays(this.previousScreen, region)) {
      if (part.added) added.push(...part.value);
    }
    return added;
  }

  private addedAfterResume(lines: string[], height: number): string[] {
    const region = trimTrailingBlank(lines);
    const added: string[] = [];
    let anchored = false;
    for (const part of diffArrays(this.resumeTail!, region)) {
      if (!part.added && !part.removed) anchored = true;
      else if (part.added && anchored) added.push(...part.value);
    }
    // Nothing in common: the log and the screen share no line, so start from the visible screen.
    return anchored ? added : trimTrailingBlank(lines.slice(Math.max(0, lines.length - height)));
  }
}

const RESUME_LINES = 200;
const RESUME_HISTORY = 2000;

function trimTrailingBlank(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0 && lines[end - 1] === '') end--;
  return lines.slice(0, end);
}
