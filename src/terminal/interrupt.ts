import { z } from 'zod';
import { ConductorError, ConflictError, ProviderError, TimeoutError } from '../errors.js';
import type { EventBus } from '../events/bus.js';
import { moduleLogger } from '../logger.js';
import { resolveProvider } from '../providers/registry.js';
import type { TerminalMonitor } from '../status/monitor.js';
import type { Tmux } from '../tmux/client.js';
import { terminalIdSchema, type TerminalRecord, type TerminalStatus } from './schema.js';
import type { TerminalStore } from './store.js';

const log = moduleLogger('interrupt');

/** POST /terminals/:id/interrupt, `conductor interrupt` and the MCP tool `interrupt`. */
export const interruptSchema = z
  .object({
    /** The terminal asking (an agent through MCP): it may only interrupt its own workers. */
    by: terminalIdSchema.optional(),
    /** Seconds the agent has to leave `busy`. */
    timeout: z.number().int().min(1).max(120).default(5),
  })
  .strict();
export type InterruptInput = z.infer<typeof interruptSchema>;

export interface InterruptReport {
  terminalId: string;
  keys: string[];
  /** The status when the keys were sent. */
  before: TerminalStatus;
  /** The status once the agent left `busy` (or at once, when it was not busy). */
  status: TerminalStatus;
}

export interface InterruptDeps {
  terminals: TerminalStore;
  monitor: TerminalMonitor;
  bus: EventBus;
  tmux: Tmux;
  providersDir: string;
}

/** Terminals up the chain of who started whom, nearest first; stops at a loop or a removed record. */
async function supervisorsOf(terminals: TerminalStore, start: TerminalRecord): Promise<string[]> {
  const chain: string[] = [];
  let next = start.callerTerminalId;
  while (next && !chain.includes(next)) {
    chain.push(next);
    next = (await terminals.find(next))?.callerTerminalId ?? null;
  }
  return chain;
}

/** A supervisor may interrupt the workers it started and theirs, never its own supervisors. */
export async function assertMayInterrupt(terminals: TerminalStore, by: string, target: TerminalRecord): Promise<void> {
  const caller = await terminals.get(by);
  if (caller.id === target.id) {
    throw new ConductorError('forbidden', 'a terminal cannot interrupt itself: end your turn instead');
  }
  if ((await supervisorsOf(terminals, target)).includes(caller.id)) return;
  if ((await supervisorsOf(terminals, caller)).includes(target.id)) {
    throw new ConductorError(
      'forbidden',
      `terminal ${target.id} is your supervisor: a worker may not interrupt it; send it a message with send_message instead`,
    );
  }
  throw new ConductorError(
    'forbidden',
    `terminal ${target.id} is not one of your workers: you may interrupt only terminals you started (see list_terminals, startedBy) and their workers`,
  );
}

/**
 * Sends the provider's own interrupt and confirms the agent left `busy`. The keys go straight
 * to tmux, not behind queued input: an interrupt is for stopping what is going on now.
 */
export async function interruptTerminal(deps: InterruptDeps, terminal: TerminalRecord, input: InterruptInput): Promise<InterruptReport> {
  if (input.by) await assertMayInterrupt(deps.terminals, input.by, terminal);
  const current = await deps.terminals.get(terminal.id);
  if (current.status === 'exited' || current.status === 'lost') {
    throw new ConflictError(`terminal '${current.id}' has ${current.status === 'lost' ? 'been lost with its tmux window' : 'exited'}: there is nothing to interrupt`);
  }
  const provider = resolveProvider(current.provider, deps.providersDir);
  const keys = provider.interrupt;
  if (!keys?.length) {
    throw new ProviderError(
      `provider '${provider.name}' defines no interrupt keys: add \`interrupt: [Escape]\` (or the keys it needs) to its provider file, ` +
        `or send keys yourself with \`conductor keys ${current.id} <key...>\``,
    );
  }
  const statusNow = async () => deps.monitor.status(current.id) ?? (await deps.terminals.get(current.id)).status;
  const before = await statusNow();
  deps.monitor.noteInterrupt(current.id);
  await deps.tmux.sendKeys(current.tmuxPane, keys);
  log.info({ terminal: current.id, keys, before }, 'interrupt sent');
  const report = { terminalId: current.id, keys, before };
  if (before !== 'busy') return { ...report, status: before };
  const outcome = await deps.bus.waitFor(
    (e) => e.type === 'terminal.status' && e.terminalId === current.id && e.data.status !== 'busy',
    input.timeout * 1000,
    async () => (await statusNow()) !== 'busy',
  );
  const status = await statusNow();
  if (outcome === 'timeout' && status === 'busy') {
    throw new TimeoutError(
      `terminal ${current.id} is still busy ${input.timeout} s after ${keys.join(' ')}: the agent did not take the interrupt; ` +
        `look at it with \`conductor attach ${current.id}\`, or send other keys with \`conductor keys ${current.id} C-c\``,
    );
  }
  return { ...report, status };
}
