import { readdirSync } from 'node:fs';
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
