import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ConflictError, InvalidInputError } from '../errors.js';
import { sendMessage } from '../inbox/operations.js';
import { moduleLogger } from '../logger.js';
import { resolveProfile } from '../profile/load.js';
import { resolveProvider } from '../providers/registry.js';
import type { Runtime } from '../runtime.js';
import { sendKeys } from '../terminal/input.js';
import { loadPolicy, matchPolicy, subjectOf } from './policy.js';
import type { ApprovalRecord, ApprovalSource, DecideInput, RequestApprovalInput, ToolCheckInput } from './schema.js';

const log = moduleLogger('approvals');

export function policyFile(rt: Runtime): string {
  return join(rt.layout.home, 'policy.yaml');
}

/**
 * Files a request (stored and audited before anything else) and tells whoever should decide:
 * the requester's supervisor gets an inbox message; `conductor approvals --watch` sees the event.
 */
export async function requestApproval(rt: Runtime, input: RequestApprovalInput, source: ApprovalSource = 'mcp'): Promise<ApprovalRecord> {
  const requester = input.requester ? await rt.terminals.get(input.requester) : undefined;
  const now = rt.clock();
  const approval = await rt.approvals.insert({
    id: `a-${randomBytes(4).toString('hex')}`,
    requester_terminal_id: requester?.id ?? null,
    source,
    action: input.action,
    reason: input.reason,
    details: input.details ? JSON.stringify(input.details) : null,
    state: 'pending',
    decided_by: null,
    note: null,
    result_via_inbox: 0,
    created_at: now,
    expires_at: now + input.expiresIn * 1000,
    decided_at: null,
  });
  rt.audit.append('requested', approval, now);
  await rt.bus.publish('approval.requested', { sessionId: requester?.sessionId, terminalId: requester?.id }, { approvalId: approval.id });
  rt.approvalExpiry.reschedule();
  const supervisor = requester?.callerTerminalId;
  if (supervisor) {
    const body =
      `Approval request ${approval.id} from terminal ${requester.id}: ${approval.action}\nWhy: ${approval.reason}\n` +
      `Decide with decide_approval (if your profile may) or ask the human: conductor approve ${approval.id} / conductor deny ${approval.id}.`;
    await sendMessage(rt, { to: supervisor, message: body }, 'notice', 'the conductor').catch((err) =>
      log.warn({ approval: approval.id, err: (err as Error).message }, 'could not notify the supervisor'),
    );
  }
  log.info({ approval: approval.id, source, requester: requester?.id }, 'approval requested');
  return approval;
}

/** The request once decided, or as it stands after `waitMs`; with `toInbox` a late decision goes to the requester's inbox. */
export async function waitForApproval(rt: Runtime, id: string, waitMs: number, toInbox: boolean): Promise<ApprovalRecord> {
  const current = await rt.approvals.get(id);
  if (current.state !== 'pending' || waitMs === 0) return current;
  const ended = await rt.bus.waitFor(
    (e) => e.type === 'approval.decided' && e.data.approvalId === id,
    waitMs,
    async () => (await rt.approvals.get(id)).state !== 'pending',
  );
  const after = await rt.approvals.get(id);
  // Only a caller that gave up waiting gets the decision by inbox; a daemon stop is no such thing.
  if (after.state === 'pending' && toInbox && ended === 'timeout') await rt.approvals.routeToInbox(id);
  return rt.approvals.get(id);
}

async function deciderName(rt: Runtime, input: DecideInput): Promise<string> {
  if (!input.decider) return input.by ? `human (${input.by})` : 'human';
  const t = await rt.terminals.get(input.decider);
  const profile = t.profile ? resolveProfile(t.profile, rt.layout.profiles) : undefined;
  if (!profile?.approval.canDecide) {
    throw new InvalidInputError(
      `terminal ${t.id} may not decide approvals: its profile${t.profile ? ` '${t.profile}'` : ''} lacks approval.canDecide; ask a human to run \`conductor approve\``,
    );
  }
  return `terminal ${t.id} (${t.profile})`;
}

/** Exactly one decision per request: a second one, or the loser of a race, is told which stands. */
export async function decideApproval(rt: Runtime, id: string, input: DecideInput): Promise<ApprovalRecord> {
  const before = await rt.approvals.get(id);
  const by = await deciderName(rt, input);
  if (before.requester && input.decider === before.requester) throw new InvalidInputError('a terminal cannot decide its own approval request');
  const state = input.decision === 'approve' ? 'approved' : 'denied';
  const now = rt.clock();
  if (!(await rt.approvals.decide(id, state, by, input.note ?? null, now))) {
    const standing = await rt.approvals.get(id);
    throw new ConflictError(
      `approval ${id} was already ${standing.state} by ${standing.decidedBy ?? 'the conductor'} at ${standing.decidedAt}` +
        `${standing.note ? ` (${standing.note})` : ''}: that decision stands`,
    );
  }
  return settle(rt, await rt.approvals.get(id), now);
}

/** After a decision or an expiry: audit, event, the requester's inbox, and a held prompt's keys. */
export async function settle(rt: Runtime, decided: ApprovalRecord, at: number): Promise<ApprovalRecord> {
  rt.audit.append(decided.state as 'approved' | 'denied' | 'expired', decided, at);
  await rt.bus.publish('approval.decided', { terminalId: decided.requester }, { approvalId: decided.id, state: decided.state });
  log.info({ approval: decided.id, state: decided.state, by: decided.decidedBy }, 'approval decided');
  if (decided.source === 'prompt' && decided.requester && decided.state !== 'expired') await answerPrompt(rt, decided);
  if (decided.requester && (await rt.approvals.resultViaInbox(decided.id))) {
    const body = `Approval ${decided.id} (${decided.action}): ${decided.state}${decided.decidedBy ? ` by ${decided.decidedBy}` : ''}${decided.note ? `: ${decided.note}` : ''}`;
    await sendMessage(rt, { to: decided.requester, message: body }, 'notice', 'the conductor').catch(() => undefined);
  }
  return decided;
}

async function answerPrompt(rt: Runtime, a: ApprovalRecord): Promise<void> {
  const t = await rt.terminals.get(a.requester!);
  const keys = resolveProvider(t.provider, rt.layout.providers).answerKeys;
  if (!keys) return;
  await sendKeys(rt, t, a.state === 'approved' ? keys.approve : keys.deny).catch((err) =>
    log.warn({ approval: a.id, err: (err as Error).message }, 'could not answer the prompt'),
  );
}

/** A tool call about to run (Claude's PreToolUse hook): allowed, or held by a new approval request. */
export async function checkToolCall(rt: Runtime, input: ToolCheckInput): Promise<{ decision: 'allow' | 'ask'; approval: ApprovalRecord | null }> {
  const t = await rt.terminals.get(input.terminal);
  const profile = t.profile ? resolveProfile(t.profile, rt.layout.profiles) : undefined;
  const rule = matchPolicy(loadPolicy(policyFile(rt), profile?.approval.require), { tool: input.tool, input: input.input, cwd: input.cwd ?? t.cwd });
  if (!rule) return { decision: 'allow', approval: null };
  const subject = subjectOf({ tool: input.tool, input: input.input, cwd: t.cwd });
  const approval = await requestApproval(
    rt,
    { action: `${input.tool}: ${subject}`, reason: `policy: ${rule.reason}`, details: { tool: input.tool, input: input.input }, requester: t.id, expiresIn: 24 * 3600 },
    'hook',
  );
  return { decision: 'ask', approval };
}

export function toCsv(rows: ApprovalRecord[]): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const header = ['id', 'requester', 'source', 'action', 'reason', 'state', 'decided_by', 'note', 'created_at', 'decided_at', 'expires_at'];
  const lines = rows.map((a) =>
    [a.id, a.requester, a.source, a.action, a.reason, a.state, a.decidedBy, a.note, a.createdAt, a.decidedAt, a.expiresAt].map(cell).join(','),
  );
  return `${[header.join(','), ...lines].join('\n')}\n`;
}
