import { ConflictError } from '../errors.js';
import { moduleLogger } from '../logger.js';
import type { UsageReporter } from './report.js';
import type { UsageStore } from './store.js';

const log = moduleLogger('usage');

export interface BudgetDeps {
  store: UsageStore;
  reporter: UsageReporter;
  clock: () => number;
  /** Files an approval request from `requester`; returns its id. */
  fileApproval: (requester: string, action: string, reason: string, details: Record<string, unknown>) => Promise<string>;
  /** The request's state ('pending', 'approved', 'denied', 'expired'), undefined once removed. */
  approvalState: (approvalId: string) => Promise<string | undefined>;
  /** Tells whoever listens (notification targets) that a tree passed its budget. */
  announce?: (terminalId: string, data: Record<string, unknown>) => Promise<void>;
}

const usd = (n: number) => `$${n.toFixed(2)}`;

/**
 * Budgets (a profile's `maxCostUsd`) cover a terminal's whole delegation tree. Once a tree's cost
 * passes its budget, a human is asked once whether it may go on; until that is decided (and
 * after a denial) no terminal in the tree may start workers.
 */
export class BudgetGuard {
  private readonly unpricedWarned = new Set<string>();

  constructor(private readonly deps: BudgetDeps) {}

  /** The terminal and its callers up to the tree's root. */
  async chain(terminalId: string): Promise<string[]> {
    const chain: string[] = [];
    for (let id: string | null = terminalId; id && !chain.includes(id); ) {
      chain.push(id);
      id = (await this.deps.store.source(id))?.caller_terminal_id ?? null;
    }
    return chain;
  }

  /** Checks the budgets over `terminalId` (its own and its callers'), asking for approval where one is passed. */
  async check(terminalId: string): Promise<void> {
    for (const id of await this.chain(terminalId)) {
      const source = await this.deps.store.source(id);
      const limit = source?.max_cost_usd;
      if (limit === null || limit === undefined || (await this.deps.store.budgetRequest(id))) continue;
      const tree = await this.deps.reporter.treeFigures(id);
      if (tree.costUsd === null) {
        if (!this.unpricedWarned.has(id) && tree.models.length) {
          this.unpricedWarned.add(id);
          log.warn({ terminal: id, limit }, 'a budget cannot be checked: some of the tree\'s models have no price (add them to CONDUCTOR_HOME/prices.json)');
        }
        continue;
      }
      if (tree.costUsd <= limit) continue;
      const reason =
        `Terminal ${id} and its workers (${tree.terminals.length} terminal${tree.terminals.length === 1 ? '' : 's'}) have cost ${usd(tree.costUsd)}, ` +
        `past the budget of ${usd(limit)} set by its profile (maxCostUsd). Until this is decided, no terminal of that tree may start further handoffs or assigns.`;
      const approvalId = await this.deps.fileApproval(id, `continue past ${usd(limit)}?`, reason, { budget: { limitUsd: limit, costUsd: tree.costUsd, terminals: tree.terminals } });
      await this.deps.store.addBudgetRequest(id, limit, approvalId, this.deps.clock());
      log.info({ terminal: id, limit, cost: tree.costUsd, approval: approvalId }, 'budget passed: approval requested');
      await this.deps.announce?.(id, { message: reason, limitUsd: limit, costUsd: tree.costUsd, approvalId }).catch((err) =>
        log.warn({ terminal: id, err: (err as Error).message }, 'could not announce the passed budget'),
      );
    }
  }

  /** Throws when a budget over `terminalId` was passed and its approval is pending or was refused. */
  async assertMayDelegate(terminalId: string): Promise<void> {
    for (const id of await this.chain(terminalId)) {
      const request = await this.deps.store.budgetRequest(id);
      if (!request) continue;
      const state = await this.deps.approvalState(request.approvalId);
      if (state === 'pending') {
        throw new ConflictError(
          `terminal ${id}'s delegation tree passed its budget of ${usd(request.limitUsd)}: approval ${request.approvalId} is pending; ` +
            `decide it with \`conductor approve ${request.approvalId}\` or \`conductor deny ${request.approvalId}\``,
        );
      }
      if (state === 'denied' || state === 'expired') {
        throw new ConflictError(
          `terminal ${id}'s delegation tree passed its budget of ${usd(request.limitUsd)} and approval ${request.approvalId} was ${state}: it may start no further handoffs or assigns`,
        );
      }
    }
  }
}
