import { moduleLogger } from '../logger.js';
import { screenLines } from '../providers/screen.js';
import type { Runtime } from '../runtime.js';
import type { TerminalStatus } from '../terminal/schema.js';
import { requestApproval, settle } from './operations.js';

const log = moduleLogger('prompt-approvals');
const PROMPT_LINES = 15;

/**
 * An agent's own permission prompt (`waiting_input`) becomes an approval request carrying the
 * prompt's text; deciding it answers the prompt with the provider's keys. A prompt answered in
 * the terminal itself expires its request.
 */
export class PromptApprovals {
  private unsubscribe: (() => void) | null = null;
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly rt: Runtime) {}

  start(): void {
    this.unsubscribe = this.rt.bus.subscribe((e) => {
      if (e.type !== 'terminal.status' || !e.terminalId) return;
      const id = e.terminalId;
      const status = e.data.status as TerminalStatus;
      const next = (this.queues.get(id) ?? Promise.resolve())
        .then(() => this.onStatus(id, status))
        .catch((err) => log.warn({ terminal: id, err: (err as Error).message }, 'prompt approval failed'));
      this.queues.set(id, next);
      void next.finally(() => this.queues.get(id) === next && this.queues.delete(id));
    });
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await Promise.allSettled([...this.queues.values()]);
  }

  private async onStatus(id: string, status: TerminalStatus): Promise<void> {
    const pending = await this.rt.approvals.pendingFor(id, 'prompt');
    if (status === 'waiting_input') {
      if (pending.length > 0) return;
      const t = await this.rt.terminals.get(id);
      const screen = await this.rt.tmux.capture(t.tmuxPane);
      const prompt = screenLines(screen).filter((l) => l.trim() !== '').slice(-PROMPT_LINES).join('\n');
      await requestApproval(
        this.rt,
        { action: `answer the permission prompt of terminal ${id} (${t.provider})`, reason: prompt, requester: id, expiresIn: 24 * 3600 },
        'prompt',
      );
      return;
    }
    const now = this.rt.clock();
    for (const a of pending) {
      if (await this.rt.approvals.decide(a.id, 'expired', 'the terminal', 'answered in the terminal', now)) {
        await settle(this.rt, await this.rt.approvals.get(a.id), now);
      }
    }
  }
}
