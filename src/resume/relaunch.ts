import { appendFileSync, rmSync, statSync } from 'node:fs';
import { terminalLogPath, terminalRawLogPath, terminalRuntimeDir } from '../config/paths.js';
import { ConflictError } from '../errors.js';
import { resolveProfile } from '../profile/load.js';
import { providerNames, resolveProvider } from '../providers/registry.js';
import type { Runtime } from '../runtime.js';
import { requesterEnvironment } from '../terminal/environment.js';
import { exitStatusFile, prepare, readEnvironmentRecord } from '../terminal/launch.js';
import type { TerminalRecord } from '../terminal/schema.js';
import type { ResumeRecord } from './store.js';

export type RelaunchDeps = Pick<
  Runtime,
  'layout' | 'tmux' | 'terminals' | 'sessions' | 'monitor' | 'bus' | 'clock' | 'usage' | 'hookSecrets' | 'hookScript' | 'port'
>;

function checkCwdStillThere(t: TerminalRecord): void {
  try {
    if (statSync(t.cwd).isDirectory()) return;
  } catch {
    // reported below
  }
  const where = t.worktree ? `its worktree ${t.cwd} (branch ${t.worktree.branch})` : `its working directory ${t.cwd}`;
  throw new ConflictError(`terminal ${t.id} cannot resume: ${where} is gone; restore it, or shut the terminal down with \`conductor shutdown ${t.id}\``);
}

/**
 * Starts a claimed terminal's agent again under the same id: a new window in its session (the
 * session itself again if tmux lost it), in the same cwd or worktree, with the same profile and
 * environment; `conversation` continues the agent's own conversation, without it the agent
 * starts anew. The clean log goes on after a marker line.
 */
export async function relaunch(
  deps: RelaunchDeps,
  t: TerminalRecord,
  record: ResumeRecord,
  conversation: string | undefined,
): Promise<{ terminal: TerminalRecord; conversationId: string | null }> {
  checkCwdStillThere(t);
  const l = deps.layout;
  const provider = resolveProvider(t.provider, l.providers);
  const profile = t.profile ? resolveProfile(t.profile, l.profiles, undefined, providerNames(l.providers)) : undefined;
  const runtimeDir = terminalRuntimeDir(l, t.id);
  const requester = readEnvironmentRecord(runtimeDir)?.requester ?? requesterEnvironment(process.env);
  rmSync(exitStatusFile(runtimeDir), { force: true });
  const { argv, usageRecords, events } = prepare(deps, provider, t.id, t.cwd, { env: record.env }, profile, requester, conversation ? { sessionId: conversation } : undefined);
  const session = await deps.sessions.get(t.sessionId);
  const window = { windowName: t.windowName, cwd: t.cwd, env: {}, argv };
  const pane = (await deps.tmux.hasSession(session.tmux_session))
    ? await deps.tmux.newWindow(session.tmux_session, window)
    : await deps.tmux.newSession(session.tmux_session, window);
  await deps.terminals.movePane(t.id, pane);
  const how = conversation ? `continuing conversation ${conversation}` : 'started anew';
  appendFileSync(terminalLogPath(l, t.id), `--- conductor: resumed at ${new Date(deps.clock()).toISOString()}, ${how} ---\n`);
  // The new pane's screen and scrollback start empty: the log's saved position is the old pane's.
  rmSync(`${terminalLogPath(l, t.id)}.pos`, { force: true });
  await deps.tmux.pipePane(pane.paneId, terminalRawLogPath(l, t.id));
  const resumed = await deps.terminals.get(t.id);
  deps.monitor.track(resumed, provider, { events });
  await deps.usage?.resumed(resumed, usageRecords);
  await deps.bus.publish('terminal.status', { sessionId: t.sessionId, terminalId: t.id }, { status: 'starting', previous: 'lost', detail: `resumed: ${how}` });
  // A fresh Claude start is assigned a new session id; others name theirs once it appears.
  return { terminal: resumed, conversationId: conversation ?? usageRecords?.sessionId ?? null };
}
