import { z } from 'zod';
import { InvalidInputError } from '../errors.js';

/**
 * The rule: an agent gets the environment of whoever asked for it (the shell that ran
 * `conductor launch`, the calling agent for a handoff, the daemon for a flow), never the tmux
 * server's. These limits keep one request from carrying a runaway environment.
 */
export const MAX_LAUNCH_ENV_BYTES = 256 * 1024;
export const MAX_LAUNCH_ENV_ENTRIES = 2000;

const PORTABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Set by the conductor itself per terminal, or by npm/npx around the CLI: never passed on. */
const INTERNAL_PREFIXES = ['CONDUCTOR_', 'npm_'];
/** Describe the requester's own terminal or shell, not the agent's: tmux sets them for the pane. */
const SHELL_LOCAL = ['TMUX', 'TMUX_PANE', 'TERM', 'TERM_PROGRAM', 'TERM_PROGRAM_VERSION', 'PWD', 'OLDPWD', 'SHLVL', '_', 'COLUMNS', 'LINES', 'INIT_CWD', 'STY', 'WINDOW'];

export const launchEnvSchema = z
  .record(z.string().regex(PORTABLE_NAME, 'environment names are letters, digits and _'), z.string())
  .superRefine((env, ctx) => {
    const entries = Object.keys(env).length;
    if (entries > MAX_LAUNCH_ENV_ENTRIES) {
      ctx.addIssue({ code: 'custom', message: `${entries} variables is over the limit of ${MAX_LAUNCH_ENV_ENTRIES}: unset some in the launching shell` });
    }
    const bytes = envBytes(env);
    if (bytes > MAX_LAUNCH_ENV_BYTES) {
      const largest = Object.entries(env).sort((a, b) => b[1].length - a[1].length).slice(0, 3).map(([k, v]) => `${k} (${Math.ceil(v.length / 1024)} KiB)`);
      ctx.addIssue({
        code: 'custom',
        message: `the environment is ${Math.ceil(bytes / 1024)} KiB, over the limit of ${MAX_LAUNCH_ENV_BYTES / 1024} KiB: unset large variables in the launching shell (largest: ${largest.join(', ')})`,
      });
    }
  });
export type LaunchEnv = z.infer<typeof launchEnvSchema>;

function envBytes(env: Record<string, string>): number {
  let total = 0;
  for (const [k, v] of Object.entries(env)) total += Buffer.byteLength(k) + Buffer.byteLength(v) + 2;
  return total;
}

/** What a requester sends: its own environment, less names a shell could not export. */
export function requesterEnvironment(env: NodeJS.ProcessEnv = process.env): LaunchEnv {
  const out: LaunchEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && PORTABLE_NAME.test(name)) out[name] = value;
  }
  return out;
}

/** Fails like the HTTP body would, for callers inside the daemon (flows). */
export function checkLaunchEnv(env: Record<string, string>): LaunchEnv {
  const parsed = launchEnvSchema.safeParse(env);
  if (!parsed.success) throw new InvalidInputError(`launchEnv: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  return parsed.data;
}

/** Removes what must not pass from a requester to an agent. */
export function inheritable(requester: Record<string, string | undefined>, nestedSessionVars: Iterable<string>): Record<string, string> {
  const nested = new Set(nestedSessionVars);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(requester)) {
    if (value === undefined || !PORTABLE_NAME.test(name)) continue;
    if (INTERNAL_PREFIXES.some((p) => name.startsWith(p)) || SHELL_LOCAL.includes(name) || nested.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** `export NAME='value'` lines that a POSIX sh sources; values may hold anything but NUL. */
export function envFileContent(env: Record<string, string>): string {
  const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
  return Object.entries(env).map(([k, v]) => `export ${k}=${quote(v)}\n`).join('');
}

/**
 * The pane's argv. tmux hands a new pane its server's global environment, which may date from
 * long ago; so the wrapper starts from nothing (`env -i`), keeps only what tmux sets for this
 * pane (TERM, TMUX, TMUX_PANE), loads the terminal's env file, runs the agent and records its
 * exit status (tmux does not always learn a dead pane's status).
 */
export function paneArgv(envFile: string, exitFile: string, program: string[]): string[] {
  const inner = '. "$1"; e=$2; shift 2; "$@"; s=$?; printf %s "$s" > "$e"; exit "$s"';
  const outer = `exec env -i TERM="$TERM" TMUX="$TMUX" TMUX_PANE="$TMUX_PANE" /bin/sh -c '${inner}' conductor-pane "$@"`;
  return ['/bin/sh', '-c', outer, 'conductor-pane', envFile, exitFile, ...program];
}
