import { readFileSync } from 'node:fs';

export interface LogEntry {
  level: number;
  module?: string;
  msg?: string;
  err?: string;
  [key: string]: unknown;
}

/** The daemon's JSON-lines log (pino levels: 50 error, 40 warn). */
export function daemonLogEntries(file: string): LogEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const entries: LogEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      entries.push(JSON.parse(line) as LogEntry);
    } catch {
      // A line cut short by a full disk or a kill: not an entry.
    }
  }
  return entries;
}

/** Requests the daemon answered with a 500: each is logged as an unhandled error. */
export function internalErrorsLogged(file: string): LogEntry[] {
  return daemonLogEntries(file).filter((e) => e.module === 'http' && e.msg === 'unhandled error');
}
