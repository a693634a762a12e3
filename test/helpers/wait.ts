import { existsSync, watch } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Resolves with the first truthy value of `check`, re-checking whenever `file` (or its folder,
 * until it exists) changes. Event-driven, with a deadline that fails the test.
 */
export function waitForFile<T>(file: string, check: () => T | undefined | false | null, timeoutMs = 15_000, what = file): Promise<T> {
  return new Promise((resolve, reject) => {
    let done = false;
    const watchers: Array<{ close(): void }> = [];
    const finish = (err: Error | null, value?: T) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      for (const w of watchers) w.close();
      if (err) reject(err);
      else resolve(value as T);
    };
    const probe = () => {
      try {
        const value = check();
        if (value) finish(null, value);
      } catch (err) {
        finish(err as Error);
      }
    };
    const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
    watchers.push(watch(dirname(file), probe));
    if (existsSync(file)) watchers.push(watch(file, probe));
    probe();
  });
}
