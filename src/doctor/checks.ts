/**
 * `conductor doctor`'s checks of the machine: tmux, each provider's program, whether an agent's
 * login looks configured. Each check takes its environment as an argument and returns a result
 * that says what was found and, when something is wrong, how to fix it. Secrets are never read
 * or printed: only whether a variable is set or a file exists.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import type { ProviderDefinition } from '../providers/types.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  /** Stable id, e.g. `tmux`, `daemon`, `mcp`, `provider:claude_code`, `auth:claude_code`. */
  id: string;
  status: CheckStatus;
  /** A failure of a required check makes `conductor doctor` exit 1. */
  required: boolean;
  /** What was found, in one line. */
  summary: string;
  /** How to fix it; present whenever status is not `ok`. */
  fix?: string;
  details?: Record<string, unknown>;
}

export type Env = Record<string, string | undefined>;

const MIN_TMUX = [3, 0] as const;
const VERSION_TIMEOUT_MS = 10_000;

/** How to install a provider's program, by program name. */
const INSTALL_HINTS: Record<string, string> = {
  claude: 'npm i -g @anthropic-ai/claude-code',
  gemini: 'npm i -g @google/gemini-cli',
  codex: 'npm i -g @openai/codex',
  ollama: 'install Ollama: curl -fsSL https://ollama.com/install.sh | sh (see https://ollama.com/download)',
  bash: 'install bash: apt-get install bash',
  node: 'install Node.js 20 or newer: https://nodejs.org',
};

/** The absolute path of `program` as PATH would find it, or null. */
export function findOnPath(program: string, env: Env): string | null {
  const candidates = program.includes('/') ? [program] : (env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, program));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // Not here; try the next directory.
    }
  }
  return null;
}

/** Runs a program briefly and returns its output (stdout, else stderr), or throws. */
async function briefly(file: string, args: string[], env: Env): Promise<string> {
  const r = await execa(file, args, { env, extendEnv: false, reject: false, timeout: VERSION_TIMEOUT_MS, stdin: 'ignore' });
  if (r.timedOut) throw new Error(`\`${[file, ...args].join(' ')}\` did not answer within ${VERSION_TIMEOUT_MS / 1000} s`);
  const text = String(r.stdout).trim() || String(r.stderr).trim();
  if (r.exitCode !== 0) throw new Error(`\`${[file, ...args].join(' ')}\` exited ${r.exitCode}${text ? `: ${text.split('\n')[0]}` : ''}`);
  return text;
}

/** `3.3a` → [3, 3]; tmux built from git says `next-3.4` or `master`. */
export function parseTmuxVersion(output: string): { text: string; major: number; minor: number } | null {
  const m = /tmux (?:next-)?(\d+)\.(\d+)\S*/.exec(output);
  if (m) return { text: m[0], major: Number(m[1]), minor: Number(m[2]) };
  return /tmux master/.test(output) ? { text: 'tmux master', major: 99, minor: 0 } : null;
}

export async function checkTmux(env: Env): Promise<CheckResult> {
  const base = { id: 'tmux', required: true };
  const install = 'install tmux: apt-get install tmux (Debian/Ubuntu), dnf install tmux (Fedora), brew install tmux (macOS)';
  const path = findOnPath('tmux', env);
  if (!path) return { ...base, status: 'fail', summary: 'tmux is not on PATH', fix: install };
  let output: string;
  try {
    output = await briefly(path, ['-V'], env);
  } catch (err) {
    return { ...base, status: 'fail', summary: `tmux at ${path} does not run: ${(err as Error).message}`, fix: `reinstall tmux (${install})` };
  }
  const version = parseTmuxVersion(output);
  if (!version) return { ...base, status: 'warn', summary: `cannot tell the tmux version from "${output}"`, details: { path } };
  const recent = version.major > MIN_TMUX[0] || (version.major === MIN_TMUX[0] && version.minor >= MIN_TMUX[1]);
  const details = { path, version: version.text };
  if (!recent) {
    return { ...base, status: 'fail', summary: `${version.text} is too old (3.0 or newer needed)`, fix: `upgrade tmux to 3.0 or newer (${install})`, details };
  }
  return { ...base, status: 'ok', summary: `${version.text} at ${path}`, details };
}

/** The first version-looking word of a `--version` output, else its first line. */
export function versionFrom(output: string): string {
  return /\d+\.\d+(?:\.\d+)?[\w.+-]*/.exec(output)?.[0] ?? output.split('\n')[0];
}

/** Compares dotted numeric versions (`2.1.332` vs `2.1.197`); text after the numbers is ignored. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => (/^\d+(?:\.\d+)*/.exec(v)?.[0] ?? '0').split('.').map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Is the provider's program installed, and which version is it? Missing programs are warnings. */
export async function checkProviderBinary(provider: ProviderDefinition, env: Env, file?: string): Promise<CheckResult> {
  const id = `provider:${provider.name}`;
  const program = provider.binary;
  if (!program) return { id, required: false, status: 'ok', summary: `${provider.name}: no program to check` };
  const path = findOnPath(program, env);
  if (!path) {
    const fix = INSTALL_HINTS[program] ?? (file ? `install \`${program}\`, or fix \`command\` in ${file}` : `install \`${program}\``);
    return { id, required: false, status: 'warn', summary: `${provider.name}: \`${program}\` is not on PATH`, fix, details: { program } };
  }
  if (!provider.version) return { id, required: false, status: 'ok', summary: `${provider.name}: ${program} at ${path}`, details: { program, path } };
  try {
    const output = await briefly(path, provider.version.args, env);
    const version = versionFrom(output);
    const details = { program, path, version, verified: provider.verifiedVersions ?? null };
    const newest = provider.verifiedVersions?.at(-1);
    if (newest && compareVersions(version, newest) > 0) {
      return {
        id,
        required: false,
        status: 'warn',
        summary: `${provider.name}: ${program} ${version} at ${path} is newer than the newest verified version (${newest})`,
        fix:
          `launching, input, the conductor's MCP tools and approvals still work, but a changed screen may be misread as idle or busy; ` +
          `if status or \`output --last\` look wrong, install a verified version (${provider.verifiedVersions!.join(', ')})`,
        details,
      };
    }
    return { id, required: false, status: 'ok', summary: `${provider.name}: ${program} ${version} at ${path}`, details };
  } catch (err) {
    return {
      id,
      required: false,
      status: 'warn',
      summary: `${provider.name}: ${program} at ${path} did not report its version: ${(err as Error).message}`,
      fix: INSTALL_HINTS[program] ? `reinstall it: ${INSTALL_HINTS[program]}` : `check that \`${program} ${provider.version.args.join(' ')}\` works`,
      details: { program, path },
    };
  }
}

interface AuthSource {
  kind: 'env' | 'file';
  name: string;
}

/** Where each agent CLI looks for credentials; only their presence is checked. */
function authSources(provider: string, env: Env, home: string): { sources: AuthSource[]; fix: string } | null {
  const envs = (...names: string[]): AuthSource[] => names.map((name) => ({ kind: 'env', name }));
  const file = (path: string): AuthSource => ({ kind: 'file', name: path });
  switch (provider) {
    case 'claude_code':
      return {
        sources: [...envs('ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN'), file(join(env.CLAUDE_CONFIG_DIR || join(home, '.claude'), '.credentials.json'))],
        fix: 'set ANTHROPIC_API_KEY, or run `claude` once and log in with /login',
      };
    case 'gemini_cli':
      return {
        sources: [...envs('GEMINI_API_KEY', 'GOOGLE_API_KEY'), file(join(home, '.gemini', 'oauth_creds.json')), file(join(home, '.gemini', 'settings.json'))],
        fix: 'set GEMINI_API_KEY, or run `gemini` once and sign in',
      };
    case 'codex':
      return {
        sources: [...envs('OPENAI_API_KEY'), file(join(env.CODEX_HOME || join(home, '.codex'), 'auth.json'))],
        fix: 'set OPENAI_API_KEY, or run `codex login`',
      };
    default:
      return null;
  }
}

/** Does the agent's login look configured? Never fails: a missing login is a warning. */
export function checkProviderAuth(provider: string, env: Env, home = env.HOME || homedir()): CheckResult | null {
  const id = `auth:${provider}`;
  if (provider === 'ollama') {
    // Ollama has no login; its server address is all there is to report.
    const host = env.OLLAMA_HOST;
    return {
      id,
      required: false,
      status: 'ok',
      summary: host ? `ollama: OLLAMA_HOST=${host}` : 'ollama: OLLAMA_HOST is not set (the CLI uses 127.0.0.1:11434)',
      details: { OLLAMA_HOST: host || null },
    };
  }
  const known = authSources(provider, env, home);
  if (!known) return null;
  const found = known.sources.filter((s) => (s.kind === 'env' ? Boolean(env[s.name]) : existsSync(s.name)));
  const names = (list: AuthSource[]) => list.map((s) => s.name);
  if (found.length === 0) {
    return {
      id,
      required: false,
      status: 'warn',
      summary: `${provider}: no credentials found (looked for ${names(known.sources).join(', ')})`,
      fix: known.fix,
      details: { found: [] },
    };
  }
  const what = found.map((s) => (s.kind === 'env' ? `${s.name} is set` : `${s.name} exists`)).join(', ');
  return { id, required: false, status: 'ok', summary: `${provider}: ${what}`, details: { found: names(found) } };
}
