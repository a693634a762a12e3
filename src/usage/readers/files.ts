import { closeSync, openSync, readSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Entries of a directory, or none when it does not exist (yet). */
export function entries(dir: string): Array<{ name: string; path: string; isDir: boolean }> {
  try {
    return readdirSync(dir, { withFileTypes: true }).map((e) => ({ name: e.name, path: join(dir, e.name), isDir: e.isDirectory() }));
  } catch {
    return [];
  }
}

/** Every file under `dir` (any depth) whose name passes `keep`, sorted for a stable order. */
export function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  const found: string[] = [];
  for (const entry of entries(dir)) {
    if (entry.isDir) found.push(...filesUnder(entry.path, keep));
    else if (keep(entry.name)) found.push(entry.path);
  }
  return found.sort();
}

/** The first line of a file as JSON (read from its first 1 MiB), or null when it is not complete or not JSON. */
export function firstLine(file: string): Record<string, unknown> | null {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buffer = Buffer.alloc(1 << 20);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    const end = buffer.subarray(0, read).indexOf(0x0a);
    if (end < 0) return null;
    const value = JSON.parse(buffer.subarray(0, end).toString('utf8')) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
