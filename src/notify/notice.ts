import { open } from 'node:fs/promises';
import { execa } from 'execa';
import type { ApprovalStore } from '../approval/store.js';
import { terminalLogPath, type HomeLayout } from '../config/paths.js';
import type { ConductorEvent } from '../events/bus.js';
import type { HandoffStore } from '../handoff/store.js';
import type { TerminalRecord } from '../terminal/schema.js';
import type { TerminalStore } from '../terminal/store.js';
import type { Tmux } from '../tmux/client.js';
import type { Notice, NotifyEvent } from './schema.js';

const SCREEN_LINES = 15;

export interface NoticeDeps {
  terminals: TerminalStore;
  approvals: ApprovalStore;
  handoffs: HandoffStore;
  tmux: Tmux;
  layout: HomeLayout;
}

/** Which notification an event is, if any. Cheap and synchronous: most events are none. */
export function classify(e: ConductorEvent): NotifyEvent | undefined {
  switch (e.type) {
    case 'approval.requested':
      return 'approval';
    case 'terminal.status':
      if (e.data.status === 'waiting_input') return 'waiting';
      if (e.data.status === 'error') return 'error';
      if (e.data.status === 'completed') return 'completed';
      return undefined;
    case 'terminal.exited':
      return isShutdown(e) ? undefined : 'exited';
    case 'handoff.finished':
      return e.data.state === 'failed' || e.data.state === 'timeout' ? 'handoff_failed' : undefined;
    default:
      if ((e.type as string) === 'flow.finished') return e.data.state === 'failed' ? 'flow_failed' : undefined;
      if ((e.type as string).startsWith('budget') || (e.type as string).startsWith('usage.budget')) return 'budget';
      return undefined;
  }
}

/** An exit the conductor itself caused (`conductor shutdown`, a finished handoff) is no news. */
export function isShutdown(e: ConductorEvent): boolean {
  return e.type === 'terminal.exited' && typeof e.data.detail === 'string' && e.data.detail.startsWith('shut down');
}

const branches = new Map<string, { branch: string | undefined; at: number }>();

/** The git branch checked out in `cwd`, if it is a repository; remembered for a minute. */
async function branchOf(cwd: string): Promise<string | undefined> {
  const known = branches.get(cwd);
  if (known && Date.now() - known.at < 60_000) return known.branch;
  const r = await execa('git', ['-C', cwd, 'symbolic-ref', '--short', '-q', 'HEAD'], { reject: false, timeout: 1000 });
  const branch = r.exitCode === 0 ? String(r.stdout).trim() || undefined : undefined;
  branches.set(cwd, { branch, at: Date.now() });
  return branch;
}

function lastLines(text: string): string {
  const lines = text.replace(/\s+$/gm, '').split('\n');
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.slice(-SCREEN_LINES).join('\n');
}

/** The end of the terminal's screen, or of its clean log once the pane is gone. */
async function screenOf(deps: NoticeDeps, t: TerminalRecord): Promise<string | undefined> {
  try {
    return lastLines(await deps.tmux.capture(t.tmuxPane)) || undefined;
  } catch {
    try {
      const file = await open(terminalLogPath(deps.layout, t.id), 'r');
      try {
        const { size } = await file.stat();
        const length = Math.min(size, 8192);
        const { buffer } = await file.read(Buffer.alloc(length), 0, length, size - length);
        return lastLines(buffer.toString('utf8')) || undefined;
      } finally {
        await file.close();
      }
    } catch {
      return undefined;
    }
  }
}

async function aboutTerminal(deps: NoticeDeps, id: string | null | undefined): Promise<Pick<Notice, 'terminal' | 'screen'> & { record?: TerminalRecord }> {
  const t = id ? await deps.terminals.find(id) : undefined;
  if (!t) return {};
  const [branch, screen] = await Promise.all([branchOf(t.cwd).catch(() => undefined), screenOf(deps, t)]);
  return {
    record: t,
    terminal: { id: t.id, provider: t.provider, profile: t.profile, cwd: t.cwd, session: t.sessionName, ...(branch ? { branch } : {}) },
    screen,
  };
}

const who = (t: TerminalRecord | undefined) => (t ? `Terminal ${t.id} (${t.profile ?? t.provider})` : 'An agent');

/** What happened, where, and the command to act on it; undefined when there is nothing to tell after all. */
export async function buildNotice(deps: NoticeDeps, event: NotifyEvent, e: ConductorEvent): Promise<Notice | undefined> {
  const at = e.createdAt;
  if (event === 'approval') {
    const a = await deps.approvals.find(String(e.data.approvalId));
    if (!a) return undefined;
    const { record, ...where } = await aboutTerminal(deps, a.requester);
    return {
      event,
      title: `Approval needed: ${a.action.replace(/\s+/g, ' ').slice(0, 120)}`,
      text: `${record ? who(record) : 'A request from outside a terminal'} asks to: ${a.action}\nWhy: ${a.reason}\nDeny with: conductor deny ${a.id}`,
      command: `conductor approve ${a.id}`,
      at,
      ...where,
    };
  }
  if (event === 'handoff_failed') {
    const h = await deps.handoffs.row(String(e.data.handoffId));
    const { record, ...where } = await aboutTerminal(deps, h?.worker_terminal_id);
    return {
      event,
      title: `Handoff ${e.data.handoffId} ${String(e.data.state)}`,
      text: `The handoff to a ${h?.profile ?? ''} worker ended ${String(e.data.state)}: ${h?.error ?? 'no detail'}`,
      command: record ? `conductor attach ${record.id}` : 'conductor ls --all',
      at,
      ...where,
    };
  }
  if (event === 'flow_failed') {
    const { record, ...where } = await aboutTerminal(deps, e.terminalId);
    const flow = String(e.data.flow ?? '?');
    return {
      event,
      title: `Flow ${flow} failed (run #${String(e.data.runId ?? '?')})`,
      text: `Flow ${flow} run #${String(e.data.runId ?? '?')} failed: ${String(e.data.reason ?? 'no detail')}${record ? `\nIts agent: ${who(record)}` : ''}`,
      command: `conductor flow show ${flow}`,
      at,
      ...where,
    };
  }
  if (event === 'budget') {
    const { record, ...where } = await aboutTerminal(deps, e.terminalId);
    const message = typeof e.data.message === 'string' ? e.data.message : JSON.stringify(e.data).slice(0, 500);
    return { event, title: `Budget alert${record ? ` for terminal ${record.id}` : ''}`, text: message, command: 'conductor ls', at, ...where };
  }
  const { record, ...where } = await aboutTerminal(deps, e.terminalId);
  if (!record) return undefined;
  const id = record.id;
  switch (event) {
    case 'waiting':
      return { event, title: `${who(record)} waits for input`, text: `${who(record)} asks something and waits for an answer.`, command: `conductor attach ${id}`, at, ...where };
    case 'error':
      return { event, title: `${who(record)} shows an error`, text: `${who(record)}: ${String(e.data.detail ?? 'the agent shows an error')}`, command: `conductor output ${id} --screen`, at, ...where };
    case 'completed':
      // Workers report to whoever started them; only top-level answers are news for a human.
      if (record.callerTerminalId) return undefined;
      return { event, title: `${who(record)} finished its answer`, text: `${who(record)} is done and waits for the next prompt.`, command: `conductor output ${id} --last`, at, ...where };
    case 'exited': {
      const code = e.data.exitCode === null || e.data.exitCode === undefined ? 'unknown' : String(e.data.exitCode);
      return {
        event,
        title: `${who(record)} exited unexpectedly (code ${code})`,
        text: `${who(record)} exited with code ${code}: ${String(e.data.detail ?? 'no detail')}`,
        command: `conductor logs ${id}`,
        at,
        ...where,
      };
    }
  }
  return undefined;
}
