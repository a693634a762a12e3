import { watch } from 'node:fs';
import type { DaemonClient } from '../../src/cli/client.js';

/**
 * Resolves with a terminal's screen once `shows` holds for it: what a person answering a dialog
 * or typing after a prompt waits for. The screen is read again each time the pane's raw log grows.
 */
export function waitForScreen(
  client: DaemonClient,
  rawLog: string,
  id: string,
  shows: (screen: string) => boolean,
  timeoutMs: number,
): Promise<string> {
  const read = async () => (await client.get<{ output: string }>(`/terminals/${id}/output?mode=screen`)).output;
  return new Promise((resolve, reject) => {
    let reading = false;
    let again = false;
    let screen = '';
    const finish = (err: Error | null) => {
      clearTimeout(timer);
      watcher.close();
      if (err) reject(err);
      else resolve(screen);
    };
    const check = async () => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      do {
        again = false;
        screen = await read();
        if (shows(screen)) return finish(null);
      } while (again);
      reading = false;
    };
    const watcher = watch(rawLog, () => void check().catch(finish));
    const timer = setTimeout(
      () => finish(new Error(`terminal ${id}: the screen did not show what was awaited within ${timeoutMs} ms:\n${screen}`)),
      timeoutMs,
    );
    void check().catch(finish);
  });
}
