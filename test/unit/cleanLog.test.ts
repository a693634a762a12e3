import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CleanLog } from '../../src/terminal/cleanLog.js';

const dir = mkdtempSync(join(tmpdir(), 'cleanlog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A screen of `height` rows with the given lines at the top. */
const screen = (lines: string[], height = 5) => [...lines, ...Array(Math.max(0, height - lines.length)).fill('')].join('\n');

describe('clean log', () => {
  it('appends new lines once, including lines that scrolled into history between captures', () => {
    const file = join(dir, 'a.log');
    const log = new CleanLog(file);
    log.update(screen(['$ ls']), 0, 5);
    log.update(screen(['$ ls', 'a', 'b', '$']), 0, 5);
    // Three more lines printed: two scrolled off the 5-row screen into history.
    log.update(['$ ls', 'a', screen(['b', '$ echo hi', 'hi', 'there', '$'])].join('\n'), 2, 5);
    // The prompt line was logged when it showed, then again once a command was typed on it.
    expect(readFileSync(file, 'utf8')).toBe('$ ls\na\nb\n$\n$ echo hi\nhi\nthere\n');
  });

  it('continues exactly after a restart, logging nothing twice', () => {
    const file = join(dir, 'b.log');
    new CleanLog(file).update(screen(['one', 'two']), 0, 5);
    const resumed = new CleanLog(file);
    resumed.resume();
    resumed.update(screen(['one', 'two', 'three']), 0, 5);
    expect(readFileSync(file, 'utf8')).toBe('one\ntwo\nthree\n');
  });

  it('never writes escape sequences: it only ever sees rendered text', () => {
    const file = join(dir, 'c.log');
    new CleanLog(file).update(screen(['plain  ', 'trailing spaces go   ']), 0, 5);
    expect(readFileSync(file, 'utf8')).toBe('plain\ntrailing spaces go\n');
  });
});
