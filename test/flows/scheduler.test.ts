import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type OpenedDatabase } from '../../src/db/database.js';
import { ConflictError } from '../../src/errors.js';
import { FlowScheduler, nextRunAfter, type FlowLauncher } from '../../src/flow/scheduler.js';
import { parseFlow } from '../../src/flow/schema.js';
import { FlowStore } from '../../src/flow/store.js';

const T0 = Date.parse('2025-03-01T00:30:00Z');
const at = (hhmm: string) => Date.parse(`2025-03-01T${hhmm}:00Z`);

interface World {
  dir: string;
  opened: OpenedDatabase;
  store: FlowStore;
  now: number;
  launches: Array<{ flow: string; prompt: string; runId: number }>;
  going: string | undefined;
  scheduler: FlowScheduler;
}

function flowText(name: string, extra: string, body = 'Do the {{flow.name}} job.') {
  return `---\nname: ${name}\nschedule: "0 * * * *"\ntimezone: UTC\nprofile: developer\n${extra}---\n${body}\n`;
}

async function addFlow(w: World, name: string, extra = '', body?: string) {
  const text = flowText(name, extra, body);
  const def = parseFlow(text, `${name}.md`);
  await w.store.upsert({
    name,
    definition: text,
    file: null,
    cwd: w.dir,
    enabled: 1,
    created_at: w.now,
    updated_at: w.now,
    last_run_at: null,
    next_run_at: nextRunAfter(def, w.now),
  });
}

describe('flow scheduler (injected clock, real SQLite, real gate scripts)', () => {
  let w: World;

  beforeEach(async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'conductor-flows-')));
    const opened = openDatabase(join(dir, 'conductor.db'));
    await migrate(opened.db);
    const store = new FlowStore(opened.db);
    const launcher: FlowLauncher = {
      async launch(flow, _def, prompt, runId) {
        w.launches.push({ flow: flow.name, prompt, runId });
        return { terminalId: `0000000${w.launches.length}`, messageId: w.launches.length };
      },
      async going() {
        return w.going;
      },
    };
    w = { dir, opened, store, now: T0, launches: [], going: undefined, scheduler: undefined as unknown as FlowScheduler };
    w.scheduler = new FlowScheduler(store, { clock: () => w.now, launcher });
  });

  afterEach(async () => {
    await w.scheduler.stop();
    await w.opened.close();
    rmSync(w.dir, { recursive: true, force: true });
  });

  it('runs a flow when it is due, not before, and schedules the next run from then', async () => {
    await addFlow(w, 'hourly');
    expect((await w.store.get('hourly')).next_run_at).toBe(at('01:00'));
    w.now = at('01:00') - 1;
    expect(await w.scheduler.tick()).toEqual([]);
    w.now = at('01:00');
    const runs = await w.scheduler.tick();
    expect(runs.map((r) => [r.flow, r.trigger, r.state, r.terminalId])).toEqual([['hourly', 'schedule', 'launched', '00000001']]);
    expect(w.launches).toEqual([{ flow: 'hourly', prompt: 'Do the hourly job.', runId: runs[0].id }]);
    const row = await w.store.get('hourly');
    expect(row.next_run_at).toBe(at('02:00'));
    expect(row.last_run_at).toBe(at('01:00'));
    expect(await w.scheduler.tick()).toEqual([]);
  });

  it('fills the prompt from the gate script’s output, running it in the flow’s folder with the flow’s name', async () => {
    const script = `printf '{"execute": true, "output": {"dir": "%s", "flow": "%s", "n": {"count": 3}}}' "$PWD" "$CONDUCTOR_FLOW"`;
    await addFlow(w, 'gated', `script: ${JSON.stringify(script)}\n`, 'In {{output.dir}} for {{output.flow}}: {{output.n.count}} items.');
    w.now = at('01:00');
    const [run] = await w.scheduler.tick();
    expect(run.state).toBe('launched');
    expect(w.launches[0].prompt).toBe(`In ${w.dir} for gated: 3 items.`);
  });

  it('records a run the gate script skips, with its reason, and launches nothing', async () => {
    await addFlow(w, 'quiet', `script: ${JSON.stringify(`echo '{"execute": false, "output": {"reason": "nothing new"}}'`)}\n`);
    w.now = at('01:00');
    const [run] = await w.scheduler.tick();
    expect(run.state).toBe('skipped');
    expect(run.reason).toBe('the gate script said execute: false: nothing new');
    expect(run.finishedAt).not.toBeNull();
    expect(w.launches).toEqual([]);
  });

  it('fails a run whose gate script fails, prints no JSON, times out, or lacks a value the prompt needs', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['exits', 'echo broken >&2; exit 3', /the gate script exited with status 3: broken/],
      ['talks', 'echo hello there', /did not print JSON .*hello there/],
      ['shape', `echo '{"run": true}'`, /execute: .*expected boolean/],
      ['hangs', 'sleep 30', /did not finish within 1 s \(timeout\)/],
      ['lacks', `echo '{"execute": true, "output": {}}'`, /uses \{\{output\.topic\}\}, but the gate script's output has no 'topic'/],
    ];
    for (const [name, script] of cases) {
      const timeout = name === 'hangs' ? 'timeout: 1\n' : '';
      await addFlow(w, name, `script: ${JSON.stringify(script)}\n${timeout}`, 'Write about {{output.topic}}.');
    }
    w.now = at('01:00');
    const started = Date.now();
    const runs = await w.scheduler.tick();
    expect(Date.now() - started).toBeLessThan(10_000);
    for (const [name, , reason] of cases) {
      const run = runs.find((r) => r.flow === name)!;
      expect(run.state, name).toBe('failed');
      expect(run.reason, name).toMatch(reason);
    }
    expect(w.launches).toEqual([]);
  });

  it('never starts a flow while its previous run is still going, and says so', async () => {
    await addFlow(w, 'long');
    w.now = at('01:00');
    const [first] = await w.scheduler.tick();
    expect(first.state).toBe('launched');
    w.going = `run #${first.id} is still going: terminal 00000001 is busy`;
    w.now = at('02:00');
    const [second] = await w.scheduler.tick();
    expect(second.state).toBe('skipped');
    expect(second.reason).toBe(w.going);
    await expect(w.scheduler.runNow('long')).rejects.toBeInstanceOf(ConflictError);
    expect(w.launches).toHaveLength(1);
    w.going = undefined;
    w.now = at('03:00');
    const [third] = await w.scheduler.tick();
    expect(third.state).toBe('launched');
    expect(w.launches).toHaveLength(2);
  });

  it('after downtime runs a missed flow once, not once per missed tick', async () => {
    await addFlow(w, 'missed');
    w.now = at('05:45'); // 01:00 … 05:00 passed while nothing ran
    const restarted = new FlowScheduler(w.store, { clock: () => w.now, launcher: { launch: async () => ({ terminalId: 'abcdef01', messageId: 1 }), going: async () => undefined } });
    const runs = await restarted.tick();
    expect(runs).toHaveLength(1);
    expect(runs[0].state).toBe('launched');
    expect((await w.store.get('missed')).next_run_at).toBe(at('06:00'));
    expect(await restarted.tick()).toEqual([]);
    expect(await w.store.runs('missed')).toHaveLength(1);
  });

  it('leaves disabled flows alone, and marks runs a stopped daemon left starting as failed', async () => {
    await addFlow(w, 'off');
    await w.store.setSchedule('off', { enabled: false, nextRunAt: null });
    const stale = await w.store.startRun('off', 'schedule', at('00:10'));
    w.now = at('03:00');
    await w.scheduler.start();
    expect(await w.scheduler.tick()).toEqual([]);
    const run = await w.store.run(stale);
    expect(run?.state).toBe('failed');
    expect(run?.reason).toMatch(/daemon stopped/);
    // A manual run still works for a disabled flow.
    expect((await w.scheduler.runNow('off')).state).toBe('launched');
  });
});
