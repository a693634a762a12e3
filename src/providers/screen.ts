/**
 * The shared toolkit of providers' screen readers: pure helpers over a screen's plain text
 * (as tmux captures it, no escapes). Lines, wrapped rows joined again, rules and the common
 * "transcript / input area / footer" layouts.
 */

// ---------------------------------------------------------------------------------------------
// Lines

/** The screen's lines, carriage returns dropped and trailing spaces cut. */
export function screenLines(screen: string): string[] {
  return screen.replace(/\r/g, '').split('\n').map((l) => l.replace(/\s+$/, ''));
}

export interface RowOptions {
  /** No-break spaces (some TUIs draw one after their prompt glyph) read as plain spaces. */
  plainSpaces?: boolean;
}

/** What most readers start from: the screen's lines without the blank ones at the bottom. */
export function screenRows(screen: string, options: RowOptions = {}): string[] {
  return trimTrailingBlank(screenLines(options.plainSpaces ? screen.replace(/\u00a0/g, ' ') : screen));
}

export function isBlank(line: string): boolean {
  return line.trim() === '';
}

/** The lines without trailing blank lines. */
export function trimTrailingBlank(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0 && isBlank(lines[end - 1])) end--;
  return lines.slice(0, end);
}

export function trimBlankEdges(lines: string[]): string[] {
  let start = 0;
  while (start < lines.length && isBlank(lines[start])) start++;
  return trimTrailingBlank(lines.slice(start));
}

/** The last `count` non-blank lines, joined: what most status patterns look at. */
export function tail(screen: string, count: number): string {
  return screenLines(screen)
    .filter((l) => !isBlank(l))
    .slice(-count)
    .join('\n');
}

/** Index of the last line before `before` that matches, or -1. */
export function lastIndexMatching(lines: string[], match: RegExp | ((line: string) => boolean), before = lines.length): number {
  const test = typeof match === 'function' ? match : (line: string) => match.test(line);
  for (let i = Math.min(before, lines.length) - 1; i >= 0; i--) if (test(lines[i])) return i;
  return -1;
}

export function widestLine(lines: string[]): number {
  return lines.reduce((widest, line) => Math.max(widest, line.length), 0);
}

// ---------------------------------------------------------------------------------------------
// Wrapped rows

/** Display width of a text: one column a character unless the provider measures otherwise. */
export type Measure = (text: string) => number;
const byLength: Measure = (text) => text.length;

export function firstWord(text: string): string {
  return text.trimStart().split(/\s/, 1)[0];
}

export function firstWordLength(text: string): number {
  return firstWord(text).length;
}

export function lastWordLength(text: string): number {
  return text.trimEnd().split(/\s/).pop()!.length;
}

/** `row` continues `previous`, wrapped at `width`: its first word would not have fitted after it. */
export function wrapsOnto(previous: string, row: string, width: number, measure: Measure = byLength): boolean {
  return previous !== '' && row !== '' && measure(previous) + 1 + measure(firstWord(row)) > width;
}

/** Joins every wrapped row with a space: for renderers that never cut a word. */
export const spaceJoiner = (): string => ' ';

/**
 * For renderers that cut a word longer than a row at the pane edge. A word that fits on a row is
 * never cut, so when a full row's last word and the next row's first word could not share one
 * row, they are the two pieces of one long word (a long string in code, a URL): no space.
 */
export function cutWordJoiner(width: number): (previous: string, row: string) => string {
  return (previous, row) => {
    const rowWidth = width - (row.length - row.trimStart().length);
    return previous.length >= width && lastWordLength(previous) + firstWordLength(row) > rowWidth ? '' : ' ';
  };
}

export interface Unwrap {
  /** The column the renderer wraps at. */
  width: number;
  measure?: Measure;
  /** What goes between a row and its wrapped continuation; a space by default. */
  joiner?: (previous: string, row: string) => string;
  /** Rows that may continue the row above (all by default). */
  continues?: (row: string) => boolean;
  /** The text of a row that starts a line (its gutter or indent removed); the row itself by default. */
  content?: (row: string, index: number) => string;
}

/**
 * Rows as the renderer drew them → the lines as they were written: each row the renderer
 * wrapped at the pane width joined again to the row above it, its indent dropped.
 */
export function unwrapRows(rows: string[], options: Unwrap): string[] {
  const { width, measure = byLength, joiner = spaceJoiner, continues = () => true, content = (row) => row } = options;
  const lines: string[] = [];
  let previous = '';
  rows.forEach((row, index) => {
    if (lines.length > 0 && continues(row) && wrapsOnto(previous, row, width, measure)) {
      lines[lines.length - 1] += joiner(previous, row) + row.trimStart();
    } else {
      lines.push(content(row, index));
    }
    previous = row;
  });
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Rules, boxes and layouts

/** A full-width horizontal rule, as TUIs draw above (and below) their input area. */
export const RULE = /^─{20,}$/;
/** The top edge of a box (`╭───╮`): a tool call, a dialog or an input box. */
export const BOX_TOP = /^ ?╭/;

export function ruleIndices(lines: string[]): number[] {
  return lines.flatMap((line, index) => (RULE.test(line) ? [index] : []));
}

/** The pane's width, taken from the widest rule; without one, `fallback` or else the widest line. */
export function paneWidth(lines: string[], fallback?: number): number {
  const rules = lines.filter((line) => RULE.test(line));
  if (rules.length) return widestLine(rules);
  return fallback ?? Math.max(1, widestLine(lines));
}

/** A screen split around its input area. */
export interface ScreenLayout {
  /** The conversation above the input area (the whole screen without one). */
  transcript: string[];
  /** The input area's lines; null when none is shown (a dialog, or the TUI not drawn yet). */
  input: string[] | null;
  /** Everything below the last rule: a footer, or a dialog (the whole screen without a rule). */
  below: string[];
}

/**
 * An input box between the last two rules, whose first line starts with `prompt`:
 * transcript / rule / input / rule / footer. Without it, what is below the last rule is a dialog.
 */
export function inputBetweenRules(lines: string[], prompt: RegExp): ScreenLayout {
  const rules = ruleIndices(lines);
  if (!rules.length) return { transcript: lines, input: null, below: lines };
  const last = rules[rules.length - 1];
  const prev = rules.length > 1 ? rules[rules.length - 2] : -1;
  const below = lines.slice(last + 1);
  if (prev >= 0 && prompt.test(lines[prev + 1] ?? '')) {
    return { transcript: lines.slice(0, prev), input: lines.slice(prev + 1, last), below };
  }
  return { transcript: lines.slice(0, last), input: null, below };
}

/** An input area below the last rule, holding a line that matches `prompt`: transcript / rule / input and footer. */
export function inputBelowLastRule(lines: string[], prompt: RegExp): ScreenLayout {
  const rule = lastIndexMatching(lines, RULE);
  if (rule < 0) return { transcript: lines, input: null, below: lines };
  const below = lines.slice(rule + 1);
  return { transcript: lines.slice(0, rule), input: below.some((line) => prompt.test(line)) ? below : null, below };
}
