import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDaemon, type DaemonClient } from '../src/cli/client.js';
import { ensureLayout, layout, type HomeLayout } from '../src/config/paths.js';
import { isAlive, waitForExit } from '../src/process/tree.js';

/** The checkout's root: the nearest folder above this file with a package.json (works from bench/ and dist/bench/). */
export function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bin', 'conductor'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the conductor checkout above the bench');
    dir = up;
  }
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program with no shell, optionally feeding stdin. Never throws on a non-zero exit. */
export function run(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

/**
 * A private conductor world: its own CONDUCTOR_HOME, its own tmux server (socket), any free
 * port. The bench process is dedicated to it, so the settings go into process.env, which the
 * daemon started from here inherits.
 */
export class BenchWorld {
  readonly repoRoot = findRepoRoot();
  readonly home: string;
  readonly socket: string;
  readonly layout: HomeLayout;
  client: DaemonClient | undefined;
  /** Known once the tmux server runs; kept so cleanup can remove it even if the server already quit. */
  private socketPath: string | undefined;
  private cleaned = false;

  constructor() {
    this.home = mkdtempSync(join(tmpdir(), 'conductor-bench-'));
    this.socket = `conductor-bench-${randomBytes(4).toString('hex')}`;
    process.env.CONDUCTOR_HOME = this.home;
    process.env.CONDUCTOR_TMUX_SOCKET = this.socket;
    process.env.CONDUCTOR_PORT = '0';
    // The daemon's default log level, whatever the caller's shell says: numbers stay comparable.
    delete process.env.CONDUCTOR_LOG_LEVEL;
    this.layout = ensureLayout(layout(this.home));
    this.installFakeAgent();
  }

  /** The fake TUI agent as a user provider, pointing at this checkout's fixture. */
  private installFakeAgent(): void {
    const fixtures = join(this.repoRoot, 'test', 'fixtures');
    const yaml = readFileSync(join(fixtures, 'fake-agent.provider.yaml'), 'utf8').replaceAll('{{fixtures}}', fixtures);
    mkdirSync(this.layout.providers, { recursive: true });
    writeFileSync(join(this.layout.providers, 'fake_agent.yaml'), yaml);
  }

  /** Starts the private tmux server with one session of its own, which keeps it up until cleanup. */
  async startTmux(session: string): Promise<void> {
    await this.tmuxOk(['new-session', '-d', '-s', session, '-x', '80', '-y', '24', '--', 'sleep', '100000']);
    this.socketPath = (await this.tmuxOk(['display-message', '-p', '#{socket_path}'])).trim();
  }

  async startDaemon(): Promise<DaemonClient> {
    this.client = await startDaemon(this.layout);
    return this.client;
  }

  get daemonPid(): number {
    if (!this.client) throw new Error('the daemon is not started');
    return this.client.state.pid;
  }

  tmux(args: string[], input?: string): Promise<RunResult> {
    return run('tmux', ['-L', this.socket, ...args], { input });
  }

  async tmuxOk(args: string[], input?: string): Promise<string> {
    const r = await this.tmux(args, input);
    if (r.code !== 0) throw new Error(`tmux ${args[0]} failed: ${r.stderr.trim()}`);
    return r.stdout;
  }

  /** Stops the daemon, kills the private tmux server and removes the home. Safe to call twice. */
  async cleanup(): Promise<void> {
    if (this.cleaned) return;
    this.cleaned = true;
    const pid = this.client?.state.pid;
    if (pid && isAlive(pid)) {
      process.kill(pid, 'SIGTERM');
      if (!(await waitForExit([pid], 15_000)) && isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    if (!this.socketPath) {
      const asked = await this.tmux(['display-message', '-p', '#{socket_path}']).catch(() => undefined);
      if (asked?.code === 0) this.socketPath = asked.stdout.trim();
    }
    await this.tmux(['kill-server']).catch(() => undefined);
    if (this.socketPath) rmSync(this.socketPath, { force: true });
    rmSync(this.home, { recursive: true, force: true });
  }
}
