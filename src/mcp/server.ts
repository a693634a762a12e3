import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import { connect, type DaemonClient } from '../cli/client.js';
import { ConductorError, DaemonUnavailableError } from '../errors.js';
import type { HandoffRecord } from '../handoff/schema.js';
import type { MessageRecord } from '../inbox/schema.js';
import { requesterEnvironment } from '../terminal/environment.js';
import type { TerminalRecord } from '../terminal/schema.js';
import { VERSION } from '../version.js';
import { registerApprovalTools } from './approvalTools.js';
import { registerWorktreeTools, worktreeHint } from './worktreeTools.js';
import { registerSteerTools } from './steerTools.js';

export type ToolResult = { content: Array<{ type: 'text'; text: string }>; isError?: boolean };

/** What tool modules share: the daemon connection, the caller, and result helpers. */
export interface ToolKit {
  daemon: () => Promise<DaemonClient>;
  self: string | undefined;
  guarded: <A>(fn: (args: A) => Promise<ToolResult>) => (args: A) => Promise<ToolResult>;
  text: (t: string) => ToolResult;
  failure: (t: string) => ToolResult;
  waitBudgetSeconds: () => number;
  /** Long-polls `path` (which takes `wait=`) until `settled`, riding out a daemon restart. */
  poll: <T>(path: string, settled: (r: T) => boolean, budgetMs: number) => Promise<T>;
}

// Text only: some clients show the model structuredContent instead of the text when both exist.
const text = (t: string): ToolResult => ({ content: [{ type: 'text', text: t }] });
const failure = (t: string): ToolResult => ({ content: [{ type: 'text', text: t }], isError: true });

/** How long one tool call waits for a handoff before handing back a handle (clients time out). */
function waitBudgetSeconds(): number {
  const raw = Number(process.env.CONDUCTOR_MCP_WAIT_SECONDS);
  return Number.isFinite(raw) && raw > 0 ? raw : 240;
}

function describeHandoff(h: HandoffRecord): ToolResult {
  if (h.state === 'completed') return text(`${h.result ?? ''}\n\n[handoff ${h.id} · worker ${h.worker} · completed]`);
  if (h.state === 'running') {
    return text(
      `Handoff ${h.id} is still running on worker ${h.worker}. Go on with other work: its result will arrive in your ` +
        `inbox as a message, or call handoff_result with handle "${h.id}" to wait for it again.`,
    );
  }
  return failure(`Handoff ${h.id} ${h.state}: ${h.error ?? 'no detail'}. The worker was ${h.worker}.`);
}

/**
 * The MCP server every conductor terminal gets (`conductor mcp`, stdio). It knows its caller from
 * CONDUCTOR_TERMINAL_ID and does everything through the daemon.
 */
export async function runMcpServer(): Promise<void> {
  const self = process.env.CONDUCTOR_TERMINAL_ID || undefined;
  let client: DaemonClient | undefined;
  const daemon = async () => (client ??= await connect());

  const needsCaller = (tool: string): ToolResult | undefined =>
    self
      ? undefined
      : failure(`${tool} needs to know who is calling, and this MCP server runs outside a conductor terminal (no CONDUCTOR_TERMINAL_ID). Start the agent with \`conductor launch\`.`);

  /** Every tool failure becomes an isError result that tells the model what to do. */
  const guarded =
    <A>(fn: (args: A) => Promise<ToolResult>) =>
    async (args: A): Promise<ToolResult> => {
      try {
        return await fn(args);
      } catch (err) {
        if (err instanceof ConductorError) return failure(err.message);
        return failure(`the conductor failed: ${(err as Error).message}`);
      }
    };

  const poll = async <T>(path: string, settled: (r: T) => boolean, budgetMs: number): Promise<T> => {
    const deadline = Date.now() + budgetMs;
    const sep = path.includes('?') ? '&' : '?';
    let last: T | undefined;
    for (;;) {
      const left = Math.max(0, deadline - Date.now());
      try {
        last = await (await daemon()).get<T>(`${path}${sep}wait=${Math.round(left)}`);
        if (settled(last) || left === 0) return last;
      } catch (err) {
        // The daemon went away mid-wait (a restart): reconnect, which starts it again, and go on.
        if (!(err instanceof DaemonUnavailableError) || Date.now() >= deadline) throw err;
        client = undefined;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };

  const server = new McpServer({ name: 'conductor', version: VERSION });

  server.registerTool(
    'handoff',
    {
      description:
        'Give a task to a new worker agent and wait for its answer. The worker starts with the given profile, gets the task, ' +
        'and its final response comes back here; then it is shut down (unless keep is true). If it takes long, you get a handle ' +
        'and the result arrives in your inbox later (or use handoff_result).',
      inputSchema: {
        profile: z.string().describe('worker profile, e.g. "developer" or "reviewer" (see `conductor profiles`)'),
        message: z.string().describe('the complete task: the worker knows nothing else about your work'),
        timeout: z.number().int().positive().optional().describe('seconds the whole handoff may take (default 1800)'),
        keep: z.boolean().optional().describe('keep the worker running after it answered'),
        worktree: z.boolean().optional().describe('start the worker in a git worktree of its own; see its changes with worker_diff'),
      },
    },
    guarded(async (a) => {
      const c = await daemon();
      const started = await c.post<HandoffRecord>('/handoffs', { ...a, caller: self, launchEnv: requesterEnvironment() });
      const budget = Math.min(waitBudgetSeconds(), a.timeout ?? Infinity) * 1000;
      const result = describeHandoff(await poll<HandoffRecord>(`/handoffs/${started.id}?inbox=${self ? 'true' : 'false'}`, (h) => h.state !== 'running', budget));
      const hint = await worktreeHint(c, started.worker);
      return hint ? { ...result, content: [{ type: 'text' as const, text: `${result.content[0].text}${hint}` }] } : result;
    }),
  );

  server.registerTool(
    'handoff_result',
    {
      description: 'Wait again for a handoff that returned a handle, and get its result.',
      inputSchema: {
        handle: z.string().describe('the handle a handoff call returned, like h-1a2b3c4d'),
        wait: z.number().int().min(0).optional().describe('seconds to wait at most (default: as long as a tool call may)'),
      },
    },
    guarded(async (a) => {
      const wait = Math.min(a.wait ?? waitBudgetSeconds(), waitBudgetSeconds()) * 1000;
      const path = `/handoffs/${encodeURIComponent(a.handle)}?inbox=${self ? 'true' : 'false'}`;
      return describeHandoff(await poll<HandoffRecord>(path, (h) => h.state !== 'running', wait));
    }),
  );

  server.registerTool(
    'assign',
    {
      description:
        'Start a worker agent on a task and go on at once. When the worker ends its turn, its final answer arrives in your inbox as its report ' +
        '(or the news that it exited or failed first).',
      inputSchema: {
        profile: z.string().describe('worker profile (see `conductor profiles`)'),
        message: z.string().describe('the complete task'),
        worktree: z.boolean().optional().describe('start the worker in a git worktree of its own; see its changes with worker_diff'),
      },
    },
    guarded(async (a) => {
      const c = await daemon();
      const r = await c.post<{ terminal: TerminalRecord; messageId: number; assignment: string }>('/assign', {
        ...a,
        caller: self,
        launchEnv: requesterEnvironment(),
      });
      return text(
        `Worker ${r.terminal.id} (${r.terminal.provider}, profile ${a.profile}) is starting and will get the task as soon as it is ready ` +
          `(assignment ${r.assignment}). Its report will arrive in your inbox; go on with other work meanwhile.` +
          (r.terminal.worktree ? ` It works in its own git worktree (branch ${r.terminal.worktree.branch}): see its changes with worker_diff.` : ''),
      );
    }),
  );

  server.registerTool(
    'send_message',
    {
      description:
        "Queue a message for another terminal's inbox. It is delivered as soon as that agent is idle. With no `to`, it goes to the terminal that started you.",
      inputSchema: {
        message: z.string().describe('the message'),
        to: z.string().optional().describe('terminal id of the receiver (see list_terminals); default: who started you'),
      },
    },
    guarded(async (a) => {
      const c = await daemon();
      if (!self && !a.to) return failure('give `to`: outside a conductor terminal there is no default receiver');
      const m = await c.post<MessageRecord>('/messages', { message: a.message, to: a.to, from: self });
      return text(`Message #${m.id} queued for terminal ${m.to}; it is delivered when that agent is idle.`);
    }),
  );

  server.registerTool(
    'list_terminals',
    { description: 'List the live terminals: id, profile, provider, status and who started each.', inputSchema: {} },
    guarded(async () => {
      const { terminals } = await (await daemon()).get<{ terminals: TerminalRecord[] }>('/terminals');
      const rows = terminals.map((t) => ({
        id: t.id,
        profile: t.profile,
        provider: t.provider,
        status: t.status,
        startedBy: t.callerTerminalId,
        you: t.id === self,
      }));
      return text(JSON.stringify(rows, null, 2));
    }),
  );

  server.registerTool(
    'whoami',
    { description: 'Your own terminal: id, profile, provider, session and who started you.', inputSchema: {} },
    guarded(async () => {
      const missing = needsCaller('whoami');
      if (missing) return missing;
      const t = await (await daemon()).get<TerminalRecord>(`/terminals/${self}`);
      const me = { id: t.id, profile: t.profile, provider: t.provider, session: t.sessionName, startedBy: t.callerTerminalId, cwd: t.cwd };
      return text(JSON.stringify(me, null, 2));
    }),
  );

  registerApprovalTools(server, { daemon, self, guarded, text, failure, waitBudgetSeconds, poll });
  registerWorktreeTools(server, { daemon, self, guarded, text, failure, waitBudgetSeconds, poll });
  registerSteerTools(server, { daemon, self, guarded, text, failure, waitBudgetSeconds, poll });
  await server.connect(new StdioServerTransport());
}
