import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { repoRoot } from './env.js';
import { waitForFile } from './wait.js';

/**
 * The agent CLIs behind the example YAML providers (examples/providers/), pinned to the versions
 * their goldens were recorded with. Neither can be a devDependency: Qwen Code's lock entries
 * lack the clipboard packages of other platforms (so `npm ci` refuses the lock), and opencode-ai
 * publishes its native binary for linux-x64 only (its postinstall fails elsewhere). Each is
 * installed on first use into a cache under node_modules (git-ignored), like Claude Code's newest.
 */
export interface ExampleCli {
  pkg: string;
  version: string;
  /** The program the example runs. */
  bin: string;
}

export const QWEN_CODE: ExampleCli = { pkg: '@qwen-code/qwen-code', version: '0.24.4', bin: 'qwen' };
export const OPENCODE: ExampleCli = { pkg: 'opencode-ai', version: '1.18.33', bin: 'opencode' };

const cacheRoot = join(repoRoot, 'node_modules', '.cache', 'conductor-test');

function cacheDir(cli: ExampleCli): string {
  return join(cacheRoot, `${cli.pkg.replace(/[@/]/g, '_')}-${cli.version}`);
}

/**
 * Installs the CLI once and returns the folder to put first on PATH. Test files running at the
 * same time share one install: the first takes a lock folder, the others wait for its ready file.
 * A failed install throws with npm's output, so the test fails instead of skipping.
 */
export async function ensureExampleCli(cli: ExampleCli): Promise<string> {
  const dir = cacheDir(cli);
  const binDir = join(dir, 'node_modules', '.bin');
  // Beside the folder, not in it: a waiting test watches the cache folder, which exists already.
  const ready = `${dir}.ready`;
  if (existsSync(ready)) return binDir;
  mkdirSync(cacheRoot, { recursive: true });
  const lock = `${dir}.lock`;
  try {
    mkdirSync(lock);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    await waitForFile(ready, () => existsSync(ready), 10 * 60_000, `another test's install of ${cli.pkg}@${cli.version} (remove ${lock} if none runs)`);
    return binDir;
  }
  try {
    await install(cli, dir);
    writeFileSync(ready, `${cli.version}\n`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return binDir;
}

async function install(cli: ExampleCli, dir: string): Promise<void> {
  const staging = `${dir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const spec = `${cli.pkg}@${cli.version}`;
  console.log(`[exampleClis] installing ${spec} (once)`);
  // opencode-ai's postinstall puts its native binary in place: scripts must run.
  const npm = await execa('npm', ['install', '--prefix', staging, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--ignore-scripts=false', spec], {
    reject: false,
    timeout: 10 * 60_000,
    stdin: 'ignore',
  });
  const program = join(staging, 'node_modules', '.bin', cli.bin);
  const version = existsSync(program) ? await execa(program, ['--version'], { reject: false, timeout: 60_000 }) : undefined;
  const reported = String(version?.stdout ?? '').trim();
  if (npm.exitCode !== 0 || !reported.includes(cli.version)) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`could not install ${spec} for the tests (npm exited ${npm.exitCode}; --version said "${reported}"):\n${npm.stdout}\n${npm.stderr}`);
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
}

/** Copies a shipped example into this world's providers folder, as a user would. */
export function installExample(home: string, name: string): void {
  mkdirSync(join(home, 'providers'), { recursive: true });
  writeFileSync(join(home, 'providers', `${name}.yaml`), readFileSync(join(repoRoot, 'examples', 'providers', `${name}.yaml`)));
}
