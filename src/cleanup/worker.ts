import { InvalidInputError } from '../errors.js';
import { moduleLogger } from '../logger.js';
import { injectedFailure } from '../server/faultInjection.js';
import { sweep, type CleanupReport, type SweepDeps } from './sweep.js';

const log = moduleLogger('cleanup');

export const DEFAULT_RETENTION_DAYS = 14;
const DAY_MS = 24 * 3600 * 1000;
const HOUR_MS = 3600 * 1000;

/** `CONDUCTOR_RETENTION_DAYS` (a positive number, fractions allowed), or 14. */
export function retentionDays(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.CONDUCTOR_RETENTION_DAYS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_RETENTION_DAYS;
  const days = Number(raw);
  if (!Number.isFinite(days) || days <= 0) {
    throw new InvalidInputError(`CONDUCTOR_RETENTION_DAYS='${raw}' is not a positive number of days (default ${DEFAULT_RETENTION_DAYS})`);
  }
  return days;
}

export interface CleanupOptions {
  clock: () => number;
  retentionDays: number;
  intervalMs?: number;
}

/**
 * Housekeeping in the daemon: once at start, then every hour, removes what finished longer ago
 * than the retention period (see sweep). One pass at a time.
 */
export class CleanupWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<CleanupReport> | null = null;

  constructor(
    private readonly deps: SweepDeps,
    private readonly opts: CleanupOptions,
  ) {}

  start(): void {
    void this.runOnce().catch(() => undefined);
    this.timer = setInterval(() => void this.runOnce().catch(() => undefined), this.opts.intervalMs ?? HOUR_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One pass now; a call during a pass gets that pass's report. */
  runOnce(): Promise<CleanupReport> {
    this.running ??= Promise.resolve()
      .then(() => {
        injectedFailure('cleanup');
        return sweep(this.deps, this.opts.clock() - this.opts.retentionDays * DAY_MS);
      })
      .catch((err) => {
        log.error({ err: (err as Error).message }, 'cleanup failed');
        throw err;
      })
      .finally(() => (this.running = null));
    return this.running;
  }
}
