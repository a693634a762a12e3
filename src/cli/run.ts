import { ConductorError } from '../errors.js';

/** Wraps a command action: a failure prints one line naming what went wrong and exits non-zero. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void | number>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await fn(...args);
      if (typeof code === 'number') process.exitCode = code;
    } catch (err) {
      if (err instanceof ConductorError) {
        process.stderr.write(`conductor: ${err.message}\n`);
        process.exitCode = err.exitCode;
      } else {
        process.stderr.write(`conductor: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
        process.exitCode = 1;
      }
    }
  };
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
