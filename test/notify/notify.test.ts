import { EventEmitter } from 'node:events';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalRecord } from '../../src/approval/schema.js';
import { openEvents, type EventStream } from '../../src/cli/events.js';
import type { ConductorEvent } from '../../src/events/bus.js';
import type { Notice, NotifyTargetRecord } from '../../src/notify/schema.js';
import { writeFakeProfile } from '../helpers/agents.js';
import { TestEnv } from '../helpers/env.js';
import { waitForFile } from '../helpers/wait.js';
import { startReceiver, type Received, type Receiver } from './receiver.js';

const noticesIn = (r: Received): Notice[] => (r.json?.notices ?? []) as Notice[];

async function nextEvent(stream: EventStream, match: (e: ConductorEvent) => boolean, timeoutMs = 20_000): Promise<ConductorEvent> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    for (;;) {
      const e = await Promise.race([stream.next(), timeout]);
      if (!e) throw new Error('the event stream ended');
      if (match(e)) return e;
    }
  } finally {
    clearTimeout(timer);
  }
}

describe('notifications', () => {
  const env = new TestEnv();
  const receivers: Receiver[] = [];
  const notifySendLog = join(env.home, 'notify-send.log');

  async function receiver(opts: Parameters<typeof startReceiver>[0] = {}): Promise<Receiver> {
    const r = await startReceiver(opts);
    receivers.push(r);
    return r;
  }

  async function addTarget(args: string[]): Promise<NotifyTargetRecord> {
    return JSON.parse(await env.cliOk(['notify', 'add', ...args, '--json'])) as NotifyTargetRecord;
  }

  async function requestApproval(action: string, requester?: string): Promise<ApprovalRecord> {
    return (await env.client()).post<ApprovalRecord>('/approvals', { action, reason: 'a test asks', ...(requester ? { requester } : {}) });
  }

  beforeAll(async () => {
    // A stand-in for notify-send on the daemon's PATH: it writes down what it was asked to show.
    const bin = join(env.home, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'notify-send'), `#!/bin/sh\nprintf '%s\\n' "$@" >> '${notifySendLog}'\n`);
    chmodSync(join(bin, 'notify-send'), 0o755);
    env.env.PATH = `${bin}:${process.env.PATH}`;
    writeFakeProfile(env, 'asker', [{ match: 'question', ask: 'Shall I go on?' }]);
    await env.client();
  });
  afterAll(async () => {
    await env.cleanup();
    for (const r of receivers) await r.close();
  });

  it('refuses a non-http URL, an unknown event and a format for desktop, saying what is valid', async () => {
    const ftp = await env.cli(['notify', 'add', 'ftp://example.test/hook']);
    expect(ftp.exitCode).toBe(2);
    expect(String(ftp.stderr)).toMatch(/'ftp:\/\/example.test\/hook' is not an http\(s\) URL: give https:\/\/…, or the word desktop or tmux/);
    const bogus = await env.cli(['notify', 'add', 'http://127.0.0.1:9/x', '--on', 'approval,bogus']);
    expect(bogus.exitCode).toBe(2);
    expect(String(bogus.stderr)).toMatch(
      /unknown event 'bogus': valid events are approval, waiting, error, exited, completed, handoff_failed, flow_failed, budget/,
    );
    const format = await env.cli(['notify', 'add', 'desktop', '--format', 'slack']);
    expect(format.exitCode).toBe(2);
    expect(String(format.stderr)).toMatch(/--format is for URLs only/);
    expect((await env.cli(['notify', 'remove', 'n-00000000'])).exitCode).toBe(3);
    expect((await env.cli(['notify', 'test', 'n-00000000'])).exitCode).toBe(3);
  });

  it('adds, lists (secrets hidden) and removes targets; the default is everything but completed', async () => {
    const t = await addTarget(['https://hooks.slack.com/services/T000/B000/SECRETTOKEN']);
    expect(t.format).toBe('slack');
    expect(t.events).toEqual(['approval', 'waiting', 'error', 'exited', 'handoff_failed', 'flow_failed', 'budget']);
    const again = await env.cli(['notify', 'add', 'https://hooks.slack.com/services/T000/B000/SECRETTOKEN']);
    expect(again.exitCode).toBe(4);
    expect(String(again.stderr)).toContain(`already registered as ${t.id}`);
    const table = await env.cliOk(['notify', 'list']);
    expect(table).toContain('https://hooks.slack.com/services/***/***/***');
    expect(table).not.toContain('SECRETTOKEN');
    expect(table).toMatch(new RegExp(`${t.id}\\s+.*slack\\s+approval,waiting,error,exited,handoff_failed,flow_failed,budget\\s+nothing sent yet`));
    const listed = JSON.parse(await env.cliOk(['notify', 'list', '--json'])).targets as NotifyTargetRecord[];
    expect(listed.map((x) => x.id)).toEqual([t.id]);
    expect(await env.cliOk(['notify', 'remove', t.id])).toBe(`${t.id}: removed`);
    expect(await env.cliOk(['notify', 'list'])).toMatch(/no notification targets/);
  });

  it('posts within 1 s of an approval request, an agent waiting for input and a crash', async () => {
    const hook = await receiver();
    const target = await addTarget([`${hook.url}/hook`, '--on', 'approval,waiting,exited']);
    expect(target.format).toBe('json');

    const shell = await env.launch(['--provider', 'shell', '--session', 'notified']);
    const before = Date.now();
    const approval = await requestApproval('rm -rf build', shell.id);
    const [first] = await hook.waitFor(1);
    expect(first.at - before).toBeLessThan(1000);
    expect(first.json).toMatchObject({ source: 'conductor', count: 1, title: 'Approval needed: rm -rf build' });
    expect(noticesIn(first)[0]).toMatchObject({
      event: 'approval',
      command: `conductor approve ${approval.id}`,
      terminal: { id: shell.id, provider: 'shell', cwd: env.home, session: 'notified' },
    });
    expect(noticesIn(first)[0].screen).toMatch(/\[conductor\] .*[$#]/);

    const asker = await env.launch(['--profile', 'asker', '--session', 'asking']);
    const stream = await openEvents(await env.client(), { terminal: asker.id, types: 'terminal.status' });
    await env.cliOk(['send', asker.id, 'a question for you']);
    const waiting = await nextEvent(stream, (e) => e.data.status === 'waiting_input');
    stream.close();
    const asked = await hook.waitUntil((all) => all.find((r) => noticesIn(r).some((n) => n.event === 'waiting' && n.terminal?.id === asker.id)));
    expect(asked.at - Date.parse(waiting.createdAt)).toBeLessThan(1000);
    const notice = noticesIn(asked).find((n) => n.event === 'waiting')!;
    expect(notice).toMatchObject({ command: `conductor attach ${asker.id}`, terminal: { profile: 'asker', provider: 'fake_agent' } });
    expect(notice.screen).toContain('Shall I go on?');

    const exits = await openEvents(await env.client(), { terminal: shell.id, types: 'terminal.exited' });
    await env.cli(['send', shell.id, 'kill -9 $$']);
    const exited = await nextEvent(exits, () => true);
    exits.close();
    const crash = await hook.waitUntil((all) => all.find((r) => noticesIn(r).some((n) => n.event === 'exited')));
    expect(crash.at - Date.parse(exited.createdAt)).toBeLessThan(1000);
    expect(noticesIn(crash)[0]).toMatchObject({ command: `conductor logs ${shell.id}`, terminal: { id: shell.id } });
    expect(noticesIn(crash)[0].title).toMatch(new RegExp(`Terminal ${shell.id} \\(shell\\) exited unexpectedly \\(code \\d+\\)`));

    // A terminal the conductor shuts down is no news.
    const quiet = await env.launch(['--provider', 'shell', '--session', 'quiet']);
    await env.cliOk(['shutdown', quiet.id]);
    // Anything about the shutdown would have been sent before this later approval.
    await requestApproval('after the shutdown');
    await hook.waitUntil((all) => all.flatMap(noticesIn).some((n) => n.title === 'Approval needed: after the shutdown'));
    expect(hook.received.flatMap(noticesIn).filter((n) => n.terminal?.id === quiet.id)).toEqual([]);
    await env.cliOk(['notify', 'remove', target.id]);
  });

  it('rolls a burst of ten approvals into one message per target, in each service’s shape', async () => {
    const [json, slack, discord, ntfy] = await Promise.all([receiver(), receiver(), receiver(), receiver()]);
    const targets = [
      await addTarget([json.url, '--on', 'approval']),
      await addTarget([`${slack.url}/slack`, '--format', 'slack', '--on', 'approval']),
      await addTarget([`${discord.url}/discord`, '--format', 'discord', '--on', 'approval']),
      await addTarget([`${ntfy.url}/topic`, '--format', 'ntfy', '--on', 'approval']),
    ];
    await Promise.all(Array.from({ length: 10 }, (_, i) => requestApproval(`burst action ${i}`)));
    const [burst] = await json.waitFor(1);
    // Nothing is left over: the next approval comes as a message of its own, the second one.
    await requestApproval('after the burst');
    const all = await json.waitFor(2);
    expect(all.map((r) => r.json.count)).toEqual([10, 1]);
    expect(burst.json.title).toBe('10 approval requests waiting');
    expect(noticesIn(burst).map((n) => n.title).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `Approval needed: burst action ${i}`).sort());

    const [s] = await slack.waitFor(1);
    expect(s.json.text).toMatch(/^10 approval requests waiting\n• Approval needed: burst action \d — conductor approve a-[0-9a-f]{8}/);
    expect(s.json.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '10 approval requests waiting' } });
    const [d] = await discord.waitFor(1);
    expect(d.json.content).toBe('10 approval requests waiting');
    expect(d.json.embeds).toHaveLength(10);
    expect(d.json.embeds[0].fields).toContainEqual({ name: 'Act', value: expect.stringMatching(/^`conductor approve a-[0-9a-f]{8}`$/) });
    const [n] = await ntfy.waitFor(1);
    expect(n.headers.title).toBe('10 approval requests waiting');
    expect(n.headers.priority).toBe('high');
    expect(n.headers.tags).toBe('warning');
    expect(n.headers['content-type']).toMatch(/^text\/plain/);
    expect(n.body).toMatch(/^Approval needed: burst action \d\n/);
    expect(n.body).toContain('→ conductor approve a-');
    for (const t of targets) await env.cliOk(['notify', 'remove', t.id]);
  });

  it('retries a failing target a bounded number of times, marks it failing and logs no secret', async () => {
    const down = await receiver({ status: 500 });
    const target = await addTarget([`${down.url}/hooks/T0SECRETPATH/abc123token?key=QUERYSECRET`, '--on', 'approval']);
    const failures = await openEvents(await env.client(), { types: 'notify.failed' });
    await requestApproval('nobody hears this');
    const failed = await nextEvent(failures, (e) => e.data.targetId === target.id);
    failures.close();
    expect(failed.data).toMatchObject({ attempts: 4, error: expect.stringMatching(/answered HTTP 500$/) });
    expect(down.received).toHaveLength(4);
    const gaps = down.received.slice(1).map((r, i) => r.at - down.received[i].at);
    expect(gaps[0]).toBeGreaterThanOrEqual(400);
    expect(gaps[2]).toBeGreaterThan(gaps[0]);

    const listed = (JSON.parse(await env.cliOk(['notify', 'list', '--json'])).targets as NotifyTargetRecord[]).find((t) => t.id === target.id)!;
    expect(listed.state).toBe('failing');
    expect(listed.lastError).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/hooks\/\*\*\*\/\*\*\*\?\*\*\* answered HTTP 500$/);
    const table = await env.cliOk(['notify', 'list']);
    expect(table).toMatch(new RegExp(`${target.id} .* FAILING`));
    const log = readFileSync(env.layout.daemonLog, 'utf8');
    expect(log).toContain('target marked failing');
    for (const secret of ['T0SECRETPATH', 'abc123token', 'QUERYSECRET']) {
      expect(log).not.toContain(secret);
      expect(table).not.toContain(secret);
    }

    const test = await env.cli(['notify', 'test', target.id]);
    expect(test.exitCode).not.toBe(0);
    expect(String(test.stdout)).toMatch(new RegExp(`${target.id}: FAILED: POST .* answered HTTP 500`));
    await env.cliOk(['notify', 'remove', target.id]);
  });

  it('lets a slow target delay nothing else', async () => {
    const slow = await receiver({ holdMs: 30_000 });
    const fast = await receiver();
    const targets = [await addTarget([slow.url, '--on', 'approval']), await addTarget([fast.url, '--on', 'approval'])];
    await requestApproval('first');
    await slow.waitFor(1);
    // The slow one now holds its connection; the next approval still reaches the fast one at once.
    await fast.waitFor(1);
    const before = Date.now();
    await requestApproval('second');
    expect(Date.now() - before).toBeLessThan(1000);
    await fast.waitFor(2);
    expect(Date.now() - before).toBeLessThan(1000);
    expect(await env.cliOk(['notify', 'test', targets[1].id])).toBe(`${targets[1].id}: delivered`);
    for (const t of targets) await env.cliOk(['notify', 'remove', t.id]);
  });

  it('tells of a failed handoff and a failed flow run', async () => {
    const hook = await receiver();
    const target = await addTarget([hook.url, '--on', 'handoff_failed,flow_failed']);
    writeFakeProfile(env, 'slowpoke', [{ match: 'Task from', answer: 'too late', thinkMs: 120_000 }]);
    const handoff = await (await env.client()).post<{ id: string }>('/handoffs', { profile: 'slowpoke', message: 'take your time', timeout: 1 });
    const timedOut = await hook.waitUntil((all) => all.flatMap(noticesIn).find((n) => n.event === 'handoff_failed'));
    expect(timedOut.title).toBe(`Handoff ${handoff.id} timeout`);
    expect(timedOut.text).toMatch(/^The handoff to a slowpoke worker ended timeout: no answer within the timeout/);
    expect(timedOut.command).toBe(`conductor attach ${timedOut.terminal!.id}`);

    const flowDir = join(env.home, 'flows');
    mkdirSync(flowDir, { recursive: true });
    writeFileSync(join(flowDir, 'gate.sh'), 'echo the gate fails >&2; exit 3\n');
    chmodSync(join(flowDir, 'gate.sh'), 0o755);
    writeFileSync(
      join(flowDir, 'gated.md'),
      '---\nname: gated\nschedule: "0 0 1 1 *"\nprofile: asker\nscript: ./gate.sh\n---\nNever sent.\n',
    );
    await env.cliOk(['flow', 'add', join(flowDir, 'gated.md')]);
    await env.cli(['flow', 'run', 'gated']);
    const flowFailed = await hook.waitUntil((all) => all.flatMap(noticesIn).find((n) => n.event === 'flow_failed'));
    expect(flowFailed.title).toMatch(/^Flow gated failed \(run #\d+\)$/);
    expect(flowFailed.text).toMatch(/^Flow gated run #\d+ failed: the gate script exited with status 3: the gate fails$/);
    expect(flowFailed.command).toBe('conductor flow show gated');
    await env.cliOk(['notify', 'remove', target.id]);
  });

  it('tells of errors, and of completed answers only for terminals nobody started', async () => {
    const hook = await receiver();
    const target = await addTarget([hook.url, '--on', 'completed,error']);
    writeFakeProfile(env, 'failing', [{ match: 'break', error: 'the model API is down' }]);
    const top = await env.launch(['--provider', 'shell', '--session', 'top']);
    const { terminal: worker } = await (await env.client()).post<{ terminal: { id: string } }>('/sessions', {
      provider: 'shell',
      name: 'underling',
      cwd: env.home,
      callerTerminalId: top.id,
    });
    await env.waitForStatus(worker.id, ['idle']);
    await env.cliOk(['send', worker.id, 'echo from the worker']);
    await env.waitForStatus(worker.id, ['completed']);
    await env.cliOk(['send', top.id, 'echo from the top']);
    const done = await hook.waitUntil((all) => all.flatMap(noticesIn).find((n) => n.event === 'completed'));
    expect(done).toMatchObject({ terminal: { id: top.id }, command: `conductor output ${top.id} --last` });
    expect(done.screen).toContain('from the top');

    const broken = await env.launch(['--profile', 'failing', '--session', 'broken']);
    await env.cliOk(['send', broken.id, 'break it']);
    const error = await hook.waitUntil((all) => all.flatMap(noticesIn).find((n) => n.event === 'error'));
    expect(error).toMatchObject({ terminal: { id: broken.id, profile: 'failing' }, command: `conductor output ${broken.id} --screen` });
    expect(error.screen).toContain('the model API is down');
    // The worker's own completion was never news.
    expect(hook.received.flatMap(noticesIn).map((n) => n.terminal?.id)).not.toContain(worker.id);
    await env.cliOk(['notify', 'remove', target.id]);
  });

  it('shows desktop notifications through notify-send', async () => {
    const add = await env.cli(['notify', 'add', 'desktop', '--on', 'approval']);
    expect(add.exitCode).toBe(0);
    expect(String(add.stderr)).not.toMatch(/warning/);
    await requestApproval('git push --force');
    const shown = await waitForFile(notifySendLog, () => {
      const text = existsSync(notifySendLog) && readFileSync(notifySendLog, 'utf8');
      return text && text.includes('git push --force') && text;
    });
    expect(shown).toMatch(/^--app-name=conductor\n--urgency\ncritical\nconductor: Approval needed: git push --force\n/);
    expect(shown).toMatch(/→ conductor approve a-[0-9a-f]{8}/);
    const id = String(add.stdout).split(':')[0];
    await env.cliOk(['notify', 'remove', id]);
  });

  it('shows a message and rings the bell in the attached tmux clients', async () => {
    const t = await env.launch(['--provider', 'shell', '--session', 'watched']);
    const socket = String((await env.tmux(['display-message', '-p', '#{socket_path}'])).stdout).trim();
    // A person attached to the conductor's tmux server, on a terminal of their own (a pty from script).
    const person = execa('script', ['-qfc', `tmux -S ${socket} attach -t ${t.tmuxSession}`, '/dev/null'], {
      env: { ...process.env, TERM: 'xterm-256color', TMUX: '' },
      reject: false,
      buffer: false,
    });
    let screen = '';
    const seen = new EventEmitter();
    person.stdout!.on('data', (chunk: Buffer) => {
      screen += chunk.toString('utf8');
      seen.emit('data');
    });
    const until = (check: () => boolean, what: string) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the attached client never showed ${what}`)), 15_000);
        const probe = () => check() && (clearTimeout(timer), seen.off('data', probe), resolve());
        seen.on('data', probe);
        probe();
      });
    try {
      await until(() => screen.length > 0, 'anything');
      const add = await env.cliOk(['notify', 'add', 'tmux', '--on', 'approval']);
      const drawn = screen.length;
      const approval = await requestApproval('deploy #42');
      await until(() => screen.slice(drawn).includes(`Approval needed: deploy #42 → conductor approve ${approval.id}`), 'the message');
      await until(() => screen.slice(drawn).includes('\u0007'), 'a bell');
      await env.cliOk(['notify', 'remove', add.split(':')[0]]);
    } finally {
      person.kill();
      await person;
    }
  });
});
