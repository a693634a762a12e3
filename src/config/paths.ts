import { mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where all of the conductor's state lives. */
export function conductorHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CONDUCTOR_HOME;
  return resolve(fromEnv && fromEnv.length > 0 ? fromEnv : join(homedir(), '.conductor'));
}

export interface HomeLayout {
  home: string;
  database: string;
  daemonState: string;
  daemonLock: string;
  daemonLog: string;
  terminalLogs: string;
  runtime: string;
  providers: string;
  profiles: string;
  approvals: string;
}

export function layout(home = conductorHome()): HomeLayout {
  return {
    home,
    database: join(home, 'conductor.db'),
    daemonState: join(home, 'daemon.json'),
    daemonLock: join(home, 'daemon.lock'),
    daemonLog: join(home, 'logs', 'daemon.log'),
    terminalLogs: join(home, 'logs', 'terminal'),
    runtime: join(home, 'run'),
    providers: join(home, 'providers'),
    profiles: join(home, 'profiles'),
    approvals: join(home, 'approvals'),
  };
}

/** Creates the directory layout; safe to call on every start. */
export function ensureLayout(l: HomeLayout = layout()): HomeLayout {
  mkdirSync(l.home, { recursive: true, mode: 0o700 });
  for (const dir of [l.terminalLogs, l.runtime, l.providers, l.profiles, l.approvals]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  return l;
}

export function terminalLogPath(l: HomeLayout, terminalId: string): string {
  return join(l.terminalLogs, `${terminalId}.log`);
}

export function terminalRawLogPath(l: HomeLayout, terminalId: string): string {
  return join(l.terminalLogs, `${terminalId}.raw`);
}

export function terminalRuntimeDir(l: HomeLayout, terminalId: string): string {
  return join(l.runtime, terminalId);
}

/** The npm package name (`conductor` on the registry is someone else's); the command is still `conductor`. */
export const PACKAGE_NAME = 'tmux-conductor';

/** The conductor's own folder (where package.json is), whether running from src/ or dist/src/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === PACKAGE_NAME) return dir;
    } catch {
      // Not here: look one folder up.
    }
    dir = dirname(dir);
  }
  throw new Error('cannot find the conductor package folder');
}
