import { closeSync, openSync, readSync, statSync } from 'node:fs';

export interface NewLine {
  text: string;
  /** Byte offset of the line's start in the file: a stable position for keys. */
  offset: number;
}

export interface NewLines {
  lines: NewLine[];
  /** Where the next read starts: after the last complete line. A partial last line waits. */
  nextOffset: number;
  /** The file is shorter than what was read before (replaced or truncated): read from the start. */
  restarted: boolean;
}

const CHUNK = 1 << 20;

/**
 * The complete lines appended to `file` since `offset`. Only whole lines are returned, so a
 * line the agent is still writing is read once it is finished. Throws ENOENT when the file is gone.
 */
export function readNewLines(file: string, offset: number): NewLines {
  const size = statSync(file).size;
  const restarted = size < offset;
  let position = restarted ? 0 : offset;
  if (size === position) return { lines: [], nextOffset: position, restarted };
  const fd = openSync(file, 'r');
  const lines: NewLine[] = [];
  try {
    let pending = Buffer.alloc(0);
    let pendingStart = position;
    const buffer = Buffer.alloc(CHUNK);
    while (position < size) {
      const read = readSync(fd, buffer, 0, Math.min(CHUNK, size - position), position);
      if (read === 0) break;
      position += read;
      const data = Buffer.concat([pending, buffer.subarray(0, read)]);
      let start = 0;
      for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, start)) {
        const text = data.subarray(start, nl).toString('utf8');
        if (text.trim() !== '') lines.push({ text, offset: pendingStart + start });
        start = nl + 1;
      }
      pending = Buffer.from(data.subarray(start));
      pendingStart += start;
    }
    return { lines, nextOffset: pendingStart, restarted };
  } finally {
    closeSync(fd);
  }
}
