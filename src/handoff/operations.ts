import { randomBytes } from 'node:crypto';
import { ConflictError } from '../errors.js';
import { senderLabel, sendMessage } from '../inbox/operations.js';
import type { Runtime } from '../runtime.js';
import { addTerminal, createSession } from '../session/operations.js';
import type { TerminalRecord } from '../terminal/schema.js';
import type { AssignInput, HandoffInput, HandoffRecord } from './schema.js';

/** Starts a worker for `profile` beside its caller (same session), or in a new session. */
async function startWorker(
  rt: Runtime,
  input: { profile: string; launchEnv?: Record<string, string>; worktree?: boolean },
  caller: TerminalRecord | undefined,
): Promise<TerminalRecord> {
  if (caller?.status === 'exited') throw new ConflictError(`the calling terminal ${caller.id} has exited`);
  // A delegation tree past its budget starts no workers until a human has said it may go on.
  if (caller) await rt.usage?.assertMayDelegate(caller.id);
  const launch = { profile: input.profile, launchEnv: input.launchEnv, env: {}, worktree: input.worktree ? {} : undefined };
  if (caller) return addTerminal(rt, caller.sessionId, { ...launch, callerTerminalId: caller.id });
  return (await createSession(rt, launch)).terminal;
}

/** Stores a handoff or an assignment for the runner to follow; returns its handle. */
async function recordDelegation(
  rt: Runtime,
  d: {
    mode: 'handoff' | 'assign';
    caller: TerminalRecord | undefined;
    worker: TerminalRecord;
    profile: string;
    message: string;
    keepWorker: boolean;
    deadlineMs: number;
    taskMessageId?: number;
  },
): Promise<string> {
  const id = `h-${randomBytes(4).toString('hex')}`;
  const now = rt.clock();
  await rt.handoffs.insert({
    id,
    caller_terminal_id: d.caller?.id ?? null,
    worker_terminal_id: d.worker.id,
    task_message_id: d.taskMessageId ?? null,
    profile: d.profile,
    message: d.message,
    keep_worker: d.keepWorker ? 1 : 0,
    mode: d.mode,
    state: 'running',
    result: null,
    error: null,
    // An assignment's outcome always goes to the caller's inbox, as the worker's report.
    result_via_inbox: d.mode === 'assign' ? 1 : 0,
    deadline_at: now + d.deadlineMs,
    created_at: now,
    finished_at: null,
  });
  return id;
}

export async function startHandoff(rt: Runtime, input: HandoffInput): Promise<HandoffRecord> {
  const caller = input.caller ? await rt.terminals.get(input.caller) : undefined;
  const worker = await startWorker(rt, input, caller);
  const id = await recordDelegation(rt, {
    mode: 'handoff',
    caller,
    worker,
    profile: input.profile,
    message: input.message,
    keepWorker: input.keep,
    deadlineMs: input.timeout * 1000,
  });
  const body =
    `[conductor] Task from ${senderLabel(caller)} (handoff ${id}). Do it, then end your turn with your ` +
    `complete answer: your final message is returned to the requester word for word.\n\n${input.message}`;
  const task = await sendMessage(rt, { from: caller?.id, to: worker.id, message: body }, 'task');
  await rt.handoffs.setTask(id, task.id);
  await rt.bus.publish('handoff.started', { sessionId: worker.sessionId, terminalId: caller?.id ?? null }, { handoffId: id, worker: worker.id });
  rt.handoffRunner.watch((await rt.handoffs.row(id))!);
  return rt.handoffs.get(id);
}

/**
 * The handoff once it has finished, or as it stands after `waitMs`. With `toInbox`, a caller
 * that stops waiting gets the result in its inbox when it comes.
 */
export async function waitForHandoff(rt: Runtime, id: string, waitMs: number, toInbox: boolean): Promise<HandoffRecord> {
  const current = await rt.handoffs.get(id);
  if (current.state !== 'running' || waitMs === 0) return current;
  const ended = await rt.bus.waitFor(
    (e) => e.type === 'handoff.finished' && e.data.handoffId === id,
    waitMs,
    async () => (await rt.handoffs.get(id)).state !== 'running',
  );
  const after = await rt.handoffs.get(id);
  if (after.state !== 'running' || !toInbox || ended !== 'timeout') return after;
  await rt.handoffs.routeToInbox(id); // Refused only if it finished in between: the read below shows that.
  return rt.handoffs.get(id);
}

/** Assignments last at most a day; a worker still silent then is reported as such. */
const ASSIGNMENT_DEADLINE_MS = 24 * 3600 * 1000;

export async function assignTask(
  rt: Runtime,
  input: AssignInput,
): Promise<{ terminal: TerminalRecord; messageId: number; assignment: string }> {
  const caller = input.caller ? await rt.terminals.get(input.caller) : undefined;
  const worker = await startWorker(rt, input, caller);
  const reportBack = caller
    ? `When you end your turn, your final answer is reported to ${caller.id}, who assigned this, word for word; ` +
      'use the send_message tool only to ask or tell something before you are done.'
    : 'Nobody waits for a report: finish the task and say what you did.';
  const body = `[conductor] Task from ${senderLabel(caller)}. ${reportBack}\n\n${input.message}`;
  const task = await sendMessage(rt, { from: caller?.id, to: worker.id, message: body }, 'task');
  const id = await recordDelegation(rt, {
    mode: 'assign',
    caller,
    worker,
    profile: input.profile,
    message: input.message,
    keepWorker: true,
    deadlineMs: ASSIGNMENT_DEADLINE_MS,
    taskMessageId: task.id,
  });
  rt.handoffRunner.watch((await rt.handoffs.row(id))!);
  return { terminal: worker, messageId: task.id, assignment: id };
}
