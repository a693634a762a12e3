import { existsSync } from 'node:fs';
import { terminalRawLogPath, terminalRuntimeDir } from '../config/paths.js';
import { endpointFile } from '../hooks/secrets.js';
import { moduleLogger } from '../logger.js';
import { resolveProvider } from '../providers/registry.js';
import { recordedExitStatus } from '../status/monitor.js';
import type { Runtime } from '../runtime.js';
import { recordExit } from './exit.js';

const log = moduleLogger('reconcile');

/**
 * No status recorded (the pane's wrapper died with it) or death by a signal (128+n: a shutting
 * down machine hangs up or terminates everything): the agent did not end on its own.
 */
function killedFromOutside(status: number | null): boolean {
  return status === null || status > 128;
}

/**
 * After a daemon (re)start: terminals whose agents ended are marked exited; those whose window
 * vanished while the agent never exited on its own (a reboot, a killed tmux server) are marked
 * lost, for `conductor resume`; live ones are watched again, with their log continuing where it
 * stopped. Nothing running is touched.
 */
export async function reconcile(rt: Runtime): Promise<{ resumed: number; exited: number; lost: number }> {
  const panes = new Map((await rt.tmux.listPanes()).map((p) => [p.paneId, p]));
  let resumed = 0;
  let exited = 0;
  let lost = 0;
  for (const t of await rt.terminals.list({ live: true })) {
    if (t.status === 'lost') continue;
    const pane = panes.get(t.tmuxPane);
    const gone = !pane || pane.sessionName !== t.tmuxSession;
    if (gone && killedFromOutside(recordedExitStatus(rt.layout, t.id))) {
      if (await rt.terminals.markLost(t.id, rt.clock(), 'its tmux window vanished while the agent was running: `conductor resume` starts it again')) {
        await rt.bus.publish('terminal.status', { sessionId: t.sessionId, terminalId: t.id }, { status: 'lost', previous: t.status, detail: 'its tmux window vanished' });
        lost++;
      }
      continue;
    }
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
      // Its hooks reach this daemon again once the daemon adopts their secret (adoptHookSecrets).
      const events = existsSync(endpointFile(terminalRuntimeDir(rt.layout, t.id)));
      rt.monitor.track(t, provider, { resumed: true, events });
      resumed++;
    } catch (err) {
      log.warn({ terminal: t.id, err: (err as Error).message }, 'cannot watch terminal again');
      await rt.terminals.updateStatus(t.id, { status: 'error', detail: (err as Error).message, at: rt.clock() });
    }
  }
  log.info({ resumed, exited, lost }, 'reconciled terminals with tmux');
  return { resumed, exited, lost };
}

/** Once the daemon listens: terminals that kept running keep their hook secrets, pointed at this port. */
export async function adoptHookSecrets(rt: Pick<Runtime, 'terminals' | 'monitor' | 'hookSecrets' | 'layout' | 'port'>): Promise<void> {
  for (const t of await rt.terminals.list({ live: true })) {
    if (rt.monitor.isTracked(t.id)) rt.hookSecrets.adopt(t.id, terminalRuntimeDir(rt.layout, t.id), rt.port);
  }
}
