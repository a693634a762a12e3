import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { moduleLogger } from '../logger.js';

const log = moduleLogger('monitor');

interface Stream {
  lastOutputAt: number;
  /** Counts output events, so a waiter can ask for output after a point it saw, race-free. */
  seq: number;
  emitter: EventEmitter;
}

/**
 * Notices each terminal's output: every append to its raw log. One inotify watch on the folder
 * names the file that grew (chokidar compares mtimes and drops appends that land within the same
 * tick, which is exactly when a prompt's Enter must be confirmed).
 */
export class OutputWatch {
  private readonly streams = new Map<string, Stream>();
  private watcher: FSWatcher | null = null;

  constructor(
    private readonly clock: () => number,
    private readonly onOutput: (id: string) => void,
  ) {}

  start(folder: string): void {
    this.watcher = watch(folder, (_event, file) => {
      if (file && file.endsWith('.raw')) this.noticed(file.slice(0, -4));
    });
    this.watcher.on('error', (err) => log.error({ err: err.message }, 'watching the terminal logs failed; the sweep still notices output'));
  }

  stop(): void {
    this.watcher?.close();
  }

  add(id: string): void {
    const emitter = new EventEmitter();
    emitter.setMaxListeners(0);
    this.streams.set(id, { lastOutputAt: this.clock(), seq: 0, emitter });
  }

  remove(id: string): void {
    this.streams.get(id)?.emitter.emit('gone');
    this.streams.delete(id);
  }

  seq(id: string): number {
    return this.streams.get(id)?.seq ?? 0;
  }

  lastOutputAt(id: string): number {
    return this.streams.get(id)?.lastOutputAt ?? this.clock();
  }

  private noticed(id: string): void {
    const s = this.streams.get(id);
    if (!s) return;
    s.lastOutputAt = this.clock();
    s.seq++;
    s.emitter.emit('output');
    this.onOutput(id);
  }

  /**
   * Resolves true once the pane printed something after output number `afterSeq` (default: now),
   * false after the timeout or when the terminal is no longer watched.
   */
  waitForOutput(id: string, timeoutMs: number, afterSeq?: number): Promise<boolean> {
    const s = this.streams.get(id);
    if (!s) return Promise.resolve(false);
    if (afterSeq !== undefined && s.seq > afterSeq) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        s.emitter.off('output', onOutput);
        s.emitter.off('gone', onGone);
        resolve(value);
      };
      const onOutput = () => done(true);
      const onGone = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      s.emitter.on('output', onOutput);
      s.emitter.on('gone', onGone);
    });
  }

  /** Resolves once the pane printed nothing for `quietMs`, or after `maxMs` in any case. */
  async waitForQuiet(id: string, quietMs: number, maxMs: number): Promise<void> {
    if (!this.streams.has(id)) return;
    const deadline = this.clock() + maxMs;
    for (;;) {
      const quietFor = this.clock() - this.lastOutputAt(id);
      const left = deadline - this.clock();
      if (quietFor >= quietMs || left <= 0) return;
      // Each output restarts the wait; silence for the rest of the window ends it.
      const more = await this.waitForOutput(id, Math.min(quietMs - quietFor, left));
      if (!more && !this.streams.has(id)) return;
    }
  }
}
