import { copyFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { diskFullError } from '../errors.js';

/** A terminal's raw byte stream (`<id>.raw`) is rotated once it passes this size. */
export const RAW_LOG_MAX_BYTES = 32 * 1024 * 1024;
/** A terminal's clean log (`<id>.log`) is rotated once it passes this size. */
export const CLEAN_LOG_MAX_BYTES = 16 * 1024 * 1024;

export function rotatedPath(file: string): string {
  return `${file}.1`;
}

/**
 * Keeps a log under `maxBytes` (plus one check's worth of growth): the current content becomes
 * `<file>.1` (replacing the previous one) and the file is emptied in place. In place, because the
 * raw log's writer (tmux's pipe) keeps its file open in append mode: it goes on writing at the
 * new end, and followers (`tail -f`, `conductor logs -f`) see a truncation, not a vanished file.
 * Returns true when it rotated.
 */
export function rotateIfOver(file: string, maxBytes: number): boolean {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return false;
  }
  if (size <= maxBytes) return false;
  try {
    copyFileSync(file, rotatedPath(file));
  } catch (err) {
    // A full disk cannot take the copy; emptying the log still bounds it (and frees space).
    rmSync(rotatedPath(file), { force: true });
    if (!diskFullError(err)) throw err;
  }
  truncateSync(file, 0);
  return true;
}
