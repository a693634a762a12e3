import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadUserProviderFile } from '../../src/providers/userProvider.js';
import type { EventEndpoint, LaunchContext } from '../../src/providers/types.js';

const dir = mkdtempSync(join(tmpdir(), 'provider-events-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function load(yaml: string) {
  const file = join(dir, 'qwen.yaml');
  writeFileSync(file, yaml);
  return loadUserProviderFile(file);
}

const base = `name: qwen
command: ["qwen", "--cwd", "{{cwd}}"]
env: { QWEN_HOME: "{{runtime_dir}}/home" }
patterns:
  idle: '^> $'
`;

const withEvents = `${base}files:
  - path: state/kv.json
    json: { sidebar: hide }
events:
  files:
    - path: settings.json
      json:
        hooks:
          Stop: [{ hooks: [{ type: command, command: "{{hook_command}} Stop" }] }]
        url: "{{hook_url}}"
    - path: notify.sh
      content: "#!/bin/sh\\ncurl -H 'Authorization: Bearer {{hook_secret}}' {{hook_url}}/turn_end\\n"
      executable: true
  args: ["--settings", "{{runtime_dir}}/settings.json"]
  env: { QWEN_CODE_SYSTEM_SETTINGS_PATH: "{{runtime_dir}}/settings.json" }
  map: { Stop: turn_end, UserPromptSubmit: turn_start, Notification: waiting_input }
  response: last_assistant_message
  prompt: prompt
  detail: detail.text
`;

/** A fake endpoint, as the daemon hands it to launch(): a hook command with a space and a quote in it. */
const endpoint: EventEndpoint = {
  url: 'http://127.0.0.1:4321/hooks/t1',
  secret: 's3cr3t',
  command: ['/opt/my tools/hook', "it's"],
};

function context(events?: EventEndpoint): LaunchContext {
  return { terminalId: 't1', cwd: '/srv/project "x"', runtimeDir: '/run/t1', mcp: { command: 'c', args: [], env: {} }, baseEnv: {}, events };
}

describe('placeholders and files in a user provider', () => {
  it('fills in the launch placeholders in command, env and files, and writes files into the runtime folder', () => {
    const spec = load(withEvents).launch(context());
    expect(spec.argv).toEqual(['qwen', '--cwd', '/srv/project "x"']);
    expect(spec.env).toEqual({ QWEN_HOME: '/run/t1/home' });
    expect(spec.files).toEqual([{ path: '/run/t1/state/kv.json', content: '{\n  "sidebar": "hide"\n}\n', mode: 0o600 }]);
  });

  it('ignores the events section when the daemon gives no endpoint (screen only)', () => {
    const spec = load(withEvents).launch(context());
    expect(spec.argv).not.toContain('--settings');
    expect(spec.env).not.toHaveProperty('QWEN_CODE_SYSTEM_SETTINGS_PATH');
    expect(spec.files!.map((f) => f.path)).toEqual(['/run/t1/state/kv.json']);
  });

  it('adds the events section with the endpoint filled in, the hook command shell-quoted', () => {
    const spec = load(withEvents).launch(context(endpoint));
    expect(spec.argv).toEqual(['qwen', '--cwd', '/srv/project "x"', '--settings', '/run/t1/settings.json']);
    expect(spec.env).toEqual({ QWEN_HOME: '/run/t1/home', QWEN_CODE_SYSTEM_SETTINGS_PATH: '/run/t1/settings.json' });
    const [, settings, script] = spec.files!;
    expect(settings.path).toBe('/run/t1/settings.json');
    // JSON files are built from the value, so the quotes in the command are escaped correctly.
    const parsed = JSON.parse(settings.content);
    expect(parsed.hooks.Stop[0].hooks[0].command).toBe(`'/opt/my tools/hook' 'it'\\''s' Stop`);
    expect(parsed.url).toBe(endpoint.url);
    expect(script).toEqual({
      path: '/run/t1/notify.sh',
      content: "#!/bin/sh\ncurl -H 'Authorization: Bearer s3cr3t' http://127.0.0.1:4321/hooks/t1/turn_end\n",
      mode: 0o700,
    });
  });

  it('leaves braces that are no placeholder as text', () => {
    const spec = load(base.replace('"{{cwd}}"', '"--format", "{{.Name}}"')).launch(context());
    expect(spec.argv).toEqual(['qwen', '--cwd', '--format', '{{.Name}}']);
  });

  it('profile env still wins over the file', () => {
    const spec = load(base).launch({ ...context(), profile: { name: 'x', env: { QWEN_HOME: '/mine' } } });
    expect(spec.env).toEqual({ QWEN_HOME: '/mine' });
  });
});

describe('events: normalise', () => {
  const normalise = load(withEvents).events!.normalise;

  it('maps hook names through map, reading the answer at the dot path', () => {
    expect(normalise('Stop', { last_assistant_message: 'The answer.', other: 1 })).toEqual({ kind: 'turn_end', response: 'The answer.' });
    expect(normalise('UserPromptSubmit', { prompt: 'Do it' })).toEqual({ kind: 'turn_start', prompt: 'Do it' });
    expect(normalise('Notification', { detail: { text: 'Allow?' } })).toEqual({ kind: 'waiting_input', detail: 'Allow?' });
  });

  it('takes a name that already is an event kind as it is', () => {
    expect(normalise('session_start', {})).toEqual({ kind: 'session_start' });
    expect(normalise('turn_end', { last_assistant_message: 'x' })).toEqual({ kind: 'turn_end', response: 'x' });
  });

  it('reads a payload handed over as JSON text, and leaves the answer out when the path holds no string', () => {
    expect(normalise('Stop', JSON.stringify({ last_assistant_message: 'From text.' }))).toEqual({ kind: 'turn_end', response: 'From text.' });
    expect(normalise('Stop', { last_assistant_message: { parts: [] } })).toEqual({ kind: 'turn_end' });
    expect(normalise('Stop', 'not json')).toEqual({ kind: 'turn_end' });
    expect(normalise('Stop', null)).toEqual({ kind: 'turn_end' });
  });

  it('returns null for a hook it does not know', () => {
    expect(normalise('PreCompact', {})).toBeNull();
  });

  it('a provider without events has none', () => {
    expect(load(base).events).toBeUndefined();
  });
});

describe('events: bad values name the field', () => {
  it.each([
    ['an unknown event kind', withEvents.replace('Stop: turn_end', 'Stop: finished'), /events\.map\.Stop: use one of session_start, turn_start/],
    ['a hook placeholder outside events', base.replace('{{runtime_dir}}/home', '{{hook_url}}'), /env\.QWEN_HOME: unknown placeholder \{\{hook_url\}\} in env: \{\{hook_url\}\} exists only in the events section/],
    ['a misspelt placeholder', withEvents.replace('{{hook_command}} Stop', '{{hook_cmd}} Stop'), /events\.files\.0\.json: unknown placeholder \{\{hook_cmd\}\}.*use one of .*\{\{hook_command\}\}/],
    ['a file outside the runtime folder', withEvents.replace('path: settings.json', 'path: ../settings.json'), /events\.files\.0\.path: must be a path inside the terminal's runtime folder/],
    ['an absolute file path', withEvents.replace('path: state/kv.json', 'path: /etc/kv.json'), /files\.0\.path: must be a path inside/],
    ['a file with both content and json', withEvents.replace('    json: { sidebar: hide }', '    json: { sidebar: hide }\n    content: x'), /files\.0: give exactly one of content or json/],
    ['a bad dot path', withEvents.replace('response: last_assistant_message', 'response: "a..b"'), /events\.response: use a dot path/],
    ['an unknown events field', withEvents.replace('  prompt: prompt', '  promt: prompt'), /events: Unrecognized key: "promt"/],
  ])('refuses %s', (_label, yaml, message) => {
    expect(() => load(yaml)).toThrow(message);
  });
});
