/** Small pure helpers shared by providers' screen readers. */

export function screenLines(screen: string): string[] {
  return screen.replace(/\r/g, '').split('\n').map((l) => l.replace(/\s+$/, ''));
}

/** The lines without trailing blank lines. */
export function trimTrailingBlank(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0 && lines[end - 1].trim() === '') end--;
  return lines.slice(0, end);
}

export function trimBlankEdges(lines: string[]): string[] {
  let start = 0;
  while (start < lines.length && lines[start].trim() === '') start++;
  return trimTrailingBlank(lines.slice(start));
}

/** The last `count` non-blank lines, joined: what most status patterns look at. */
export function tail(screen: string, count: number): string {
  return screenLines(screen)
    .filter((l) => l.trim() !== '')
    .slice(-count)
    .join('\n');
}

export function lastIndexMatching(lines: string[], re: RegExp, before = lines.length): number {
  for (let i = Math.min(before, lines.length) - 1; i >= 0; i--) if (re.test(lines[i])) return i;
  return -1;
}
