import type { ApprovalExpiry } from '../approval/expiry.js';
import { ConflictError } from '../errors.js';
import { moduleLogger } from '../logger.js';
import type { TerminalRecord } from '../terminal/schema.js';
import { locateConversation } from './conversation.js';
import { relaunch, type RelaunchDeps } from './relaunch.js';
import type { ResumeInput, ResumeOutcome } from './schema.js';
import { ResumeStore } from './store.js';

const log = moduleLogger('resume');

export type ResumeDeps = RelaunchDeps & {
  db: ConstructorParameters<typeof ResumeStore>[0];
  approvalExpiry?: Pick<ApprovalExpiry, 'expireAskedBy'>;
};

/** A shutdown announces itself (`terminal.stopping`) before the agent exits, whichever path records the exit. */
async function wasShutDown(db: ResumeDeps['db'], id: string): Promise<boolean> {
  const row = await db.selectFrom('events').select('id').where('terminal_id', '=', id).where('type', '=', 'terminal.stopping').executeTakeFirst();
  return row !== undefined;
}

function refusal(t: TerminalRecord, shutDown: boolean): ConflictError {
  if (t.status === 'exited') {
    const detail = t.statusDetail ?? '';
    if (shutDown) {
      return new ConflictError(`terminal ${t.id} was shut down on purpose: it is not resumed; start a new one with \`conductor launch\``);
    }
    return new ConflictError(`terminal ${t.id} exited on its own (${detail || `status ${t.exitCode ?? 'unknown'}`}): only a lost terminal is resumed; start a new one with \`conductor launch\``);
  }
  if (t.status === 'starting' && t.statusDetail === 'resuming') return new ConflictError(`terminal ${t.id} is being resumed already`);
  return new ConflictError(`terminal ${t.id} is running (${t.status}): there is nothing to resume`);
}

/**
 * Resumes one lost terminal. Everything that can be checked is checked before the claim, so a
 * refusal leaves it lost; the claim (a conditional update) lets only one of two resumes at once go on.
 */
export async function resumeTerminal(deps: ResumeDeps, id: string, opts: { fresh: boolean }): Promise<ResumeOutcome> {
  const t = await deps.terminals.get(id);
  if (t.status !== 'lost') throw refusal(t, t.status === 'exited' && (await wasShutDown(deps.db, id)));
  const store = new ResumeStore(deps.db);
  const record = await store.find(id);
  if (!record) {
    if (!opts.fresh) throw new ConflictError(`terminal ${id} was launched before the conductor recorded how to resume it: \`conductor resume ${id} --fresh\` starts it anew`);
  }
  const saved = record ?? { terminalId: id, env: {}, format: null, agentHome: null, conversationId: null, resumeCount: 0 };
  let conversation: string | undefined;
  if (!opts.fresh) {
    const found = locateConversation(saved, t);
    if (found.kind === 'gone') throw new ConflictError(`terminal ${id} cannot resume: ${found.reason}; \`conductor resume ${id} --fresh\` starts it anew with the same id and profile`);
    if (found.kind === 'found') conversation = found.id;
  }
  if (!(await deps.terminals.claimLost(id, deps.clock()))) throw new ConflictError(`terminal ${id} is being resumed already`);
  try {
    await deps.approvalExpiry?.expireAskedBy(id, 'its terminal was lost with its tmux window; the resumed agent asks again if it still needs to');
    const { conversationId } = await relaunch(deps, t, saved, conversation);
    if (record) await store.resumed(id, deps.clock(), conversationId);
    log.info({ terminal: id, conversation: conversationId, fresh: opts.fresh }, 'terminal resumed');
    return { terminalId: id, result: conversation ? 'resumed' : 'fresh', ...(conversationId ? { conversationId } : {}) };
  } catch (err) {
    const why = (err as Error).message;
    await deps.terminals.updateStatus(id, { status: 'lost', detail: `resume failed: ${why}`, at: deps.clock() });
    throw err;
  }
}

/** The lost terminals of one session, or of all, resumed one after another; a failure does not stop the rest. */
export async function resumeMany(deps: ResumeDeps, which: { session?: string; fresh: boolean }): Promise<ResumeOutcome[]> {
  const sessionId = which.session ? (await deps.sessions.get(which.session)).id : undefined;
  const lost = (await deps.terminals.list({ sessionId, live: true })).filter((t) => t.status === 'lost');
  const outcomes: ResumeOutcome[] = [];
  for (const t of lost) {
    try {
      outcomes.push(await resumeTerminal(deps, t.id, { fresh: which.fresh }));
    } catch (err) {
      outcomes.push({ terminalId: t.id, result: 'failed', error: (err as Error).message });
    }
  }
  return outcomes;
}

export async function resume(deps: ResumeDeps, input: ResumeInput): Promise<ResumeOutcome[]> {
  if (input.terminal) return [await resumeTerminal(deps, input.terminal, { fresh: input.fresh })];
  return resumeMany(deps, { session: input.session, fresh: input.fresh });
}
