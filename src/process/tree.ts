import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
}

/** Reads the process table from /proc (Linux). */
export function listProcesses(): ProcessEntry[] {
  const out: ProcessEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Field 2 (comm) may contain spaces and parentheses: parse after the last ')'.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: Number(name), ppid: Number(rest[1]), pgid: Number(rest[2]), sid: Number(rest[3]) });
    } catch {
      // The process ended while we read the table.
    }
  }
  return out;
}

/**
 * Every process that belongs to a pane: its tmux session (tmux makes the pane's first process a
 * session leader), every process group started in it, and all descendants, including those that
 * called setsid() to escape.
 */
export function paneProcessTree(rootPid: number, table = listProcesses()): number[] {
  const members = new Set<number>();
  const groups = new Set<number>();
  for (const p of table) {
    if (p.pid === rootPid || p.sid === rootPid) {
      members.add(p.pid);
      groups.add(p.pgid);
    }
  }
  for (const p of table) if (groups.has(p.pgid)) members.add(p.pid);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of table) {
      if (!members.has(p.pid) && members.has(p.ppid)) {
        members.add(p.pid);
        grew = true;
      }
    }
  }
  return [...members];
}

/** Alive and not a zombie (a zombie has exited; only its parent's reaping is pending). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Signals each pid, ignoring those already gone. */
export function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/**
 * Waits until none of the pids is alive, checking on a short backoff; true when all are gone.
 * There is no portable event for "a process that is not my child exited", so this is a bounded wait.
 */
export async function waitForExit(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  for (;;) {
    if (!pids.some(isAlive)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 100);
  }
}

/** SIGTERM, wait, then SIGKILL whatever is left. Returns the pids that needed SIGKILL. */
export async function terminateTree(pids: number[], graceMs: number): Promise<number[]> {
  signalAll(pids, 'SIGTERM');
  if (await waitForExit(pids, graceMs)) return [];
  const survivors = pids.filter(isAlive);
  signalAll(survivors, 'SIGKILL');
  await waitForExit(survivors, 2000);
  return survivors;
}
