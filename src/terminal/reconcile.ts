import { terminalRawLogPath } from '../config/paths.js';
import { moduleLogger } from '../logger.js';
import { resolveProvider } from '../providers/registry.js';
import { recordedExitStatus } from '../status/monitor.js';
import type { Runtime } from '../runtime.js';
import { recordExit } from './exit.js';

const log = moduleLogger('reconcile');

/**
 * After a daemon (re)start: terminals whose panes vanished are marked exited; live ones are
 * watched again, with their log continuing where it stopped. Nothing running is touched.
 */
export async function reconcile(rt: Runtime): Promise<{ resumed: number; exited: number }> {
  const panes = new Map((await rt.tmux.listPanes()).map((p) => [p.paneId, p]));
  let resumed = 0;
  let exited = 0;
  for (const t of await rt.terminals.list({ live: true })) {
    const pane = panes.get(t.tmuxPane);
    const gone = !pane || pane.sessionName !== t.tmuxSession;
    if (gone || pane.dead) {
      const exitCode = recordedExitStatus(rt.layout, t.id) ?? (gone ? null : pane.deadStatus);
      const detail = gone
        ? 'its tmux window vanished while the daemon was down'
        : `the process exited with status ${exitCode ?? 'unknown'} while the daemon was down`;
      await recordExit({ store: rt.terminals, bus: rt.bus }, { id: t.id, sessionId: t.sessionId, previous: t.status }, { exitCode, detail, at: rt.clock() });
      exited++;
      continue;
    }
    try {
      const provider = resolveProvider(t.provider, rt.layout.providers);
      await rt.tmux.pipePane(t.tmuxPane, terminalRawLogPath(rt.layout, t.id));
      rt.monitor.track(t, provider, true);
      resumed++;
    } catch (err) {
      log.warn({ terminal: t.id, err: (err as Error).message }, 'cannot watch terminal again');
      await rt.terminals.updateStatus(t.id, { status: 'error', detail: (err as Error).message, at: rt.clock() });
    }
  }
  log.info({ resumed, exited }, 'reconciled terminals with tmux');
  return { resumed, exited };
}
