import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { MessageRecord } from '../../src/inbox/schema.js';
import { injectionMessage, type FaultyWorker } from '../../src/server/faultInjection.js';
import { daemonLogEntries } from '../../bench/faults/daemonLog.js';
import { recordedPrompts, waitUntilDeliveredAndAnswered, writeFakeProfile } from '../helpers/agents.js';
import { TestEnv } from '../helpers/env.js';
import { waitForFile } from '../helpers/wait.js';

/** Reads the daemon's database directly (read-only; WAL lets it run beside the daemon). */
function readRows<T>(env: TestEnv, query: string, ...params: unknown[]): T[] {
  const db = new Database(env.layout.database, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(query).all(...params) as T[];
  } finally {
    db.close();
  }
}

describe('a failure in a background worker', () => {
  const env = new TestEnv();
  afterAll(() => env.cleanup());
  const logged = (match: (e: { msg?: string; err?: string }) => boolean, what: string) =>
    waitForFile(env.layout.daemonLog, () => daemonLogEntries(env.layout.daemonLog).find(match), 20_000, what);

  it('is logged, the daemon keeps answering, and the worker goes on working', async () => {
    const record = writeFakeProfile(env, 'sink', [{ match: '[\\s\\S]', answer: 'noted', thinkMs: 0 }]);
    // A flow due every second whose gate says "not now": each tick leaves a skipped run, no agent.
    const flowFile = join(env.home, 'tick.md');
    const gate = JSON.stringify(`echo '{"execute": false}'`);
    writeFileSync(flowFile, `---\nname: tick\nschedule: '* * * * * *'\nprofile: sink\nscript: ${gate}\ncwd: ${env.home}\n---\nnothing\n`);
    await env.cliOk(['flow', 'add', flowFile]);
    await env.stopDaemon();

    const workers: FaultyWorker[] = ['inbox', 'monitor', 'flows', 'cleanup', 'process'];
    await env.cliOk(['daemon', 'start'], { env: { CONDUCTOR_TEST_FAIL_WORKERS: workers.join(',') } });
    const c = await env.client();
    const restartedAt = Date.now();

    // process: a rejection and an exception nobody handles are logged; the same daemon still serves.
    await logged((e) => e.msg?.startsWith('unhandled promise rejection') === true && e.err?.includes(injectionMessage('process')) === true, 'the rejection');
    await logged((e) => e.msg?.startsWith('uncaught exception') === true && e.err?.includes(injectionMessage('process')) === true, 'the exception');
    // cleanup: its first pass failed and said so.
    await logged((e) => e.msg === 'cleanup failed' && e.err === injectionMessage('cleanup'), 'the cleanup failure');
    // flows: the tick at start failed; scheduling went on, so a skipped run follows.
    await logged((e) => e.msg === 'flow tick failed' && e.err === injectionMessage('flows'), 'the flow tick failure');
    // No event marks a flow run: its row is watched for through the database's write-ahead log.
    const skipped = await waitForFile(
      `${env.layout.database}-wal`,
      () => readRows<{ id: number }>(env, "select id from flow_runs where flow = 'tick' and state = 'skipped' and started_at >= ?", restartedAt)[0],
      20_000,
      'a scheduled run after the failed tick',
    );
    expect(skipped.id).toBeGreaterThan(0);
    await env.cliOk(['flow', 'disable', 'tick']);

    // monitor: the first judgement of a new terminal fails; it is judged again and becomes ready.
    const t = await env.launch(['--profile', 'sink']);
    await logged((e) => e.msg?.startsWith('judging failed') === true && e.err === injectionMessage('monitor'), 'the judging failure');

    // inbox: the first delivery pass fails; the message is delivered on the retry, once.
    const m = await c.post<MessageRecord>('/messages', { to: t.id, message: 'hello after a failure' });
    await waitUntilDeliveredAndAnswered(env, t.id, (body) => body === 'hello after a failure');
    await logged((e) => e.msg?.startsWith('delivery pass failed') === true && e.err === injectionMessage('inbox'), 'the delivery failure');
    expect(recordedPrompts(record).filter((p) => p.includes(`Message #${m.id} `))).toHaveLength(1);

    expect((await env.client()).state.pid).toBe(c.state.pid);
    expect((await fetch(`${c.baseUrl}/health`)).status).toBe(200);
    expect(daemonLogEntries(env.layout.daemonLog).filter((e) => e.msg === 'daemon listening')).toHaveLength(2);
  }, 90_000);
});
