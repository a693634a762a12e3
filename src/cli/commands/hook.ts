import type { Command } from 'commander';
import type { ApprovalRecord } from '../../approval/schema.js';
import { DaemonUnavailableError } from '../../errors.js';
import { connect } from '../client.js';
import { action } from '../run.js';

const WAIT_CHUNK_MS = 300_000;
const MAX_RECONNECTS = 120;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function answer(decision: 'allow' | 'deny', reason: string): void {
  process.stdout.write(
    `${JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: decision, permissionDecisionReason: reason } })}\n`,
  );
}

/** Waits for the decision, riding out daemon restarts (the request is stored, so it survives them). */
async function waitForDecision(a: ApprovalRecord): Promise<ApprovalRecord> {
  let failures = 0;
  while (a.state === 'pending') {
    try {
      a = await (await connect()).get<ApprovalRecord>(`/approvals/${a.id}?wait=${WAIT_CHUNK_MS}`);
      failures = 0;
    } catch (err) {
      if (!(err instanceof DaemonUnavailableError) || ++failures > MAX_RECONNECTS) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  return a;
}

/**
 * Claude Code's PreToolUse hook: checks the tool call against the approval policy; a risky one
 * waits here for a human's (or a supervisor's) decision. It fails closed: no daemon, no run.
 */
export function register(program: Command): void {
  program
    .command('hook')
    .description('agent hooks (wired into terminals by the conductor; not for direct use)')
    .argument('<event>', 'pre-tool-use')
    .action(
      action(async (event: string) => {
        if (event !== 'pre-tool-use') {
          process.stderr.write(`conductor: unknown hook '${event}'\n`);
          return 2;
        }
        const terminal = process.env.CONDUCTOR_TERMINAL_ID;
        const call = JSON.parse((await readStdin()) || '{}') as { tool_name?: string; tool_input?: Record<string, unknown>; cwd?: string };
        if (!terminal || !call.tool_name) return; // Not ours to judge: let the agent's own rules apply.
        try {
          const client = await connect();
          const check = await client.post<{ decision: 'allow' | 'ask'; approval: ApprovalRecord | null }>('/approvals/check', {
            terminal,
            tool: call.tool_name,
            input: call.tool_input ?? {},
            cwd: call.cwd,
          });
          if (check.decision === 'allow' || !check.approval) return;
          const a = await waitForDecision(check.approval);
          if (a.state === 'approved') answer('allow', `Approved by ${a.decidedBy}${a.note ? `: ${a.note}` : ''} (conductor approval ${a.id})`);
          else answer('deny', `${a.state === 'denied' ? `Denied by ${a.decidedBy}` : 'Not approved in time'}${a.note ? `: ${a.note}` : ''} (conductor approval ${a.id}). Do not retry it; ask for another way.`);
        } catch (err) {
          answer('deny', `The conductor could not check this action (${(err as Error).message}); it is blocked until the conductor runs.`);
        }
      }),
    );
}
