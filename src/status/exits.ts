import { readFileSync, statSync } from 'node:fs';
import { terminalRuntimeDir, type HomeLayout } from '../config/paths.js';
import { exitStatusFile } from '../terminal/launch.js';

/** How many times a dead pane is looked at again for the exit status its wrapper writes. */
export const DEAD_STATUS_CHECKS = 20;

export function deathDetail(status: number | null, signal: string | null): string {
  if (status === null && signal !== null) return `the process was killed by signal ${signal}`;
  return `the process exited with status ${status ?? 'unknown'}`;
}

/** The status the pane's wrapper wrote when the agent ended (see launchArgv). */
export function recordedExitStatus(l: HomeLayout, id: string): number | null {
  try {
    const text = readFileSync(exitStatusFile(terminalRuntimeDir(l, id)), 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : null;
  } catch {
    return null;
  }
}

export function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
