import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CleanupWorker, retentionDays } from '../../src/cleanup/worker.js';
import { ensureLayout, layout, type HomeLayout } from '../../src/config/paths.js';
import { migrate, openDatabase, type OpenedDatabase } from '../../src/db/database.js';
import { FlowStore } from '../../src/flow/store.js';
import { Tmux } from '../../src/tmux/client.js';

const DAY = 24 * 3600 * 1000;
const NOW = Date.now();
const ago = (days: number) => NOW - days * DAY;

function terminalFiles(l: HomeLayout, id: string, ageDays: number): string[] {
  const files = [join(l.terminalLogs, `${id}.log`), join(l.terminalLogs, `${id}.log.pos`), join(l.terminalLogs, `${id}.raw`)];
  mkdirSync(join(l.runtime, id), { recursive: true });
  writeFileSync(join(l.runtime, id, 'exit-status'), '0');
  for (const f of files) writeFileSync(f, 'x');
  for (const f of [...files, join(l.runtime, id)]) utimesSync(f, new Date(ago(ageDays)), new Date(ago(ageDays)));
  return [...files, join(l.runtime, id)];
}

describe('cleanup worker (injected clock, real SQLite, files and tmux)', () => {
  const home = mkdtempSync(join(tmpdir(), 'conductor-cleanup-'));
  const l = ensureLayout(layout(home));
  const socket = `conductor-cleanup-${randomBytes(4).toString('hex')}`;
  const tmux = new Tmux(socket);
  let opened: OpenedDatabase;
  let leftoverWindow: string;
  let socketPath: string | undefined;
  let now = NOW;
  const tracked = new Set(['aaaaaaa4']);
  const worker = () => new CleanupWorker({ db: opened.db, layout: l, tmux, isTracked: (id) => tracked.has(id) }, { clock: () => now, retentionDays: 14 });

  beforeAll(async () => {
    opened = openDatabase(l.database);
    await migrate(opened.db);
    const db = opened.db;
    // A window an exited terminal left behind (remain-on-exit keeps dead panes).
    const made = await execa('tmux', ['-L', socket, 'new-session', '-d', '-P', '-F', '#{window_id} #{socket_path}', '-s', 'conductor-gone', 'sleep 600']);
    [leftoverWindow, socketPath] = made.stdout.trim().split(' ');

    const session = (id: string, days: number) => ({ id, name: id, tmux_session: `conductor-${id}`, created_at: ago(days) });
    await db.insertInto('sessions').values([session('gone', 30), session('old', 30), session('live', 30), session('fresh', 1), session('empty', 30)]).execute();
    const terminal = (id: string, sessionId: string, status: string, exitedDays: number | null, window = '@999') => ({
      id,
      session_id: sessionId,
      tmux_window: window,
      tmux_pane: '%999',
      window_name: `shell-${id}`,
      provider: 'shell',
      profile: null,
      cwd: home,
      status,
      caller_terminal_id: null,
      last_response: null,
      status_detail: null,
      created_at: ago(40),
      last_active_at: ago(exitedDays ?? 30),
      exited_at: exitedDays === null ? null : ago(exitedDays),
      exit_code: exitedDays === null ? null : 0,
    });
    await db
      .insertInto('terminals')
      .values([
        terminal('aaaaaaa1', 'gone', 'exited', 20, leftoverWindow), // old and exited: goes
        terminal('aaaaaaa2', 'old', 'exited', 1), // exited yesterday: stays (for now)
        terminal('aaaaaaa3', 'live', 'idle', null), // live, idle for a month: stays
        terminal('aaaaaaa4', 'live', 'exited', 20), // its row says exited, but the monitor still watches it: stays
      ])
      .execute();
    for (const id of ['aaaaaaa1', 'aaaaaaa2', 'aaaaaaa3', 'aaaaaaa4']) terminalFiles(l, id, 20);
    terminalFiles(l, 'bbbbbbb1', 20); // an old orphan: goes
    terminalFiles(l, 'bbbbbbb2', 1); // a fresh orphan (a launch under way): stays

    const message = (state: string, days: number, delivered: boolean) => ({
      sender_terminal_id: null,
      sender_label: 'test',
      receiver_terminal_id: 'aaaaaaa3',
      kind: 'message',
      body: `${state} ${days}`,
      state,
      reason: null,
      delivery_buffer: null,
      created_at: ago(days),
      delivered_at: delivered ? ago(days) : null,
    });
    await db
      .insertInto('messages')
      .values([
        message('delivered', 20, true),
        message('failed', 20, false),
        message('pending', 20, false),
        message('delivering', 20, false),
        message('delivered', 1, true),
      ])
      .execute();

    const handoff = (id: string, state: string, days: number) => ({
      id,
      caller_terminal_id: null,
      worker_terminal_id: 'aaaaaaa1',
      task_message_id: null,
      profile: 'developer',
      message: 'x',
      keep_worker: 0,
      state,
      result: null,
      error: null,
      result_via_inbox: 0,
      deadline_at: ago(days) + DAY,
      created_at: ago(days),
      finished_at: state === 'running' ? null : ago(days),
    });
    await db.insertInto('handoffs').values([handoff('h-00000001', 'completed', 20), handoff('h-00000002', 'running', 20)]).execute();

    const flows = new FlowStore(db);
    for (const [state, days] of [['finished', 20], ['launched', 20], ['skipped', 1]] as const) {
      const id = await flows.startRun('nightly', 'schedule', ago(days));
      await flows.updateRun(id, { state, ...(state === 'launched' ? {} : { finishedAt: ago(days) }) });
    }

    const approval = (id: string, state: string, days: number) => ({
      id,
      requester_terminal_id: 'aaaaaaa3',
      source: 'mcp',
      action: 'rm -rf build',
      reason: 'clean',
      details: null,
      state,
      decided_by: state === 'pending' ? null : 'human',
      note: null,
      result_via_inbox: 0,
      created_at: ago(days),
      expires_at: ago(days) + 30 * DAY,
      decided_at: state === 'pending' ? null : ago(days),
    });
    await db.insertInto('approvals').values([approval('a-00000001', 'approved', 20), approval('a-00000002', 'pending', 20)]).execute();
  });

  afterAll(async () => {
    await opened?.close();
    await execa('tmux', ['-L', socket, 'kill-server'], { reject: false });
    // The server may have exited by itself once cleanup closed its last window; its socket file stays.
    if (socketPath) rmSync(socketPath, { force: true });
    rmSync(home, { recursive: true, force: true });
  });

  it('removes what is old and finished, and keeps everything live, pending or undecided', async () => {
    const w = worker();
    w.start(); // one pass at start; stop() waits for it
    await w.stop();
    const db = opened.db;
    const ids = async (table: 'terminals' | 'sessions') => (await db.selectFrom(table).select('id').orderBy('id').execute()).map((r) => r.id);
    expect(await ids('terminals')).toEqual(['aaaaaaa2', 'aaaaaaa3', 'aaaaaaa4']);
    expect(await ids('sessions')).toEqual(['fresh', 'live', 'old']);
    expect((await db.selectFrom('messages').select('body').orderBy('id').execute()).map((m) => m.body)).toEqual([
      'pending 20',
      'delivering 20',
      'delivered 1',
    ]);
    expect((await db.selectFrom('handoffs').select('id').execute()).map((h) => h.id)).toEqual(['h-00000002']);
    expect((await db.selectFrom('approvals').select('state').execute()).map((a) => a.state)).toEqual(['pending']);
    const runs = await new FlowStore(db).runs('nightly');
    expect(runs.map((r) => r.state).sort()).toEqual(['launched', 'skipped']);

    // Files: the removed terminal's and the old orphan's are gone; the rest stay.
    expect(existsSync(join(l.terminalLogs, 'aaaaaaa1.log'))).toBe(false);
    expect(existsSync(join(l.terminalLogs, 'aaaaaaa1.log.pos'))).toBe(false);
    expect(existsSync(join(l.terminalLogs, 'aaaaaaa1.raw'))).toBe(false);
    expect(existsSync(join(l.runtime, 'aaaaaaa1'))).toBe(false);
    expect(existsSync(join(l.terminalLogs, 'bbbbbbb1.log'))).toBe(false);
    expect(existsSync(join(l.runtime, 'bbbbbbb1'))).toBe(false);
    for (const id of ['aaaaaaa2', 'aaaaaaa3', 'aaaaaaa4', 'bbbbbbb2']) {
      expect(existsSync(join(l.terminalLogs, `${id}.log`)), id).toBe(true);
      expect(existsSync(join(l.runtime, id)), id).toBe(true);
    }
    // The leftover tmux window of the removed terminal is closed.
    const windows = await execa('tmux', ['-L', socket, 'list-windows', '-a', '-F', '#{window_id}'], { reject: false });
    expect(String(windows.stdout)).not.toContain(leftoverWindow);
  });

  it('follows its clock: two weeks later, what was recent is old too; live things still stay', async () => {
    now = NOW + 14 * DAY;
    const report = await worker().runOnce();
    expect(report.terminals).toEqual(['aaaaaaa2']);
    expect(report.messages).toBe(1);
    const left = await opened.db.selectFrom('terminals').select('id').orderBy('id').execute();
    expect(left.map((t) => t.id)).toEqual(['aaaaaaa3', 'aaaaaaa4']);
    expect(await opened.db.selectFrom('messages').select('state').orderBy('id').execute()).toEqual([{ state: 'pending' }, { state: 'delivering' }]);
  });

  it('copes with an approvals table that is not there', async () => {
    await sql`drop table approvals`.execute(opened.db);
    now = NOW + 60 * DAY;
    const report = await worker().runOnce();
    expect(report.approvals).toBe(0);
  });

  it('reads the retention period from CONDUCTOR_RETENTION_DAYS (default 14), refusing nonsense', () => {
    expect(retentionDays({})).toBe(14);
    expect(retentionDays({ CONDUCTOR_RETENTION_DAYS: '2.5' })).toBe(2.5);
    expect(() => retentionDays({ CONDUCTOR_RETENTION_DAYS: '0' })).toThrow(/not a positive number of days/);
    expect(() => retentionDays({ CONDUCTOR_RETENTION_DAYS: 'two' })).toThrow(/CONDUCTOR_RETENTION_DAYS='two'/);
  });
});
