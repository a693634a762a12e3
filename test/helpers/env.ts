import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa, type Result } from 'execa';
import { findDaemon, type DaemonClient } from '../../src/cli/client.js';
import { waitForStatus } from '../../src/cli/events.js';
import { findRepoRoot } from '../../bench/world.js';
import { layout } from '../../src/config/paths.js';
import { isAlive, waitForExit } from '../../src/process/tree.js';
import type { SessionRecord, TerminalRecord, TerminalStatus } from '../../src/terminal/schema.js';

// Found by walking up, so this helper also works compiled (the faults script runs it from dist/).
export const repoRoot = findRepoRoot();
export const fixtures = join(repoRoot, 'test', 'fixtures');
export const conductorBin = join(repoRoot, 'bin', 'conductor');

/**
 * A private world for one test file: its own CONDUCTOR_HOME, its own tmux server (socket),
 * any free port. Nothing of the user's is touched.
 */
export class TestEnv {
  readonly home: string;
  readonly socket: string;
  readonly env: Record<string, string>;

  constructor() {
    this.home = mkdtempSync(join(tmpdir(), 'conductor-test-'));
    this.socket = `conductor-test-${randomBytes(4).toString('hex')}`;
    this.env = {
      CONDUCTOR_HOME: this.home,
      CONDUCTOR_TMUX_SOCKET: this.socket,
      CONDUCTOR_PORT: '0',
      CONDUCTOR_LOG_LEVEL: 'debug',
    };
    this.installFakeAgent();
  }

  get layout() {
    return layout(this.home);
  }

  /** The fake TUI agent as a user provider file, pointing at this checkout's fixture. */
  installFakeAgent(): void {
    const yaml = readFileSync(join(fixtures, 'fake-agent.provider.yaml'), 'utf8').replaceAll('{{fixtures}}', fixtures);
    mkdirSync(join(this.home, 'providers'), { recursive: true });
    writeFileSync(join(this.home, 'providers', 'fake_agent.yaml'), yaml);
  }

  /**
   * Runs the real CLI; never throws on a non-zero exit (tests look at exitCode). `bare` runs it
   * with only a minimal PATH and HOME plus this world's variables, like a shell that exported
   * nothing (no keys, no agent CLIs on PATH).
   */
  cli(args: string[], opts: { input?: string; env?: Record<string, string>; bare?: boolean } = {}): Promise<Result> {
    const base = opts.bare ? bareEnvironment() : process.env;
    return execa(conductorBin, args, {
      env: { ...base, ...this.env, ...opts.env },
      extendEnv: !opts.bare,
      input: opts.input,
      reject: false,
      stdin: opts.input === undefined ? 'ignore' : undefined,
      timeout: 60_000,
    }) as unknown as Promise<Result>;
  }

  async cliOk(args: string[], opts: { input?: string; env?: Record<string, string>; bare?: boolean } = {}): Promise<string> {
    const r = await this.cli(args, opts);
    if (r.exitCode !== 0) throw new Error(`conductor ${args.join(' ')} exited ${r.exitCode}: ${r.stderr}`);
    return String(r.stdout);
  }

  async client(): Promise<DaemonClient> {
    const c = await findDaemon(this.layout);
    if (c) return c;
    await this.cliOk(['daemon', 'start']);
    return (await findDaemon(this.layout))!;
  }

  tmux(args: string[]) {
    return execa('tmux', ['-L', this.socket, ...args], { reject: false });
  }

  /** Launches a terminal through the CLI, headless, and returns its record once ready. */
  async launch(args: string[] = [], env: Record<string, string> = {}): Promise<TerminalRecord> {
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
    const out = await this.cliOk(['launch', '--headless', '--json', '--cwd', this.home, ...envArgs, ...args]);
    return JSON.parse(out) as TerminalRecord;
  }

  async launchFakeAgent(env: Record<string, string> = {}, args: string[] = []): Promise<TerminalRecord> {
    return this.launch(['--provider', 'fake_agent', ...args], env);
  }

  async waitForStatus(id: string, statuses: TerminalStatus[], timeoutMs = 20_000): Promise<TerminalRecord> {
    return waitForStatus(await this.client(), id, (s) => statuses.includes(s), timeoutMs);
  }

  async sessions(all = false): Promise<SessionRecord[]> {
    return (JSON.parse(await this.cliOk(['ls', '--json', ...(all ? ['--all'] : [])])) as { sessions: SessionRecord[] }).sessions;
  }

  async stopDaemon(): Promise<void> {
    const c = await findDaemon(this.layout);
    if (!c) return;
    process.kill(c.state.pid, 'SIGTERM');
    await waitForExit([c.state.pid], 15_000);
  }

  async cleanup(): Promise<void> {
    // Stop every agent properly first: killing the tmux server alone can leave an agent writing
    // into the home being removed (and running on after the test).
    const c = await findDaemon(this.layout).catch(() => undefined);
    await c?.delete('/terminals').catch(() => undefined);
    await this.stopDaemon().catch(() => undefined);
    const socketPath = await this.tmux(['display-message', '-p', '#{socket_path}']);
    await this.tmux(['kill-server']);
    if (socketPath.exitCode === 0) rmSync(String(socketPath.stdout).trim(), { force: true });
    if (!process.env.CONDUCTOR_KEEP_TEST_HOME) rmSync(this.home, { recursive: true, force: true, maxRetries: 20, retryDelay: 200 });
  }
}

/** What a login shell that exported nothing of note has: system PATH (with node and tmux), HOME. */
export function bareEnvironment(): Record<string, string> {
  const nodeDir = dirname(process.execPath);
  return { PATH: `${nodeDir}:/usr/local/bin:/usr/bin:/bin`, HOME: process.env.HOME ?? tmpdir(), LANG: 'C.UTF-8' };
}

export { isAlive };
