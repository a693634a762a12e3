import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../src/errors.js';
import { installProfile } from '../../src/profile/install.js';
import { builtInProfileDir, listProfiles, parseProfile, ProfileError, resolveProfile } from '../../src/profile/load.js';

const good = `---
name: tester
description: Writes tests
model: sonnet
permissionMode: acceptEdits
allowedTools: [Read, Grep]
env:
  TEST_MODE: "1"
---
You write tests.
`;

describe('profile files', () => {
  const root = mkdtempSync(join(tmpdir(), 'conductor-profiles-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const dirs = () => {
    const base = join(root, String(n++));
    const builtIn = join(base, 'built-in');
    const user = join(base, 'user');
    mkdirSync(builtIn, { recursive: true });
    mkdirSync(user, { recursive: true });
    return { builtIn, user };
  };

  it('parses frontmatter and body, with defaults', () => {
    const p = parseProfile(good, 'tester.md', 'user');
    expect(p).toMatchObject({
      name: 'tester',
      description: 'Writes tests',
      model: 'sonnet',
      permissionMode: 'acceptEdits',
      allowedTools: ['Read', 'Grep'],
      deniedTools: [],
      mcpServers: {},
      env: { TEST_MODE: '1' },
      approval: { canDecide: false, require: [] },
      systemPrompt: 'You write tests.',
      source: 'user',
    });
    expect(p.provider).toBeUndefined();
  });

  it.each([
    ['bad YAML', good.replace('model: sonnet', 'model: [sonnet'), /profile f\.md: the frontmatter is not valid YAML/],
    ['an unknown field', good.replace('model: sonnet', 'modle: sonnet'), /profile f\.md: .*modle/],
    ['a name that is not a plain identifier', good.replace('name: tester', 'name: ../Tester'), /profile f\.md: name: a profile name is a plain identifier/],
    ['a missing description', good.replace('description: Writes tests\n', ''), /profile f\.md: description: /],
    ['an empty description', good.replace('description: Writes tests', 'description: ""'), /profile f\.md: description: say in a line what this agent is for/],
    ['an empty body', good.replace('You write tests.\n', '\n  \n'), /profile f\.md: the body \(the agent's system prompt\) is empty/],
    ['a bad permission mode', good.replace('acceptEdits', 'yolo-ish'), /profile f\.md: permissionMode: /],
    ['a bad env name', good.replace('TEST_MODE', 'TEST-MODE'), /profile f\.md: env\.TEST-MODE: environment names/],
    ['no frontmatter', 'You write tests.\n', /profile f\.md: it must start with YAML frontmatter/],
  ])('refuses %s, naming the file and the field', (_what, text, message) => {
    expect(() => parseProfile(text, 'f.md', 'user')).toThrow(ProfileError);
    expect(() => parseProfile(text, 'f.md', 'user')).toThrow(message);
  });

  it('reports every problem of a file at once, an unknown provider among them, with the known providers', () => {
    const text = good.replace('description: Writes tests', 'description: ""').replace('acceptEdits', 'yolo-ish').replace('You write tests.\n', '\n');
    const withProvider = text.replace('---\nname: tester', '---\nname: tester\nprovider: claude-code');
    let message = '';
    try {
      parseProfile(withProvider, 'f.md', 'user', { knownProviders: ['shell', 'claude_code'] });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^profile f\.md: /);
    for (const part of [/description: say in a line/, /permissionMode: /, /provider: unknown provider 'claude-code'; known providers: shell, claude_code/, /the body .* is empty/]) {
      expect(message).toMatch(part);
    }
  });

  it('refuses a profile whose name does not match its file, and reports it instead of skipping it silently', () => {
    const { builtIn, user } = dirs();
    writeFileSync(join(user, 'other.md'), good);
    const { profiles, invalid } = listProfiles(user, builtIn);
    expect(profiles).toEqual([]);
    expect(invalid).toEqual([{ file: join(user, 'other.md'), error: expect.stringMatching(/name 'tester' must match the file name/) }]);
    expect(() => resolveProfile('other', user, builtIn)).toThrow(/name 'tester' must match the file name/);
  });

  it('resolves a user profile before a built-in of the same name, and refuses names that are paths', () => {
    const { builtIn, user } = dirs();
    writeFileSync(join(builtIn, 'tester.md'), good);
    expect(resolveProfile('tester', user, builtIn).source).toBe('built-in');
    writeFileSync(join(user, 'tester.md'), good.replace('You write tests.', 'You write better tests.'));
    const mine = resolveProfile('tester', user, builtIn);
    expect(mine).toMatchObject({ source: 'user', systemPrompt: 'You write better tests.', file: join(user, 'tester.md') });
    expect(listProfiles(user, builtIn).profiles).toHaveLength(1);
    expect(() => resolveProfile('../tester', user, builtIn)).toThrow(/plain identifier/);
    expect(() => resolveProfile('nobody', user, builtIn)).toThrow(NotFoundError);
  });
});

describe('built-in profiles', () => {
  const files = readdirSync(builtInProfileDir).filter((f) => f.endsWith('.md'));

  it('are supervisor, developer and reviewer, all valid, none tied to a provider', () => {
    expect(files.sort()).toEqual(['developer.md', 'reviewer.md', 'supervisor.md']);
    const { profiles, invalid } = listProfiles(join(builtInProfileDir, 'no-user-dir'));
    expect(invalid).toEqual([]);
    expect(profiles.map((p) => p.name).sort()).toEqual(['developer', 'reviewer', 'supervisor']);
    for (const p of profiles) {
      expect(p.provider, p.name).toBeUndefined();
      expect(p.source).toBe('built-in');
    }
  });

  it.each(files.map((f) => [f]))('%s teaches the conductor’s tools and how to recognise a task', (file) => {
    const p = parseProfile(readFileSync(join(builtInProfileDir, file), 'utf8'), file, 'built-in');
    for (const tool of ['handoff', 'send_message', 'request_approval', 'list_terminals', 'whoami']) expect(p.systemPrompt, tool).toContain(tool);
    expect(p.systemPrompt).toContain('[conductor] Task from … (handoff h-…)');
    expect(p.systemPrompt).toMatch(/final\s+message\s+of\s+this\s+turn\s+is\s+returned\s+to\s+them\s+word\s+for\s+word/);
    expect(p.systemPrompt).toContain('[conductor] Message #N from terminal X (profile)');
    expect(p.systemPrompt).toMatch(/APPROVED[\s\S]*DENIED/);
  });

  it('the supervisor knows assign, handoff_result and when to use each', () => {
    const p = resolveProfile('supervisor', join(builtInProfileDir, 'no-user-dir'));
    expect(p.systemPrompt).toMatch(/`assign\(profile, message\)` — \*\*for independent work in parallel/);
    expect(p.systemPrompt).toMatch(/`handoff\(profile, message, timeout\?, keep\?\)` — \*\*when you need the answer/);
    expect(p.systemPrompt).toContain('handoff_result(handle)');
    expect(p.systemPrompt).toContain('decide_approval');
  });
});

describe('installProfile', () => {
  const root = mkdtempSync(join(tmpdir(), 'conductor-install-'));
  const user = join(root, 'profiles');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('copies a built-in verbatim as a user copy, and refuses to overwrite it without force', () => {
    const r = installProfile('reviewer', { userDir: user });
    expect(r).toMatchObject({ name: 'reviewer', file: join(user, 'reviewer.md'), source: 'built-in', replaced: false, overridesBuiltIn: true });
    expect(readFileSync(r.file, 'utf8')).toBe(readFileSync(join(builtInProfileDir, 'reviewer.md'), 'utf8'));
    expect(() => installProfile('reviewer', { userDir: user })).toThrow(ConflictError);
    expect(() => installProfile('reviewer', { userDir: user })).toThrow(/exists already .*add --force/);
    expect(installProfile('reviewer', { userDir: user, force: true }).replaced).toBe(true);
  });

  it('installs a file under its profile name, after validating it', () => {
    const src = join(root, 'my-tester.md');
    writeFileSync(src, good);
    const r = installProfile('./my-tester.md', { userDir: user, cwd: root });
    expect(r).toMatchObject({ name: 'tester', file: join(user, 'tester.md'), source: 'file', overridesBuiltIn: false });
    expect(resolveProfile('tester', user).systemPrompt).toBe('You write tests.');
  });

  it('refuses bad names, unknown built-ins, unreadable files and invalid profiles, writing nothing', () => {
    expect(() => installProfile('Not A Name', { userDir: user })).toThrow(/profile 'Not A Name': a profile name is a plain identifier/);
    expect(() => installProfile('wizard', { userDir: user })).toThrow(/built-in profile 'wizard' not found: built-ins are developer, reviewer, supervisor/);
    expect(() => installProfile('./missing.md', { userDir: user, cwd: root })).toThrow(/profile file '.*missing\.md' not found/);
    const broken = join(root, 'broken.md');
    writeFileSync(broken, good.replace('description: Writes tests\n', 'colour: blue\n'));
    expect(() => installProfile(broken, { userDir: user })).toThrow(new RegExp(`profile ${broken}: .*description`));
    expect(readdirSync(user).sort()).toEqual(['reviewer.md', 'tester.md']);
  });
});
