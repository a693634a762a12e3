import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listProviders, resolveProvider } from '../../src/providers/registry.js';
import { loadUserProviderFile } from '../../src/providers/userProvider.js';

const dir = mkdtempSync(join(tmpdir(), 'providers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

const valid = `name: aider
command: aider --no-auto-commits
patterns:
  idle: '^> ?$'
  busy: 'Thinking'
response:
  start: '^─+$'
exit:
  text: /exit
`;

describe('user provider files', () => {
  it('loads a valid file and drives detection from its patterns', () => {
    const p = loadUserProviderFile(write('aider.yaml', valid));
    expect(p.name).toBe('aider');
    expect(p.launch({ terminalId: 'x', cwd: '/', runtimeDir: '/', mcp: { command: '', args: [], env: {} }, baseEnv: {} }).argv).toEqual([
      'aider',
      '--no-auto-commits',
    ]);
    expect(p.detect('hello\n> ')).toBe('idle');
    expect(p.detect('Thinking...')).toBe('busy');
    expect(p.detect('')).toBe('starting');
  });

  it.each([
    ['bad regex', valid.replace("'Thinking'", "'(unclosed'"), /patterns\.busy: not a valid regular expression/],
    ['missing idle', valid.replace("  idle: '^> ?$'\n", ''), /patterns\.idle/],
    ['unknown field', `${valid}colour: blue\n`, /colour/],
    ['bad name', valid.replace('name: aider', 'name: ../etc'), /name: use lowercase/],
    ['no command', valid.replace('command: aider --no-auto-commits\n', ''), /command/],
    ['not yaml', 'name: [unclosed', /cannot parse it/],
  ])('refuses a file with %s, naming the file and the field', (_label, text, message) => {
    const file = write('aider.yaml', text);
    expect(() => loadUserProviderFile(file)).toThrow(message);
    expect(() => loadUserProviderFile(file)).toThrow(file);
  });

  it('refuses a file whose name does not match', () => {
    expect(() => loadUserProviderFile(write('other.yaml', valid))).toThrow(/must match the file name 'other'/);
  });

  it('lists invalid files instead of hiding them, and resolution says why a name is unusable', () => {
    const sub = mkdtempSync(join(dir, 'list-'));
    writeFileSync(join(sub, 'broken.yaml'), 'name: broken\n');
    writeFileSync(join(sub, 'aider.yaml'), valid);
    const listing = listProviders(sub);
    expect(listing.providers.map((e) => e.provider.name)).toEqual(expect.arrayContaining(['shell', 'aider']));
    expect(listing.invalid).toHaveLength(1);
    expect(() => resolveProvider('broken', sub)).toThrow(/its file is invalid/);
    expect(() => resolveProvider('nothing', sub)).toThrow(/known providers: .*shell/);
  });
});
