import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CleanLog } from '../../src/terminal/cleanLog.js';
import { rotatedPath, rotateIfOver } from '../../src/terminal/logRotation.js';

describe('log rotation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'conductor-rotation-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rotates a file another writer keeps open in append mode: the writer goes on at the new start', () => {
    const file = join(dir, 'a.raw');
    const fd = openSync(file, 'a');
    try {
      writeSync(fd, 'x'.repeat(2000));
      expect(rotateIfOver(file, 4096)).toBe(false);
      writeSync(fd, 'y'.repeat(3000));
      expect(rotateIfOver(file, 4096)).toBe(true);
      writeSync(fd, 'after');
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(file, 'utf8')).toBe('after');
    expect(statSync(rotatedPath(file)).size).toBe(5000);
  });

  it('keeps a clean log under its limit, with the previous part in <file>.1', () => {
    const file = join(dir, 'b.log');
    const log = new CleanLog(file, `${file}.pos`, 10_000);
    let history = 0;
    for (let i = 0; i < 400; i++) {
      // Each screen scrolls one new line into the history.
      const lines = Array.from({ length: 10 }, (_, k) => `line ${i + k} ${'-'.repeat(60)}`);
      history++;
      log.update(`${lines.join('\n')}\n`, history, 10);
      expect(statSync(file).size).toBeLessThanOrEqual(10_000);
    }
    expect(existsSync(rotatedPath(file))).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain('line 408');
  });
});
