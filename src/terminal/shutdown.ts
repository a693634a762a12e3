import { TmuxUnavailableError } from '../errors.js';
import { moduleLogger } from '../logger.js';
import { paneProcessTree, terminateTree, waitForExit } from '../process/tree.js';
import { resolveProvider } from '../providers/registry.js';
import { sendInput } from './input.js';
import { recordedExitStatus } from '../status/monitor.js';
import type { Runtime } from '../runtime.js';
import { TmuxTargetMissingError } from '../tmux/client.js';
import { recordExit } from './exit.js';
import type { TerminalRecord } from './schema.js';
import { releaseAtShutdown } from '../worktree/release.js';
import type { ReleaseReport } from '../worktree/schema.js';

const log = moduleLogger('shutdown');

const POLITE_EXIT_MS = 3000;
const TERM_GRACE_MS = 2000;

export interface ShutdownReport {
  terminalId: string;
  /** How it ended: 'exit-command', 'sigterm', 'sigkill' or 'already-exited'. */
  method: 'exit-command' | 'sigterm' | 'sigkill' | 'already-exited';
  killedPids: number[];
  /** Its worktree, if it had one: removed when it held nothing to lose, else kept (and why). */
  worktree?: ReleaseReport;
}

/**
 * Stops a terminal by escalation: the provider's exit command, then SIGTERM to every process of
 * the pane (its session, its process groups and their descendants), then SIGKILL to survivors.
 * Only then is the window closed, so no process is left behind without a pane.
 */
export async function shutdownTerminal(rt: Runtime, terminal: TerminalRecord): Promise<ShutdownReport> {
  const report: ShutdownReport = { terminalId: terminal.id, method: 'already-exited', killedPids: [] };
  rt.monitor.markStopping(terminal.id);
  await rt.bus.publish('terminal.stopping', { sessionId: terminal.sessionId, terminalId: terminal.id });
  let info;
  try {
    // A lost terminal has no pane any more (src/resume): shutting it down only records the end.
    if (terminal.status !== 'lost') info = await rt.tmux.paneInfo(terminal.tmuxPane);
  } catch (err) {
    // No window, or no tmux server at all (it ends with its last session): nothing left to stop.
    if (!(err instanceof TmuxTargetMissingError || err instanceof TmuxUnavailableError)) throw err;
  }
  if (info && !info.dead) {
    const tree = () => paneProcessTree(info.pid);
    const before = tree();
    report.method = await politeExit(rt, terminal, info.pid);
    if (report.method !== 'exit-command') {
      // The agent and its children first, the pane's wrapper last: while the wrapper lives the
      // pty stays open, so each process meets the signals themselves, not a closed terminal.
      const agents = tree().filter((pid) => pid !== info.pid);
      const survivors = await terminateTree(agents, TERM_GRACE_MS);
      await terminateTree([info.pid], TERM_GRACE_MS);
      report.method = survivors.length > 0 ? 'sigkill' : 'sigterm';
    }
    // Children that outlived their parent (reparented away from the pane) go too.
    const leftovers = before.filter((pid) => pid !== info.pid);
    if (leftovers.length > 0) await terminateTree(leftovers, TERM_GRACE_MS);
    report.killedPids = before;
  }
  if (rt.monitor.isTracked(terminal.id)) await rt.monitor.judgeNow(terminal.id);
  const exitCode = info ? (recordedExitStatus(rt.layout, terminal.id) ?? (await deadStatus(rt, terminal.tmuxPane))) : null;
  rt.monitor.untrack(terminal.id);
  await rt.tmux.killWindow(terminal.tmuxWindow).catch(() => undefined);
  // The monitor may have seen the end first (judgeNow above); then it has announced it already.
  await recordExit(
    { store: rt.terminals, bus: rt.bus },
    { id: terminal.id, sessionId: terminal.sessionId, previous: terminal.status },
    { exitCode, detail: `shut down (${report.method})`, at: rt.clock() },
  );
  report.worktree = await releaseAtShutdown(rt, terminal);
  log.info({ terminal: terminal.id, method: report.method }, 'terminal shut down');
  return report;
}

async function politeExit(rt: Runtime, terminal: TerminalRecord, pid: number): Promise<ShutdownReport['method']> {
  let exit;
  try {
    exit = resolveProvider(terminal.provider, rt.layout.providers).exit;
  } catch {
    return 'sigterm';
  }
  if (!exit.keys?.length && !exit.text) return 'sigterm';
  try {
    if (exit.keys?.length) await rt.tmux.sendKeys(terminal.tmuxPane, exit.keys);
    // Typed like any input (settle delay, confirmed Enter): some CLIs drop an Enter that follows a paste too soon.
    if (exit.text) await sendInput(rt, terminal, { text: exit.text, enter: true });
  } catch {
    // A CLI that exits at once can leave its last screen looking unsubmitted: its exit decides.
  }
  return (await waitForExit([pid], POLITE_EXIT_MS)) ? 'exit-command' : 'sigterm';
}

async function deadStatus(rt: Runtime, pane: string): Promise<number | null> {
  try {
    const info = await rt.tmux.paneInfo(pane);
    return info.dead ? info.deadStatus : null;
  } catch {
    return null;
  }
}
