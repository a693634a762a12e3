import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEvents } from '../../src/cli/events.js';
import type { ConductorEvent } from '../../src/events/bus.js';
import { MAX_BODY_BYTES } from '../../src/server/app.js';
import { TestEnv } from '../helpers/env.js';
import { sendLargeBody } from '../../bench/faults/flood.js';
import { rssMb } from '../../bench/faults/measure.js';

describe('bounded input and validated patterns', () => {
  const env = new TestEnv();
  afterAll(() => env.cleanup());

  it('answers an oversized body with 413 before reading it whole, declared or chunked, and memory does not grow with it', async () => {
    const c = await env.client();
    const rssBefore = rssMb(c.state.pid);
    // 6 bodies of 60 MB: read whole, each cost about 115 MB; refused early, what is left is transient.
    for (const chunked of [false, false, true, true, true, true]) {
      const r = await sendLargeBody(c, 60 * 1024 * 1024, chunked);
      expect(r.status).toBe(413);
      expect(JSON.parse(r.body).error).toMatchObject({ code: 'payload_too_large' });
      expect(JSON.parse(r.body).error.message).toMatch(/larger than 4 MiB/);
    }
    expect(rssMb(c.state.pid) - rssBefore).toBeLessThan(64);
    // A body just under the limit is still read and validated as usual.
    const fine = await fetch(`${c.baseUrl}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.state.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: 'deadbeef', message: 'x'.repeat(MAX_BODY_BYTES - 100) }),
    });
    expect(fine.status).toBe(400);
    expect((await fetch(`${c.baseUrl}/health`)).status).toBe(200);
  });

  it('refuses a profile whose approval.require is not a regular expression, naming file, field and the engine message', async () => {
    const file = join(env.home, 'badregex.md');
    writeFileSync(file, `---\nname: badregex\ndescription: a bad pattern\napproval:\n  require: ['\\bok\\b', '(unclosed']\n---\nYou are a test.\n`);
    const r = await env.cli(['install', file]);
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toMatch(/badregex\.md: approval\.require\.1: not a valid regular expression: Invalid regular expression: \/\(unclosed\/m?: Unterminated group/);
    const listed = JSON.parse(await env.cliOk(['profiles', '--json'])) as { profiles: Array<{ name: string }> };
    expect(listed.profiles.map((p) => p.name)).not.toContain('badregex');
  });

  it('refuses a policy file with a bad pattern with a 400 naming the file and the field, never a 500', async () => {
    const c = await env.client();
    writeFileSync(join(env.home, 'policy.yaml'), `rules:\n  - tool: '^Bash$'\n    pattern: '[z-a]'\n    reason: backwards range\n`);
    const t = await env.launch(['--provider', 'shell']);
    const res = await fetch(`${c.baseUrl}/approvals/check`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.state.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ terminal: t.id, tool: 'Bash', input: { command: 'ls' } }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /policy .*policy\.yaml: rules\.0\.pattern: not a valid regular expression: Invalid regular expression: \/\[z-a\]\/m?: Range out of order/,
    );
    writeFileSync(join(env.home, 'policy.yaml'), 'defaults: true\n');
  });

  it('lists a user provider with a bad pattern as invalid, with the file, the field and the engine message', async () => {
    mkdirSync(join(env.home, 'providers'), { recursive: true });
    writeFileSync(join(env.home, 'providers', 'badpat.yaml'), `name: badpat\ncommand: ["bash"]\npatterns:\n  idle: '\\$ $'\n  busy: '(?<=x'\n`);
    const out = JSON.parse(await env.cliOk(['providers', '--json'])) as { invalid: Array<{ file: string; error: string }> };
    const bad = out.invalid.find((i) => i.file.endsWith('badpat.yaml'));
    expect(bad?.error).toMatch(/badpat\.yaml: patterns\.busy: not a valid regular expression: Invalid regular expression: /);
  });

  it('publishes terminal.exited exactly once per terminal, whichever path ends it', async () => {
    const c = await env.client();
    const events = await openEvents(c, { types: 'terminal.exited' });
    const seen: ConductorEvent[] = [];
    // Three endings: a shutdown (exit command), the process ending by itself, and its window killed.
    const stopped = await env.launch(['--provider', 'shell']);
    const quits = await env.launch(['--provider', 'shell']);
    const killed = await env.launch(['--provider', 'shell']);
    await env.cliOk(['shutdown', stopped.id]);
    await env.cliOk(['send', quits.id, 'exit 3']);
    await env.tmux(['kill-window', '-t', killed.tmuxWindow]);
    const ids = new Set([stopped.id, quits.id, killed.id]);
    while ([...ids].some((id) => !seen.some((e) => e.terminalId === id))) seen.push((await events.next(20_000))!);
    // A marker event after the endings: anything duplicated would have been stored before it.
    const marker = await env.launch(['--provider', 'shell']);
    await env.cliOk(['shutdown', marker.id]);
    for (let e = await events.next(20_000); e && e.terminalId !== marker.id; e = await events.next(20_000)) seen.push(e);
    events.close();
    for (const id of ids) expect(seen.filter((e) => e.terminalId === id)).toHaveLength(1);
    expect(seen.find((e) => e.terminalId === quits.id)?.data.exitCode).toBe(3);
    const stored = await c.get<{ terminals: Array<{ id: string; status: string }> }>('/terminals?all=true');
    for (const id of ids) expect(stored.terminals.find((t) => t.id === id)?.status).toBe('exited');
  });
});
