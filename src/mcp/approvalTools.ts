import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ApprovalRecord } from '../approval/schema.js';
import type { DaemonClient } from '../cli/client.js';
import type { ToolKit } from './server.js';

function describe(a: ApprovalRecord): string {
  if (a.state === 'approved') return `APPROVED by ${a.decidedBy}${a.note ? `: ${a.note}` : ''}. You may go ahead with: ${a.action}`;
  if (a.state === 'denied') return `DENIED by ${a.decidedBy}${a.note ? `: ${a.note}` : ''}. Do not do it: ${a.action}. Find another way or report back.`;
  if (a.state === 'expired') return `EXPIRED without a decision (${a.note ?? 'no note'}). Treat it as denied.`;
  return (
    `Approval ${a.id} is still pending. Do not take the action yet. The decision will arrive in your inbox as a message; ` +
    `until then, go on with work that does not depend on it.`
  );
}

/** request_approval, list_approvals, decide_approval: the approvals part of the conductor's MCP tools. */
export function registerApprovalTools(server: McpServer, kit: ToolKit): void {
  const { daemon, self, guarded, text, failure, waitBudgetSeconds, poll } = kit;

  server.registerTool(
    'request_approval',
    {
      description:
        'Ask a human (or your supervisor) to approve a risky action before you take it: deleting data, pushing, publishing, ' +
        'touching files outside the working directory, spending money. Waits for the decision and returns it.',
      inputSchema: {
        action: z.string().describe('exactly what you want to do, e.g. the command you would run'),
        reason: z.string().describe('why it is needed'),
        details: z.record(z.string(), z.unknown()).optional().describe('anything that helps the decision'),
      },
    },
    guarded(async (a) => {
      const c: DaemonClient = await daemon();
      const filed = await c.post<ApprovalRecord>('/approvals', { ...a, requester: self });
      const path = `/approvals/${filed.id}?inbox=${self ? 'true' : 'false'}`;
      const decided = await poll<ApprovalRecord>(path, (r) => r.state !== 'pending', waitBudgetSeconds() * 1000);
      return text(`${describe(decided)}\n[approval ${decided.id}]`);
    }),
  );

  server.registerTool(
    'list_approvals',
    {
      description: 'List approval requests: pending ones, or all with all=true.',
      inputSchema: { all: z.boolean().optional().describe('include decided requests') },
    },
    guarded(async (a) => {
      const { approvals } = await (await daemon()).get<{ approvals: ApprovalRecord[] }>(`/approvals?all=${a.all ? 'true' : 'false'}`);
      return text(JSON.stringify(approvals, null, 2));
    }),
  );

  server.registerTool(
    'decide_approval',
    {
      description: "Approve or deny another agent's approval request. Only profiles with approval.canDecide may; otherwise leave it to a human.",
      inputSchema: {
        id: z.string().describe('the request id, like a-1a2b3c4d'),
        decision: z.enum(['approve', 'deny']),
        note: z.string().optional().describe('a note for the requester, or the reason for a denial'),
      },
    },
    guarded(async (a) => {
      if (!self) return failure('decide_approval needs to know who decides: run it from a conductor terminal');
      const decided = await (await daemon()).post<ApprovalRecord>(`/approvals/${encodeURIComponent(a.id)}/decision`, {
        decision: a.decision,
        note: a.note,
        decider: self,
      });
      return text(`Approval ${decided.id} is now ${decided.state}.`);
    }),
  );
}
