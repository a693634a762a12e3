import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Looks at panes through one tmux control-mode client, so a `capture-pane` costs a round trip
 * on a pipe (~0.1 ms) rather than a fork and exec of tmux (~2 ms): the polling adds almost
 * nothing to the latencies it measures, for the conductor and the raw floor alike.
 * The client attaches to a session of its own, so no window the bench measures changes size.
 */
export class PaneProbe {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private block: string[] | null = null;
  private ownBlock = false;
  private readonly waiters: Array<{ resolve: (text: string) => void; reject: (err: Error) => void }> = [];
  private closed = false;

  private constructor(socket: string, session: string) {
    this.child = spawn('tmux', ['-L', socket, '-C', 'attach', '-t', session], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => this.onData(d));
    this.child.once('close', () => this.fail(new Error('the tmux control client ended')));
  }

  static async open(socket: string, session: string): Promise<PaneProbe> {
    const probe = new PaneProbe(socket, session);
    const hello = await probe.command('display-message -p probe-ready');
    if (hello.trim() !== 'probe-ready') throw new Error(`unexpected control-mode answer: ${hello}`);
    return probe;
  }

  private onData(data: string): void {
    this.buffer += data;
    for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      if (this.block === null) {
        // Blocks flagged 1 answer our commands; others (the attach itself) and notifications are skipped.
        if (line.startsWith('%begin ')) {
          this.block = [];
          this.ownBlock = line.trim().endsWith(' 1');
        }
        continue;
      }
      if (line.startsWith('%end ') || line.startsWith('%error ')) {
        const text = this.block.join('\n');
        this.block = null;
        if (!this.ownBlock) continue;
        const waiter = this.waiters.shift();
        if (line.startsWith('%error ')) waiter?.reject(new Error(`tmux: ${text}`));
        else waiter?.resolve(text);
      } else {
        this.block.push(line);
      }
    }
  }

  private fail(err: Error): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  command(cmd: string): Promise<string> {
    if (this.closed) return Promise.reject(new Error('the probe is closed'));
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.child.stdin.write(`${cmd}\n`);
    });
  }

  capture(pane: string): Promise<string> {
    return this.command(`capture-pane -p -t ${pane}`);
  }

  /**
   * Polls the pane until `marker` shows; resolves with the performance.now() it was first seen.
   * `pauseMs` between polls keeps the probe and the tmux server from taking a whole core away
   * from the processes being measured (on a 2-core machine that would skew the result).
   */
  async waitFor(pane: string, marker: string, opts: { timeoutMs?: number; pauseMs?: number } = {}): Promise<number> {
    const deadline = performance.now() + (opts.timeoutMs ?? 10_000);
    for (;;) {
      const text = await this.capture(pane);
      const now = performance.now();
      if (text.includes(marker)) return now;
      if (now > deadline) throw new Error(`'${marker}' did not show in pane ${pane} within ${opts.timeoutMs ?? 10_000} ms`);
      if (opts.pauseMs) await sleep(opts.pauseMs);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.child.stdin.end();
    this.child.kill();
  }
}
