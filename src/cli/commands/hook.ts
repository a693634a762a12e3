import type { Command } from 'commander';
import type { ApprovalRecord } from '../../approval/schema.js';
import { DaemonUnavailableError } from '../../errors.js';
import { connect } from '../client.js';
import { action } from '../run.js';

const WAIT_CHUNK_MS = 300_000;
const MAX_RECONNECTS = 120;
/** How long the policy check (and reading the hook's input) may take before the call is blocked. */
const DEFAULT_CHECK_TIMEOUT_MS = 30_000;
/** Claude Code reads exit code 2 as "block this tool call" and shows stderr to the model. */
const BLOCK = 2;

/** Any failure of the hook, whatever its cause, blocks the tool call: this says why. */
class HookFailure extends Error {}

function checkTimeoutMs(): number {
  const raw = Number(process.env.CONDUCTOR_HOOK_TIMEOUT_MS);
  return Number.isFinite(raw) && raw > 0 ? raw : DEFAULT_CHECK_TIMEOUT_MS;
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HookFailure(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

interface ToolCallInput {
  tool_name: string;
  tool_input?: Record<string, unknown>;
  cwd?: string;
}

function parseCall(text: string): ToolCallInput {
  let call: unknown;
  try {
    call = JSON.parse(text);
  } catch (err) {
    throw new HookFailure(`its input is not valid JSON (${(err as Error).message})`);
  }
  const c = call as Partial<ToolCallInput> | null;
  if (typeof c !== 'object' || c === null || Array.isArray(c)) throw new HookFailure('its input is not a JSON object');
  if (typeof c.tool_name !== 'string' || c.tool_name === '') throw new HookFailure('its input names no tool (tool_name)');
  if (c.tool_input !== undefined && (typeof c.tool_input !== 'object' || c.tool_input === null || Array.isArray(c.tool_input))) {
    throw new HookFailure('its tool_input is not a JSON object');
  }
  if (c.cwd !== undefined && typeof c.cwd !== 'string') throw new HookFailure('its cwd is not a string');
  return c as ToolCallInput;
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
      a = await (await connect()).request<ApprovalRecord>('GET', `/approvals/${a.id}?wait=${WAIT_CHUNK_MS}`, undefined, WAIT_CHUNK_MS + checkTimeoutMs());
      failures = 0;
    } catch (err) {
      if (!(err instanceof DaemonUnavailableError) || ++failures > MAX_RECONNECTS) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  return a;
}

async function preToolUse(): Promise<void> {
  // Test-only: simulates a bug in the hook itself, to prove a crash blocks the call.
  if (process.env.CONDUCTOR_TEST_HOOK_CRASH === '1') throw new Error('injected hook crash (CONDUCTOR_TEST_HOOK_CRASH)');
  const timeout = checkTimeoutMs();
  const terminal = process.env.CONDUCTOR_TERMINAL_ID;
  if (!terminal) throw new HookFailure('CONDUCTOR_TERMINAL_ID is not set (this hook only runs inside conductor terminals)');
  const call = parseCall(await withTimeout(readStdin(), timeout, 'reading its input'));
  const check = await withTimeout(
    (async () =>
      (await connect()).request<{ decision: 'allow' | 'ask'; approval: ApprovalRecord | null }>(
        'POST',
        '/approvals/check',
        { terminal, tool: call.tool_name, input: call.tool_input ?? {}, cwd: call.cwd },
        timeout,
      ))(),
    timeout + 20_000, // connecting may start the daemon, which takes up to 15 s
    'the policy check',
  );
  if (check.decision === 'allow' || !check.approval) return;
  const a = await waitForDecision(check.approval);
  if (a.state === 'approved') answer('allow', `Approved by ${a.decidedBy}${a.note ? `: ${a.note}` : ''} (conductor approval ${a.id})`);
  else answer('deny', `${a.state === 'denied' ? `Denied by ${a.decidedBy}` : 'Not approved in time'}${a.note ? `: ${a.note}` : ''} (conductor approval ${a.id}). Do not retry it; ask for another way.`);
}

function block(err: unknown): number {
  const why = err instanceof Error ? err.message : String(err);
  process.stderr.write(`conductor: this tool call is blocked: the conductor's approval hook failed (${why}). Do not retry it until the conductor runs again.\n`);
  return BLOCK;
}

/**
 * Claude Code's PreToolUse hook: checks the tool call against the approval policy; a risky one
 * waits here for a human's (or a supervisor's) decision. It fails closed: any failure (bad input,
 * no daemon, a timeout, a bug here) exits 2, which blocks the call.
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
          return BLOCK;
        }
        const escaped = (err: unknown) => {
          process.exitCode = block(err);
          process.exit();
        };
        process.on('uncaughtException', escaped);
        process.on('unhandledRejection', escaped);
        try {
          await preToolUse();
          return 0;
        } catch (err) {
          return block(err);
        }
      }),
    );
}
