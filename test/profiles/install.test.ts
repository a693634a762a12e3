import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtInProfileDir } from '../../src/profile/load.js';
import type { Profile } from '../../src/profile/schema.js';
import { TestEnv } from '../helpers/env.js';

describe('conductor install and profile resolution', () => {
  const env = new TestEnv();
  const userDir = join(env.home, 'profiles');
  afterAll(() => env.cleanup());

  const listing = async () => JSON.parse(await env.cliOk(['profiles', '--json'])) as { profiles: Profile[]; invalid: unknown[] };

  it('installs a built-in as a user copy that then wins; refuses to overwrite it without --force', async () => {
    const before = await listing();
    expect(before.profiles.filter((p) => ['supervisor', 'developer', 'reviewer'].includes(p.name)).map((p) => p.source)).toEqual([
      'built-in',
      'built-in',
      'built-in',
    ]);
    const out = await env.cliOk(['install', 'reviewer']);
    expect(out).toContain(`installed a copy of the built-in 'reviewer' as ${join(userDir, 'reviewer.md')}`);
    const copy = join(userDir, 'reviewer.md');
    writeFileSync(copy, readFileSync(copy, 'utf8').replace('# Role', '# Role (customised)'));
    const shown = JSON.parse(await env.cliOk(['profiles', 'show', 'reviewer', '--json'])) as Profile;
    expect(shown).toMatchObject({ source: 'user', file: copy });
    expect(shown.systemPrompt.startsWith('# Role (customised)')).toBe(true);

    const again = await env.cli(['install', 'reviewer']);
    expect(again.exitCode).toBe(4);
    expect(String(again.stderr)).toBe(`conductor: a user profile 'reviewer' exists already (${copy}): add --force to overwrite it`);
    expect(readFileSync(copy, 'utf8')).toContain('(customised)');
    await env.cliOk(['install', 'reviewer', '--force']);
    expect(readFileSync(copy, 'utf8')).toBe(readFileSync(join(builtInProfileDir, 'reviewer.md'), 'utf8'));
  });

  it('refuses bad names, unknown built-ins and files that fail validation, writing nothing', async () => {
    const badName = await env.cli(['install', 'Not_A_Name']);
    expect(badName.exitCode).toBe(2);
    expect(String(badName.stderr)).toMatch(/profile 'Not_A_Name': a profile name is a plain identifier/);
    const unknown = await env.cli(['install', 'wizard']);
    expect(unknown.exitCode).toBe(3);
    const bad = join(env.home, 'bad.md');
    writeFileSync(bad, '---\nname: bad\ndescription: x\nprovder: shell\n---\nHi.\n');
    const invalid = await env.cli(['install', bad]);
    expect(invalid.exitCode).toBe(2);
    expect(String(invalid.stderr)).toMatch(new RegExp(`profile ${bad}: .*provder`));
    const empty = join(env.home, 'empty.md');
    writeFileSync(empty, '---\nname: empty\ndescription: x\n---\n\n');
    expect(String((await env.cli(['install', empty])).stderr)).toMatch(/the body \(the agent's system prompt\) is empty/);
    const typo = join(env.home, 'typo.md');
    writeFileSync(typo, '---\nname: typo\ndescription: x\nprovider: gemini\n---\n\n');
    const refused = await env.cli(['install', typo]);
    expect(refused.exitCode).toBe(2);
    expect(String(refused.stderr)).toMatch(/provider: unknown provider 'gemini'; known providers: shell, claude_code, gemini_cli, codex, ollama.*; the body/);
    expect(existsSync(join(userDir, 'bad.md'))).toBe(false);
    expect(existsSync(join(userDir, 'empty.md'))).toBe(false);
    expect(existsSync(join(userDir, 'typo.md'))).toBe(false);
  });

  it('a launched terminal gets the user’s profile (provider and env), not the built-in of the same name', async () => {
    const file = join(env.home, 'developer-here.md');
    writeFileSync(file, '---\nname: developer\ndescription: my developer\nprovider: shell\nenv:\n  PROFILE_MARK: "from-user-profile"\n---\nMine.\n');
    const out = await env.cliOk(['install', file, '--json']);
    expect(JSON.parse(out)).toMatchObject({ name: 'developer', file: join(userDir, 'developer.md'), source: 'file', overridesBuiltIn: true });
    const t = await env.launch(['--profile', 'developer']);
    expect(t).toMatchObject({ provider: 'shell', profile: 'developer' });
    await env.cliOk(['send', t.id, 'echo "mark=$PROFILE_MARK"']);
    await env.waitForStatus(t.id, ['completed']);
    expect((await env.cliOk(['output', t.id, '--last'])).trim()).toBe('mark=from-user-profile');
    const { profiles } = await listing();
    expect(profiles.find((p) => p.name === 'developer')).toMatchObject({ source: 'user', description: 'my developer' });
    await env.cliOk(['shutdown', t.id]);
  });
});
