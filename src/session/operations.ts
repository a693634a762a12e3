import type { SessionTable } from '../db/schema.js';
import { ConflictError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { newId } from '../terminal/ids.js';
import { launchTerminal } from '../terminal/launch.js';
import type { CreateSessionInput, CreateTerminalInput, SessionRecord, TerminalRecord } from '../terminal/schema.js';
import { shutdownTerminal, type ShutdownReport } from '../terminal/shutdown.js';

export async function createSession(
  rt: Runtime,
  input: CreateSessionInput,
): Promise<{ session: SessionRecord; terminal: TerminalRecord }> {
  const id = newId();
  const name = input.name ?? id;
  if (await rt.sessions.find(name)) {
    throw new ConflictError(`a session named '${name}' exists already: pick another --session name, or add a terminal to it`);
  }
  const tmuxSession = `conductor-${name}`;
  if (await rt.tmux.hasSession(tmuxSession)) {
    throw new ConflictError(`tmux already has a session '${tmuxSession}' the conductor does not own: rename or close it`);
  }
  const row: SessionTable = { id, name, tmux_session: tmuxSession, created_at: rt.clock() };
  await rt.sessions.insert(row);
  let terminal: TerminalRecord;
  try {
    terminal = await launchTerminal(rt, row, input, { firstInSession: true });
  } catch (err) {
    await rt.sessions.remove(id);
    throw err;
  }
  await rt.bus.publish('session.created', { sessionId: id }, { name });
  return { session: await getSession(rt, id), terminal };
}

/** A new terminal in an existing session; reopens the tmux session if all its windows closed. */
export async function addTerminal(rt: Runtime, sessionIdOrName: string, input: CreateTerminalInput): Promise<TerminalRecord> {
  const session = await rt.sessions.get(sessionIdOrName);
  const exists = await rt.tmux.hasSession(session.tmux_session);
  return launchTerminal(rt, session, input, { firstInSession: !exists });
}

export async function getSession(rt: Runtime, idOrName: string): Promise<SessionRecord> {
  const s = await rt.sessions.get(idOrName);
  return toSessionRecord(s, await rt.terminals.list({ sessionId: s.id }));
}

export async function listSessions(rt: Runtime, opts: { all?: boolean } = {}): Promise<SessionRecord[]> {
  const terminals = await rt.terminals.list({ live: !opts.all });
  const sessions = await rt.sessions.list();
  return sessions
    .map((s) => toSessionRecord(s, terminals.filter((t) => t.sessionId === s.id)))
    .filter((s) => opts.all || s.terminals.length > 0);
}

export async function shutdownSession(rt: Runtime, idOrName: string): Promise<ShutdownReport[]> {
  const session = await rt.sessions.get(idOrName);
  const live = await rt.terminals.list({ sessionId: session.id, live: true });
  const reports = await Promise.all(live.map((t) => shutdownTerminal(rt, t)));
  await rt.tmux.killSession(session.tmux_session).catch(() => undefined);
  await rt.bus.publish('session.removed', { sessionId: session.id }, { name: session.name });
  return reports;
}

export async function shutdownAll(rt: Runtime): Promise<ShutdownReport[]> {
  const reports: ShutdownReport[] = [];
  for (const s of await rt.sessions.list()) {
    const live = await rt.terminals.list({ sessionId: s.id, live: true });
    if (live.length > 0) reports.push(...(await shutdownSession(rt, s.id)));
  }
  return reports;
}

function toSessionRecord(s: SessionTable, terminals: TerminalRecord[]): SessionRecord {
  return {
    id: s.id,
    name: s.name,
    tmuxSession: s.tmux_session,
    createdAt: new Date(s.created_at).toISOString(),
    terminals,
  };
}
