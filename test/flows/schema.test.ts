import { describe, expect, it } from 'vitest';
import { parseGateOutput } from '../../src/flow/gate.js';
import { nextRunAfter } from '../../src/flow/scheduler.js';
import { parseFlow } from '../../src/flow/schema.js';
import { fillTemplate } from '../../src/flow/template.js';

const base = { name: 'daily', schedule: '"0 9 * * 1-5"', profile: 'developer' };

function file(front: Record<string, string | undefined>, body = 'Check the build.') {
  const lines = Object.entries(front)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${v}`);
  return `---\n${lines.join('\n')}\n---\n${body}\n`;
}

describe('flow files', () => {
  it('parses a flow with defaults: gate timeout 60 s, agent shut down after the run', () => {
    const f = parseFlow(file({ ...base, script: './gate.sh' }, 'Fix {{output.issue}} in {{flow.name}} (run {{run.id}}, {{run.trigger}}).'), 'daily.md');
    expect(f).toMatchObject({ name: 'daily', schedule: '0 9 * * 1-5', profile: 'developer', script: './gate.sh', timeout: 60, keep: false });
    expect(f.prompt).toBe('Fix {{output.issue}} in {{flow.name}} (run {{run.id}}, {{run.trigger}}).');
  });

  it.each([
    ['a bad cron expression', { ...base, schedule: '"61 * * * *"' }, 'Go.', /flow f\.md: schedule: .*minute/],
    ['a cron with too few fields', { ...base, schedule: 'daily' }, 'Go.', /schedule: .*five, six, or seven/],
    ['an unknown timezone', { ...base, timezone: 'Mars/Olympus' }, 'Go.', /timezone: .*Mars\/Olympus/],
    ['an unknown field', { ...base, every: 'day' }, 'Go.', /flow f\.md: .*every/],
    ['a name that is not a plain identifier', { ...base, name: '../etc' }, 'Go.', /name: a flow name is a plain identifier/],
    ['a missing profile', { ...base, profile: undefined }, 'Go.', /profile: /],
    ['a timeout without a gate script', { ...base, timeout: '30' }, 'Go.', /timeout: timeout applies to the gate script/],
    ['a gate timeout over 600 s', { ...base, script: './gate.sh', timeout: '601' }, 'Go.', /flow f\.md: timeout: .*600/],
    ['an empty body', base, '  ', /the body \(the prompt sent to the agent\) is empty/],
    ['an unknown placeholder', { ...base, script: './gate.sh' }, 'Do {{task}}.', /unknown placeholder \{\{task\}\}/],
    ['output placeholders without a gate script', base, 'Do {{output.task}}.', /\{\{output\.task\}\} needs a gate script/],
    ['bad YAML', { ...base, script: '"unterminated' }, 'Go.', /not valid YAML/],
  ])('refuses %s, naming the file and the field', (_what, front, body, message) => {
    expect(() => parseFlow(file(front as Record<string, string>, body), 'f.md')).toThrow(message);
  });

  it('refuses a file without frontmatter', () => {
    expect(() => parseFlow('just a prompt\n', 'f.md')).toThrow(/must start with YAML frontmatter/);
  });

  it('computes the next run with croner, in the given timezone, strictly after now', () => {
    const monday0830 = Date.parse('2025-03-03T08:30:00Z');
    expect(new Date(nextRunAfter({ schedule: '0 9 * * 1-5', timezone: 'UTC' }, monday0830)!).toISOString()).toBe('2025-03-03T09:00:00.000Z');
    expect(new Date(nextRunAfter({ schedule: '0 9 * * 1-5', timezone: 'Europe/Berlin' }, monday0830)!).toISOString()).toBe('2025-03-04T08:00:00.000Z');
    const nine = Date.parse('2025-03-03T09:00:00Z');
    expect(new Date(nextRunAfter({ schedule: '0 9 * * 1-5', timezone: 'UTC' }, nine)!).toISOString()).toBe('2025-03-04T09:00:00.000Z');
  });
});

describe('prompt templates and gate output', () => {
  const ctx = { flow: { name: 'daily' }, run: { id: 7, trigger: 'schedule' }, output: { a: { b: 'deep' }, n: 3, list: [1, 2], s: 'x' } };

  it('fills nested values, numbers, and objects as JSON; whitespace inside braces is fine', () => {
    expect(fillTemplate('{{ output.a.b }} {{output.n}} {{flow.name}}#{{run.id}} {{output.list}}', ctx)).toBe('deep 3 daily#7 [\n  1,\n  2\n]');
  });

  it('refuses to send a prompt with a value the output lacks', () => {
    expect(() => fillTemplate('{{output.a.c}}', ctx)).toThrow(/has no 'a\.c'/);
    expect(() => fillTemplate('{{output.s.length}}', ctx)).toThrow(/has no 's\.length'/);
  });

  it('reads the decision from the whole stdout or its last line', () => {
    expect(parseGateOutput('{"execute": true}')).toEqual({ ok: true, decision: { execute: true, output: {} } });
    expect(parseGateOutput('checking…\n3 new commits\n{"execute": true, "output": {"n": 3}}\n')).toEqual({
      ok: true,
      decision: { execute: true, output: { n: 3 } },
    });
    expect(parseGateOutput('{\n  "execute": false\n}\n')).toEqual({ ok: true, decision: { execute: false, output: {} } });
    const bad = parseGateOutput('{"execute": "yes"}');
    expect(bad.ok).toBe(false);
  });
});
