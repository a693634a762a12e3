/**
 * FOR TESTS ONLY. `CONDUCTOR_TEST_FAIL_WORKERS` (read once, at daemon start) names background
 * workers, comma-separated, whose next pass throws once: `inbox`, `monitor`, `flows`, `cleanup`.
 * `process` makes the daemon raise an unhandled rejection and an uncaught exception right after it
 * starts. The hardening tests use it to prove a failing worker neither stops the daemon nor
 * stops that worker for good. Unset (always, outside tests) it does nothing.
 */
export type FaultyWorker = 'inbox' | 'monitor' | 'flows' | 'cleanup' | 'process';

const armed = new Set<string>();

export function armInjectedFailures(env: NodeJS.ProcessEnv = process.env): void {
  armed.clear();
  for (const name of (env.CONDUCTOR_TEST_FAIL_WORKERS ?? '').split(',')) if (name.trim()) armed.add(name.trim());
}

export function injectionMessage(worker: FaultyWorker): string {
  return `injected failure in the ${worker} worker (CONDUCTOR_TEST_FAIL_WORKERS, tests only)`;
}

/** Throws once for a worker named in CONDUCTOR_TEST_FAIL_WORKERS; a no-op otherwise. */
export function injectedFailure(worker: FaultyWorker): void {
  if (armed.delete(worker)) throw new Error(injectionMessage(worker));
}

/** For `process`: failures nobody catches, which only the process-level handlers see. */
export function injectEscapedFailures(): void {
  if (!armed.delete('process')) return;
  void Promise.reject(new Error(`${injectionMessage('process')}: a rejection nobody handles`));
  setImmediate(() => {
    throw new Error(`${injectionMessage('process')}: an exception nobody catches`);
  });
}
