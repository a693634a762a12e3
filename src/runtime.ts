import { fileURLToPath } from 'node:url';
import type { ApprovalAudit } from './approval/audit.js';
import type { ApprovalExpiry } from './approval/expiry.js';
import type { ApprovalStore } from './approval/store.js';
import type { HomeLayout } from './config/paths.js';
import type { Db } from './db/database.js';
import type { InboxDelivery } from './inbox/delivery.js';
import type { MessageStore } from './inbox/store.js';
import type { NotifyStore } from './notify/store.js';
import type { NotifyWorker } from './notify/worker.js';
import type { EventBus } from './events/bus.js';
import type { CleanupWorker } from './cleanup/worker.js';
import type { FlowRunner } from './flow/runner.js';
import type { FlowScheduler } from './flow/scheduler.js';
import type { FlowStore } from './flow/store.js';
import type { HandoffRunner } from './handoff/runner.js';
import type { HandoffStore } from './handoff/store.js';
import type { HookSecrets } from './hooks/secrets.js';
import type { SessionStore } from './session/store.js';
import type { TerminalMonitor } from './status/monitor.js';
import type { TerminalStore } from './terminal/store.js';
import type { Tmux } from './tmux/client.js';
import type { UsageService } from './usage/service.js';
import type { WorktreeStore } from './worktree/store.js';

/** Everything the daemon's domain operations share. Built once in the daemon, passed explicitly. */
export interface Runtime {
  layout: HomeLayout;
  db: Db;
  tmux: Tmux;
  bus: EventBus;
  monitor: TerminalMonitor;
  terminals: TerminalStore;
  sessions: SessionStore;
  messages: MessageStore;
  inbox: InboxDelivery;
  handoffs: HandoffStore;
  handoffRunner: HandoffRunner;
  approvals: ApprovalStore;
  audit: ApprovalAudit;
  approvalExpiry: ApprovalExpiry;
  flows: FlowStore;
  flowScheduler: FlowScheduler;
  flowRunner: FlowRunner;
  cleanup: CleanupWorker;
  /** Token usage and budgets; absent in runtimes built without it. */
  usage?: UsageService;
  notifyTargets: NotifyStore;
  notify: NotifyWorker;
  worktrees: WorktreeStore;
  /** Each terminal's own secret for its agent's hooks. */
  hookSecrets: HookSecrets;
  /** The hook command for CLIs that run commands (`post-event`, see src/hooks/script.ts). */
  hookScript: string;
  clock: () => number;
  port: number;
}

/** How a terminal starts this conductor again (for `conductor mcp`, `conductor hook`). */
export function selfCommand(...args: string[]): { command: string; args: string[] } {
  const entry = fileURLToPath(new URL('./cli/index.js', import.meta.url));
  return { command: process.execPath, args: [entry, ...args] };
}
