import { randomBytes } from 'node:crypto';
import { ConflictError } from '../errors.js';
import { senderLabel, sendMessage } from '../inbox/operations.js';
import type { Runtime } from '../runtime.js';
import { addTerminal, createSession } from '../session/operations.js';
import type { TerminalRecord } from '../terminal/schema.js';
import type { AssignInput, HandoffInput, HandoffRecord } from './schema.js';

/** Starts a worker for `profile` beside its caller (same session), or in a new session. */
async function startWorker(rt: Runtime, profile: string, caller: TerminalRecord | undefined): Promise<TerminalRecord> {
  if (caller?.status === 'exited') throw new ConflictError(`the calling terminal ${caller.id} has exited`);
  if (caller) return addTerminal(rt, caller.sessionId, { profile, callerTerminalId: caller.id, env: {} });
  return (await createSession(rt, { profile, env: {} })).terminal;
}

export async function startHandoff(rt: Runtime, input: HandoffInput): Promise<HandoffRecord> {
  const caller = input.caller ? await rt.terminals.get(input.caller) : undefined;
  const worker = await startWorker(rt, input.profile, caller);
  const id = `h-${randomBytes(4).toString('hex')}`;
  const now = rt.clock();
  await rt.handoffs.insert({
    id,
    caller_terminal_id: caller?.id ?? null,
    worker_terminal_id: worker.id,
    task_message_id: null,
    profile: input.profile,
    message: input.message,
    keep_worker: input.keep ? 1 : 0,
    state: 'running',
    result: null,
    error: null,
    result_via_inbox: 0,
    deadline_at: now + input.timeout * 1000,
    created_at: now,
    finished_at: null,
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

export async function assignTask(rt: Runtime, input: AssignInput): Promise<{ terminal: TerminalRecord; messageId: number }> {
  const caller = input.caller ? await rt.terminals.get(input.caller) : undefined;
  const worker = await startWorker(rt, input.profile, caller);
  const reportBack = caller
    ? `When you are done, or blocked, report back with the send_message tool: with no \`to\` it reaches ${caller.id}, who assigned this.`
    : 'Nobody waits for a report: finish the task and say what you did.';
  const body = `[conductor] Task from ${senderLabel(caller)}. ${reportBack}\n\n${input.message}`;
  const task = await sendMessage(rt, { from: caller?.id, to: worker.id, message: body }, 'task');
  return { terminal: worker, messageId: task.id };
}
