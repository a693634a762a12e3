import { mkdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { TmuxUnavailableError } from '../errors.js';

/** tmux's own rule for the folder of its named sockets: `$TMUX_TMPDIR` (else /tmp), then `tmux-<uid>`. */
export function tmuxSocketDir(env: NodeJS.ProcessEnv = process.env): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return join(env.TMUX_TMPDIR || '/tmp', `tmux-${uid}`);
}

/**
 * The socket path of the tmux server the conductor uses: `CONDUCTOR_TMUX_SOCKET` (a path, or a
 * name as for `tmux -L`), else tmux's default socket for this user. Never `$TMUX`: a daemon
 * started from a pane of another server must not adopt that server.
 */
export function resolveTmuxSocket(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.CONDUCTOR_TMUX_SOCKET?.trim();
  if (!configured) return join(tmuxSocketDir(env), 'default');
  if (configured.includes('/')) {
    if (!isAbsolute(configured)) {
      throw new TmuxUnavailableError(`CONDUCTOR_TMUX_SOCKET='${configured}' must be an absolute path or a plain name (as for tmux -L)`);
    }
    return resolve(configured);
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(configured)) {
    throw new TmuxUnavailableError(`CONDUCTOR_TMUX_SOCKET='${configured}' is not a usable socket name: use letters, digits, '.', '_' or '-', or an absolute path`);
  }
  return join(tmuxSocketDir(env), configured);
}

/** Makes sure the socket's folder exists (tmux creates it only for -L), private as tmux wants it. */
export function ensureSocketDir(socketPath: string): void {
  const dir = dirname(socketPath);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
  } catch (err) {
    throw new TmuxUnavailableError(
      `cannot use the tmux socket ${socketPath}: its folder ${dir} cannot be created (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); set CONDUCTOR_TMUX_SOCKET to a path you can write`,
    );
  }
}

/** The socket path a `$TMUX` value names (`socket,pid,session`), or undefined outside tmux. */
export function socketOfTmuxEnv(tmuxEnv: string | undefined): string | undefined {
  if (!tmuxEnv) return undefined;
  const comma = tmuxEnv.lastIndexOf(',', tmuxEnv.lastIndexOf(',') - 1);
  return comma > 0 ? tmuxEnv.slice(0, comma) : undefined;
}
