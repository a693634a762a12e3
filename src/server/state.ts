import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import type { HomeLayout } from '../config/paths.js';
import { DaemonUnavailableError } from '../errors.js';
import { isAlive } from '../process/tree.js';

export interface DaemonState {
  pid: number;
  port: number;
  token: string;
  version: string;
  startedAt: string;
  tmuxSocket: string | null;
}

/** Checked by hand rather than with zod: the CLI reads this on every command and must start fast. */
function parseState(value: unknown): DaemonState {
  const v = value as Partial<DaemonState>;
  const ok =
    Number.isInteger(v.pid) &&
    Number.isInteger(v.port) &&
    typeof v.token === 'string' &&
    v.token.length >= 16 &&
    typeof v.version === 'string' &&
    typeof v.startedAt === 'string';
  if (!ok) throw new Error('malformed daemon.json');
  return { ...(v as DaemonState), tmuxSocket: typeof v.tmuxSocket === 'string' ? v.tmuxSocket : null };
}

/** daemon.json, or undefined when absent, unreadable or left behind by a dead daemon. */
export function readDaemonState(l: HomeLayout): DaemonState | undefined {
  if (!existsSync(l.daemonState)) return undefined;
  try {
    const state = parseState(JSON.parse(readFileSync(l.daemonState, 'utf8')));
    return isAlive(state.pid) ? state : undefined;
  } catch {
    return undefined;
  }
}

/** Written atomically with mode 0600: it holds the token. */
export function writeDaemonState(l: HomeLayout, state: DaemonState): void {
  const tmp = `${l.daemonState}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, l.daemonState);
}

export function removeDaemonState(l: HomeLayout): void {
  try {
    const state = JSON.parse(readFileSync(l.daemonState, 'utf8')) as { pid?: number };
    if (state.pid === process.pid) rmSync(l.daemonState, { force: true });
  } catch {
    // Already gone.
  }
}

/**
 * One daemon per CONDUCTOR_HOME: an exclusive lock file holding the owner's pid. A lock whose
 * owner is dead is stale and taken over.
 */
export function acquireDaemonLock(l: HomeLayout): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(l.daemonLock, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(l.daemonLock, 'utf8').trim() === String(process.pid)) rmSync(l.daemonLock, { force: true });
        } catch {
          // Already gone.
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(l.daemonLock, 'utf8').trim());
      if (owner && owner !== process.pid && isAlive(owner)) {
        throw new DaemonUnavailableError(`a daemon is already running for ${l.home} (pid ${owner})`);
      }
      rmSync(l.daemonLock, { force: true });
    }
  }
  throw new DaemonUnavailableError(`could not take the daemon lock ${l.daemonLock}`);
}
