import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { ensureLayout, layout, terminalLogPath } from '../config/paths.js';
import { migrate, openDatabase } from '../db/database.js';
import { DaemonUnavailableError } from '../errors.js';
import { EventBus } from '../events/bus.js';
import { configureRootLogger, flushRootLogger, moduleLogger } from '../logger.js';
import type { Runtime } from '../runtime.js';
import { SessionStore } from '../session/store.js';
import { HandoffRunner } from '../handoff/runner.js';
import { HandoffStore } from '../handoff/store.js';
import { CleanupWorker, retentionDays } from '../cleanup/worker.js';
import { FlowRunner } from '../flow/runner.js';
import { FlowScheduler } from '../flow/scheduler.js';
import { FlowStore } from '../flow/store.js';
import { InboxDelivery } from '../inbox/delivery.js';
import { ApprovalAudit } from '../approval/audit.js';
import { ApprovalExpiry } from '../approval/expiry.js';
import { PromptApprovals } from '../approval/prompts.js';
import { ApprovalStore } from '../approval/store.js';
import { MessageStore } from '../inbox/store.js';
import { NotifyStore } from '../notify/store.js';
import { NotifyWorker } from '../notify/worker.js';
import { TerminalMonitor } from '../status/monitor.js';
import { adoptHookSecrets, reconcile } from '../terminal/reconcile.js';
import { HookSecrets } from '../hooks/secrets.js';
import { installHookScript } from '../hooks/script.js';
import { autoResume } from '../resume/auto.js';
import { TerminalStore } from '../terminal/store.js';
import { requestApproval } from '../approval/operations.js';
import { UsageService } from '../usage/service.js';
import { Tmux } from '../tmux/client.js';
import { VERSION } from '../version.js';
import { WorktreeStore } from '../worktree/store.js';
import { createApp } from './app.js';
import { installCrashGuard } from './crashGuard.js';
import { armInjectedFailures, injectEscapedFailures } from './faultInjection.js';
import { acquireDaemonLock, removeDaemonState, writeDaemonState } from './state.js';

const log = moduleLogger('daemon');

export const DEFAULT_PORT = 7345;

export function configuredPort(env = process.env): number {
  const raw = env.CONDUCTOR_PORT;
  if (raw === undefined || raw === '') return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new DaemonUnavailableError(`CONDUCTOR_PORT='${raw}' is not a port number (0 picks any free port)`);
  }
  return port;
}

/** Counts requests being answered, so a stop can wait for them to finish. */
class InFlight {
  private count = 0;
  private readonly events = new EventEmitter();

  async track(work: () => Response | Promise<Response>): Promise<Response> {
    this.count++;
    try {
      return await work();
    } finally {
      if (--this.count === 0) this.events.emit('drained');
    }
  }

  drained(timeoutMs: number): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.events.once('drained', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

function listen(app: { fetch: (req: Request) => Promise<Response> }, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, () => resolve(server));
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new DaemonUnavailableError(`port ${port} on 127.0.0.1 is in use: set CONDUCTOR_PORT to another port (0 = any free port)`)
          : err,
      );
    });
  });
}

/** Runs the daemon in the foreground until SIGTERM/SIGINT; resolves when it has stopped cleanly. */
export async function runDaemon(): Promise<void> {
  const l = ensureLayout(layout());
  const retention = retentionDays(); // checked before the logger starts, so a bad value is the one line reported
  configureRootLogger(l.daemonLog);
  const removeCrashGuard = installCrashGuard();
  armInjectedFailures();
  const releaseLock = acquireDaemonLock(l);
  const { db, close: closeDb } = openDatabase(l.database);
  let monitor: TerminalMonitor | undefined;
  let workers: Runtime | undefined;
  let stopApprovals: (() => Promise<void>) | undefined;
  try {
    const applied = await migrate(db);
    if (applied.length) log.info({ applied }, 'migrations applied');
    const tmux = new Tmux();
    await tmux.version();
    const bus = new EventBus(db);
    const terminals = new TerminalStore(db, (id) => terminalLogPath(l, id), (ids) => rt.usage?.figures(ids) ?? Promise.resolve(new Map()));
    const clock = () => Date.now();
    monitor = new TerminalMonitor({ tmux, store: terminals, bus, layout: l, clock, sweepMs: 5000 });
    const rt = { layout: l, db, tmux, bus, monitor, terminals, sessions: new SessionStore(db), clock, port: 0 } as Runtime;
    rt.messages = new MessageStore(db);
    rt.inbox = new InboxDelivery(rt, rt.messages);
    rt.handoffs = new HandoffStore(db);
    rt.worktrees = new WorktreeStore(db);
    rt.hookSecrets = new HookSecrets();
    rt.hookScript = installHookScript(l);
    bus.subscribe((e) => {
      if (e.type === 'terminal.exited' && e.terminalId) rt.hookSecrets.forget(e.terminalId);
    });
    rt.handoffRunner = new HandoffRunner(rt, rt.handoffs);
    rt.flows = new FlowStore(db);
    rt.flowRunner = new FlowRunner(rt, rt.flows);
    rt.flowScheduler = new FlowScheduler(rt.flows, { clock, launcher: rt.flowRunner });
    rt.cleanup = new CleanupWorker({ db, layout: l, tmux, isTracked: (id) => rt.monitor.isTracked(id) }, { clock, retentionDays: retention });
    rt.approvals = new ApprovalStore(db);
    rt.usage = new UsageService({
      db,
      home: l.home,
      clock,
      isLive: (id) => rt.monitor.isTracked(id),
      subscribe: (listener) => bus.subscribe(listener),
      fileApproval: async (requester, action, reason, details) =>
        (await requestApproval(rt, { requester, action, reason, details, expiresIn: 7 * 24 * 3600 })).id,
      approvalState: async (id) => (await rt.approvals.find(id))?.state,
      announce: async (terminalId, data) => {
        await bus.publish('usage.budget', { terminalId }, data);
      },
    });
    rt.audit = new ApprovalAudit(join(l.approvals, 'audit.jsonl'));
    rt.approvalExpiry = new ApprovalExpiry(rt);
    const promptApprovals = new PromptApprovals(rt);
    rt.notifyTargets = new NotifyStore(db);
    rt.notify = new NotifyWorker({ bus, store: rt.notifyTargets, terminals, approvals: rt.approvals, handoffs: rt.handoffs, tmux, layout: l, clock });
    await reconcile(rt);
    await monitor.start();
    await rt.usage.start();
    await rt.inbox.start();
    await rt.handoffRunner.start();
    await rt.flowRunner.start();
    await rt.flowScheduler.start();
    rt.cleanup.start();
    rt.approvalExpiry.start();
    promptApprovals.start();
    await rt.notify.start();
    stopApprovals = async () => {
      rt.approvalExpiry.stop();
      await promptApprovals.stop();
    };
    workers = rt;

    const token = randomBytes(32).toString('hex');
    const streams = new Set<() => void>();
    const requests = new InFlight();
    const app = createApp(rt, token, {
      onStream: (close) => {
        streams.add(close);
        return () => streams.delete(close);
      },
    });
    let stopping = false;
    const refuse = () =>
      Response.json({ error: { code: 'daemon_unavailable', message: 'the daemon is stopping: try again in a moment' } }, { status: 503 });
    const server = await listen(
      { fetch: (req: Request) => (stopping ? Promise.resolve(refuse()) : requests.track(() => app.fetch(req))) },
      configuredPort(),
    );
    rt.port = (server.address() as AddressInfo).port;
    await adoptHookSecrets(rt);
    // After the inbox and handoff runner, so work queued for a lost terminal follows it; after
    // listening, so the resumed agents' hooks are pointed at this daemon's port.
    autoResume(rt);
    writeDaemonState(l, {
      pid: process.pid,
      port: rt.port,
      token,
      version: VERSION,
      startedAt: new Date().toISOString(),
      tmuxSocket: tmux.socket,
    });
    log.info({ port: rt.port, home: l.home, tmuxSocket: tmux.socket }, 'daemon listening');
    injectEscapedFailures();

    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        log.info({ signal }, 'stopping');
        resolve();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });

    // Graceful stop: no new connections, end event streams, let in-flight requests finish.
    stopping = true;
    removeDaemonState(l);
    server.close();
    rt.bus.closing();
    for (const close of streams) close();
    await requests.drained(10_000);
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  } finally {
    workers?.notify.stop();
    workers?.handoffRunner.stop();
    await workers?.flowScheduler.stop();
    workers?.flowRunner.stop();
    await workers?.cleanup.stop();
    await workers?.usage?.stop();
    await stopApprovals?.();
    await workers?.inbox.stop();
    await monitor?.stop();
    await closeDb();
    removeDaemonState(l);
    releaseLock();
    log.info('daemon stopped; tmux terminals keep running');
    flushRootLogger();
    removeCrashGuard();
  }
}
