import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { MessageRecord } from '../../src/inbox/schema.js';
import { injectionMessage, type FaultyWorker } from '../../src/server/faultInjection.js';
import { recordedPrompts, waitUntilDeliveredAndAnswered, writeFakeProfile } from '../../test/helpers/agents.js';
import type { TestEnv } from '../../test/helpers/env.js';
import { waitForFile } from '../../test/helpers/wait.js';
import { daemonLogEntries, type LogEntry } from './daemonLog.js';

export const FAULTY_WORKERS: FaultyWorker[] = ['inbox', 'monitor', 'flows', 'cleanup', 'process'];

export interface WorkerFigure {
  worker: FaultyWorker;
  /** The failure was logged (by the worker's own catch, or the process-level guard for `process`). */
  logged: boolean;
  /** The worker did its job afterwards (for cleanup: the daemon went on; its next pass is an hour away). */
  workedAfter: boolean;
}

/** Reads the daemon's database directly (read-only; WAL lets it run beside the daemon). */
function readRows<T>(env: TestEnv, query: string, ...params: unknown[]): T[] {
  const db = new Database(env.layout.database, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(query).all(...params) as T[];
  } finally {
    db.close();
  }
}

/**
 * Restarts the daemon with CONDUCTOR_TEST_FAIL_WORKERS naming every worker, then checks each
 * failure was logged and each worker still does its job, with the same daemon answering.
 */
export async function failEachWorker(env: TestEnv): Promise<{ workers: WorkerFigure[]; sameDaemon: boolean; messageDeliveredOnce: boolean }> {
  const record = writeFakeProfile(env, 'sink', [{ match: '[\\s\\S]', answer: 'noted', thinkMs: 0 }]);
  // A flow due every second whose gate says "not now": each tick leaves a skipped run, no agent.
  const flowFile = join(env.home, 'tick.md');
  const gate = JSON.stringify(`echo '{"execute": false}'`);
  writeFileSync(flowFile, `---\nname: tick\nschedule: '* * * * * *'\nprofile: sink\nscript: ${gate}\ncwd: ${env.home}\n---\nnothing\n`);
  await env.cliOk(['flow', 'add', flowFile]);
  await env.stopDaemon();
  await env.cliOk(['daemon', 'start'], { env: { CONDUCTOR_TEST_FAIL_WORKERS: FAULTY_WORKERS.join(',') } });
  const c = await env.client();
  const restartedAt = Date.now();
  const logged = (match: (e: LogEntry) => boolean, what: string) =>
    waitForFile(env.layout.daemonLog, () => daemonLogEntries(env.layout.daemonLog).find(match), 20_000, what).then(
      () => true,
      () => false,
    );
  const injected = (worker: FaultyWorker) => (e: LogEntry) => typeof e.err === 'string' && e.err.includes(injectionMessage(worker));
  const figures: WorkerFigure[] = [];

  const rejection = await logged((e) => e.msg?.startsWith('unhandled promise rejection') === true && injected('process')(e), 'the rejection');
  const exception = await logged((e) => e.msg?.startsWith('uncaught exception') === true && injected('process')(e), 'the exception');
  figures.push({ worker: 'process', logged: rejection && exception, workedAfter: (await fetch(`${c.baseUrl}/health`)).ok });

  figures.push({ worker: 'cleanup', logged: await logged((e) => e.msg === 'cleanup failed' && injected('cleanup')(e), 'the cleanup failure'), workedAfter: (await fetch(`${c.baseUrl}/health`)).ok });

  const tick = await logged((e) => e.msg === 'flow tick failed' && injected('flows')(e), 'the flow tick failure');
  // No event marks a flow run: its row is watched for through the database's write-ahead log.
  const skipped = await waitForFile(
    `${env.layout.database}-wal`,
    () => readRows<{ id: number }>(env, "select id from flow_runs where flow = 'tick' and state = 'skipped' and started_at >= ?", restartedAt)[0],
    20_000,
    'a scheduled run after the failed tick',
  ).catch(() => undefined);
  figures.push({ worker: 'flows', logged: tick, workedAfter: skipped !== undefined });
  await env.cliOk(['flow', 'disable', 'tick']);

  // monitor: the first judgement of a new terminal fails; it is judged again and becomes ready;
  const t = await env.launch(['--profile', 'sink']);
  // launch waits until the monitor judged the terminal ready: it returned, so the monitor recovered.
  const judged = await logged((e) => e.msg?.startsWith('judging failed') === true && injected('monitor')(e), 'the judging failure');
  figures.push({ worker: 'monitor', logged: judged, workedAfter: ['idle', 'completed'].includes(t.status) });

  // inbox: the first delivery pass fails; the message is delivered on the retry, once.
  const m = await c.post<MessageRecord>('/messages', { to: t.id, message: 'hello after a failure' });
  const delivered = await waitUntilDeliveredAndAnswered(env, t.id, (body) => body === 'hello after a failure').then(() => true, () => false);
  figures.push({ worker: 'inbox', logged: await logged((e) => e.msg?.startsWith('delivery pass failed') === true && injected('inbox')(e), 'the delivery failure'), workedAfter: delivered });
  const messageDeliveredOnce = recordedPrompts(record).filter((p) => p.includes(`Message #${m.id} `)).length === 1;

  const sameDaemon = (await env.client()).state.pid === c.state.pid && daemonLogEntries(env.layout.daemonLog).filter((e) => e.msg === 'daemon listening').length === 2;
  return { workers: figures, sameDaemon, messageDeliveredOnce };
}
