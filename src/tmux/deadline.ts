import type { ResultPromise } from 'execa';
import { TimeoutError } from '../errors.js';

/**
 * Settles a tmux call within `ms`. execa's own timeout is not enough: the tmux client hands its
 * stdout to the server, so while a stopped server holds that pipe open the call never ends, even
 * after the client is killed. Here the client is killed and its pipes dropped, and the caller
 * gets a TimeoutError saying why.
 */
export async function withinDeadline<T>(call: ResultPromise & Promise<T>, ms: number, describe: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      call.kill('SIGKILL');
      for (const stream of [call.stdin, call.stdout, call.stderr]) stream?.destroy();
      reject(new TimeoutError(describe()));
    }, ms);
  });
  call.catch(() => undefined); // its own failure after the deadline is of no interest
  try {
    return await Promise.race([call, expired]);
  } finally {
    clearTimeout(timer);
  }
}
