import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureLayout, layout, type HomeLayout } from '../config/paths.js';
import { DaemonUnavailableError, errorFromBody, TimeoutError } from '../errors.js';
import { isAlive } from '../process/tree.js';
import { readDaemonState, type DaemonState } from '../server/state.js';

const START_TIMEOUT_MS = 15_000;

export class DaemonClient {
  constructor(
    readonly state: DaemonState,
    readonly home: HomeLayout,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.state.port}`;
  }

  /** `timeoutMs`: give up (a TimeoutError) when the daemon has not answered by then. */
  async request<T>(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.state.token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      if ((err as Error).name === 'TimeoutError') {
        throw new TimeoutError(`the daemon did not answer ${method} ${path.split('?')[0]} within ${timeoutMs} ms: run \`conductor daemon status\``);
      }
      throw new DaemonUnavailableError(
        `cannot reach the daemon on port ${this.state.port} (${(err as Error).message}): run \`conductor daemon status\``,
      );
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      if ((err as Error).name === 'TimeoutError') throw new TimeoutError(`the daemon stopped answering ${method} ${path.split('?')[0]} within ${timeoutMs} ms`);
      throw new DaemonUnavailableError(`the daemon stopped answering (${(err as Error).message}): run \`conductor daemon status\``);
    }
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok) throw errorFromBody(res.status, parsed);
    return parsed as T;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body ?? {});
  }
  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }
}

async function healthy(state: DaemonState): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${state.port}/health`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { pid?: number };
    return res.ok && body.pid === state.pid;
  } catch {
    return false;
  }
}

/** The running daemon for this CONDUCTOR_HOME, or undefined. */
export async function findDaemon(l: HomeLayout = layout()): Promise<DaemonClient | undefined> {
  const state = readDaemonState(l);
  return state && (await healthy(state)) ? new DaemonClient(state, l) : undefined;
}

export function cliEntry(): string {
  return fileURLToPath(new URL('./index.js', import.meta.url));
}

/** Starts a detached daemon and waits until it answers; its start-up errors are reported. */
export async function startDaemon(l: HomeLayout = ensureLayout(layout())): Promise<DaemonClient> {
  const errFile = join(l.home, 'logs', 'daemon.stderr');
  const errFd = openSync(errFile, 'w', 0o600);
  const child = spawn(process.execPath, [cliEntry(), 'daemon', 'run'], {
    detached: true,
    stdio: ['ignore', 'ignore', errFd],
    env: process.env,
  });
  closeSync(errFd);
  child.unref();
  let exitCode: number | null = null;
  child.once('exit', (code) => (exitCode = code ?? 1));
  const deadline = Date.now() + START_TIMEOUT_MS;
  let delay = 10;
  while (Date.now() < deadline) {
    // Any healthy daemon will do: another CLI (or an agent's MCP server) may have started one first.
    const running = await findDaemon(l);
    if (running) return running;
    const childGone = exitCode !== null || (child.pid !== undefined && !isAlive(child.pid));
    if (childGone && !/already running/.test(readIfExists(errFile))) break;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 100);
  }
  const reason = lastLine(readIfExists(errFile));
  throw new DaemonUnavailableError(
    `the daemon did not start${reason ? `: ${reason}` : ''} (see ${l.daemonLog}; try \`conductor daemon run\` to watch it start)`,
  );
}

function readIfExists(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).pop() ?? '';
}

/** The daemon, started on demand (said on stderr) unless `autoStart` is false. */
export async function connect(opts: { autoStart?: boolean } = {}): Promise<DaemonClient> {
  const l = ensureLayout(layout());
  const running = await findDaemon(l);
  if (running) return running;
  if (opts.autoStart === false) {
    throw new DaemonUnavailableError('the daemon is not running: start it with `conductor daemon start`');
  }
  process.stderr.write('conductor: starting the daemon\n');
  return startDaemon(l);
}
