import { describe, expect, it } from 'vitest';
import type { ConductorEvent } from '../../src/events/bus.js';
import { render, summary } from '../../src/notify/formats.js';
import { classify } from '../../src/notify/notice.js';
import { guessFormat } from '../../src/notify/operations.js';
import { redactIn, redactUrl } from '../../src/notify/redact.js';
import { addTargetSchema, type Notice } from '../../src/notify/schema.js';
import { providerFromConfig, userProviderSchema } from '../../src/providers/userProvider.js';
import { isTmuxKey } from '../../src/terminal/keys.js';

const notice = (over: Partial<Notice> = {}): Notice => ({
  event: 'approval',
  title: 'Approval needed: git push',
  text: 'Terminal 3fa2c1d9 (developer) asks to: git push',
  command: 'conductor approve a-1a2b3c4d',
  terminal: { id: '3fa2c1d9', provider: 'claude_code', profile: 'developer', cwd: '/srv/project', session: 'main', branch: 'feature/x' },
  screen: '❯ 1. Yes\n  2. No',
  at: '2026-01-01T00:00:00.000Z',
  ...over,
});

describe('webhook URLs are redacted', () => {
  it('hides path tokens, the last segment, the query and user info, keeping the host and plain words', () => {
    expect(redactUrl('https://hooks.slack.com/services/T000/B000/XXXXSECRET')).toBe('https://hooks.slack.com/services/***/***/***');
    expect(redactUrl('https://discord.com/api/webhooks/123456/tok-en_SECRET')).toBe('https://discord.com/api/webhooks/***/***');
    expect(redactUrl('https://ntfy.sh/mytopic')).toBe('https://ntfy.sh/***');
    expect(redactUrl('http://user:pw@127.0.0.1:8080/hook?key=abc')).toBe('http://***@127.0.0.1:8080/***?***');
    expect(redactUrl('https://example.com')).toBe('https://example.com');
    expect(redactIn('connect failed for https://x.test/a/SECRET1?k=SECRET2', 'https://x.test/a/SECRET1?k=SECRET2')).toBe(
      'connect failed for https://x.test/a/***?***',
    );
  });
});

describe('tmux key names', () => {
  it('accepts names, single characters and modifiers; refuses typos, words and ;', () => {
    for (const k of ['Enter', 'escape', 'C-c', 'M-Up', 'S-Tab', 'C-M-x', 'y', '1', 'F12', 'BSpace', 'KPEnter', 'C--', '?']) expect(isTmuxKey(k), k).toBe(true);
    for (const k of ['Escpe', 'hello', ';', '', 'C-', 'X-c', 'Enter Enter', 'F13']) expect(isTmuxKey(k), k).toBe(false);
  });
});

describe('a provider file may name its interrupt keys', () => {
  const base = { name: 'aider', command: 'aider', patterns: { idle: '^> $' } };
  it('takes tmux key names and refuses others, naming the field', () => {
    expect(providerFromConfig(userProviderSchema.parse({ ...base, interrupt: ['C-c'] })).interrupt).toEqual(['C-c']);
    expect(providerFromConfig(userProviderSchema.parse(base)).interrupt).toBeUndefined();
    const bad = userProviderSchema.safeParse({ ...base, interrupt: ['Ctrl-C'] });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]).toMatchObject({ path: ['interrupt', 0], message: expect.stringMatching(/'Ctrl-C' is not a tmux key name/) });
  });
});

describe('notification targets', () => {
  it('takes events as a comma list or all, and refuses unknown ones with the valid list', () => {
    expect(addTargetSchema.parse({ url: 'https://x.test/h', on: 'approval, exited' }).on).toEqual(['approval', 'exited']);
    expect(addTargetSchema.parse({ url: 'tmux', on: 'all' }).on).toHaveLength(8);
    const bad = addTargetSchema.safeParse({ url: 'https://x.test/h', on: 'approval,crash' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0].message).toMatch(/unknown event 'crash': valid events are approval, waiting/);
    expect(addTargetSchema.safeParse({ url: 'javascript:alert(1)' }).success).toBe(false);
    expect(addTargetSchema.safeParse({ url: 'file:///etc/passwd' }).success).toBe(false);
  });

  it('guesses the format from well-known hosts', () => {
    expect(guessFormat('https://hooks.slack.com/services/a/b/c')).toBe('slack');
    expect(guessFormat('https://discord.com/api/webhooks/1/x')).toBe('discord');
    expect(guessFormat('https://ntfy.sh/topic')).toBe('ntfy');
    expect(guessFormat('https://example.com/hook')).toBe('json');
  });
});

describe('message shapes', () => {
  it('summarises a burst by kind', () => {
    expect(summary([notice()])).toBe('Approval needed: git push');
    expect(summary([notice(), notice(), notice({ event: 'exited' })])).toBe('2 approval requests waiting, 1 unexpected exit');
  });

  it('follows each service’s incoming-webhook shape', () => {
    const slack = JSON.parse(render('slack', [notice()]).body);
    expect(Object.keys(slack).sort()).toEqual(['blocks', 'text']);
    expect(slack.blocks[1].text.text).toContain('_terminal 3fa2c1d9 · claude_code · profile developer · /srv/project (branch feature/x)_');
    const discord = JSON.parse(render('discord', [notice()]).body);
    expect(Object.keys(discord).sort()).toEqual(['content', 'embeds']);
    expect(discord.embeds[0].description).toContain('❯ 1. Yes');
    const ntfy = render('ntfy', [notice({ title: 'Approval ✓ needed' })]);
    expect(ntfy.headers).toMatchObject({ Title: 'Approval  needed', Priority: 'high', Tags: 'warning' });
    const json = JSON.parse(render('json', [notice()]).body);
    expect(json).toMatchObject({ source: 'conductor', count: 1, notices: [{ command: 'conductor approve a-1a2b3c4d' }] });
  });

  it('keeps a huge burst within the services’ limits', () => {
    const many = Array.from({ length: 40 }, (_, i) => notice({ title: `t${i}`, screen: 'x'.repeat(5000) }));
    const discord = JSON.parse(render('discord', many).body);
    expect(discord.embeds).toHaveLength(10);
    expect(discord.content).toMatch(/…and 30 more/);
    for (const e of discord.embeds) expect(e.description.length).toBeLessThanOrEqual(4096);
    const slack = JSON.parse(render('slack', many).body);
    expect(slack.blocks.length).toBeLessThanOrEqual(50);
    expect(slack.text.length).toBeLessThanOrEqual(3000);
    expect(Buffer.byteLength(render('ntfy', many).body)).toBeLessThanOrEqual(4096);
  });
});

describe('which events are news', () => {
  const event = (type: string, data: Record<string, unknown> = {}) =>
    ({ id: 1, type, sessionId: null, terminalId: 'a0000001', data, createdAt: new Date(0).toISOString() }) as ConductorEvent;

  it('takes a passed budget as a budget alert, and a plain status change as nothing', () => {
    expect(classify(event('usage.budget', { message: 'past $5.00' }))).toBe('budget');
    expect(classify(event('approval.requested'))).toBe('approval');
    expect(classify(event('terminal.status', { status: 'busy' }))).toBeUndefined();
  });
});
