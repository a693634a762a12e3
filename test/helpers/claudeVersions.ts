import { chmodSync, closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/**
 * The Claude Code releases the provider is verified against, each with a folder to put first on
 * PATH that holds an executable `claude` of that release:
 *
 * - the pinned devDependency, in node_modules/.bin;
 * - the newest release, whose main package wants a newer Node than this project supports. Its
 *   native binary (`@anthropic-ai/claude-code-linux-x64`, which needs no Node) is installed once
 *   into a cache under node_modules (git-ignored) and linked there as `bin/claude`.
 *
 * The folders are known up front, so `describe.each(CLAUDE_VERSIONS)` needs no download; call
 * `ensureClaude(version)` in `beforeAll` before using one.
 */

export interface ClaudeVersion {
  version: string;
  /** Put first on PATH: holds `claude` of this version once `ensureClaude` resolved. */
  binDir: string;
  /** Where it comes from: the devDependency, or the npm package installed into the cache. */
  source: 'devDependency' | string;
}

export const PINNED_CLAUDE_VERSION = '2.1.197';
export const NEWEST_CLAUDE_VERSION = '2.1.332';

/** The checkout's root: the nearest folder above this file with package.json and bin/conductor (also from dist/). */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bin', 'conductor'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('claudeVersions: not inside the conductor checkout');
    dir = parent;
  }
}

const repoRoot = findRepoRoot();

export const cacheRoot = join(repoRoot, 'node_modules', '.cache', 'conductor-test');

const nativePackage = (version: string) => `@anthropic-ai/claude-code-linux-x64@${version}`;
const cacheDir = (version: string) => join(cacheRoot, `claude-${version}`);

/** Every verified release, oldest first. */
export const CLAUDE_VERSIONS: ClaudeVersion[] = [
  { version: PINNED_CLAUDE_VERSION, binDir: join(repoRoot, 'node_modules', '.bin'), source: 'devDependency' },
  { version: NEWEST_CLAUDE_VERSION, binDir: join(cacheDir(NEWEST_CLAUDE_VERSION), 'bin'), source: nativePackage(NEWEST_CLAUDE_VERSION) },
];

export function claudeVersion(version: string): ClaudeVersion {
  const found = CLAUDE_VERSIONS.find((v) => v.version === version);
  if (!found) throw new Error(`Claude Code ${version} is not a verified version (${CLAUDE_VERSIONS.map((v) => v.version).join(', ')})`);
  return found;
}

/** What `claude --version` says in a bin folder, e.g. `2.1.332 (Claude Code)`. */
export async function reportedVersion(binDir: string): Promise<string> {
  const r = await execa(join(binDir, 'claude'), ['--version'], { timeout: 30_000, env: { DISABLE_AUTOUPDATER: '1' } });
  return String(r.stdout).trim();
}

/**
 * Makes `claude` of this verified version available and returns its entry. The newest is
 * installed on first use; several test workers may ask at once: one takes a lock file (created
 * exclusively), installs into a staging folder and renames it into place, the others wait for the
 * finished folder. A lock older than ten minutes is taken for a crashed installer's and removed.
 * Throws (so the calling test fails, never skips) with npm's own output if the install fails.
 */
export async function ensureClaude(version: string): Promise<ClaudeVersion> {
  const entry = claudeVersion(version);
  if (entry.source === 'devDependency') {
    if (!existsSync(join(entry.binDir, 'claude'))) throw new Error(`Claude Code ${version} is missing from node_modules/.bin: run npm ci`);
    return entry;
  }
  const dir = cacheDir(version);
  const ready = join(dir, 'READY');
  if (existsSync(ready)) return entry;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`Claude Code ${version}: only its linux-x64 native binary is wired up, not ${process.platform}-${process.arch}`);
  }
  mkdirSync(cacheRoot, { recursive: true });
  const lock = `${dir}.lock`;
  const deadline = Date.now() + 15 * 60_000;
  while (!existsSync(ready)) {
    let fd: number | undefined;
    try {
      fd = openSync(lock, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (fd !== undefined) {
      closeSync(fd);
      try {
        if (!existsSync(ready)) await install(version, dir);
      } finally {
        rmSync(lock, { force: true });
      }
      break;
    }
    try {
      if (Date.now() - statSync(lock).mtimeMs > 10 * 60_000) rmSync(lock, { force: true });
    } catch {
      // The lock went away between the checks: try again.
    }
    if (Date.now() > deadline) throw new Error(`Claude Code ${version}: gave up waiting for another worker's install (lock ${lock})`);
    await delay(500);
  }
  return entry;
}

async function install(version: string, dir: string): Promise<void> {
  const pkg = nativePackage(version);
  const staging = `${dir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  console.log(`[claudeVersions] installing ${pkg} into ${dir} (once)`);
  const r = await execa('npm', ['install', '--prefix', staging, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', pkg], {
    reject: false,
    timeout: 10 * 60_000,
    stdin: 'ignore',
  });
  const binary = join(staging, 'node_modules', '@anthropic-ai', 'claude-code-linux-x64', 'claude');
  if (r.exitCode !== 0 || !existsSync(binary)) {
    rmSync(staging, { recursive: true, force: true });
    const detail = `npm exited ${r.exitCode}${r.timedOut ? ' (timed out)' : ''}\n${r.stdout}\n${r.stderr}`.trim();
    console.error(`[claudeVersions] installing ${pkg} FAILED: ${detail}`);
    throw new Error(`could not install ${pkg} for the tests: ${detail}`);
  }
  chmodSync(binary, 0o755);
  mkdirSync(join(staging, 'bin'));
  symlinkSync(join('..', 'node_modules', '@anthropic-ai', 'claude-code-linux-x64', 'claude'), join(staging, 'bin', 'claude'));
  const reported = await reportedVersion(join(staging, 'bin'));
  if (!reported.startsWith(`${version} `) && reported !== version) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`${pkg} installed, but its claude reports "${reported}"`);
  }
  writeFileSync(join(staging, 'READY'), `${reported}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  console.log(`[claudeVersions] ${pkg} ready: ${reported}`);
}
