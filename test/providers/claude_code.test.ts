import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configMode, provider } from '../../providers/claude_code.js';
import { goldenSet } from './golden.js';
import { CLAUDE_VERSIONS } from '../helpers/claudeVersions.js';
import type { LaunchContext } from '../../src/providers/types.js';

/** One golden set per verified Claude Code version: test/golden/claude_code/<version>/. */
const versions = CLAUDE_VERSIONS.map(({ version }) => ({ version, golden: goldenSet(`claude_code/${version}`) }));

describe('claude_code golden sets', () => {
  it('has exactly one set per verified version, each recorded with that version', () => {
    const folders = readdirSync(fileURLToPath(new URL('../golden/claude_code/', import.meta.url)), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(folders).toEqual(CLAUDE_VERSIONS.map((v) => v.version).sort());
    for (const { version, golden } of versions) expect(golden.version, version).toBe(version);
  });

  it('names the same verified versions as the provider (which doctor reports)', () => {
    expect(provider.verifiedVersions).toEqual(CLAUDE_VERSIONS.map((v) => v.version));
  });
});

describe.each(versions)('claude_code $version goldens', ({ golden }) => {
  const screenOf = golden.screenOf;
  const goldenOf = golden.expectedOf;
  const has = (name: string) => golden.names.includes(name);

  it('has the recorded cases', () => {
    expect(golden.names.length).toBeGreaterThanOrEqual(10);
    // Every state the provider reads, in each version.
    for (const status of ['starting', 'idle', 'busy', 'waiting_input', 'error']) {
      expect(golden.names.some((name) => goldenOf(name).status === status), status).toBe(true);
    }
  });

  for (const name of golden.names) {
    const screen = screenOf(name);
    const expected = goldenOf(name);

    it(`${name}: detect → ${expected.status}`, () => {
      expect(provider.detect(screen)).toBe(expected.status);
    });

    it(`${name}: lastResponse`, () => {
      expect(provider.lastResponse(screen)).toBe(expected.lastResponse);
    });
  }

  it('reads the macOS answer bullet (⏺) like the Linux one (●)', () => {
    const names = ['idle_markdown_after_tool', 'idle_after_mcp_tool_bypass', 'api_error_500', 'permission_write'].filter(has);
    expect(names.length).toBeGreaterThanOrEqual(3);
    for (const name of names) {
      const screen = screenOf(name).replaceAll('●', '⏺');
      expect(provider.detect(screen), name).toBe(goldenOf(name).status);
      expect(provider.lastResponse(screen), name).toBe(goldenOf(name).lastResponse);
    }
  });

  it('does not depend on trailing blank lines or CRLF', () => {
    const screen = screenOf('idle_second_answer').trimEnd().replace(/\n/g, '\r\n');
    expect(provider.detect(screen)).toBe('idle');
    expect(provider.lastResponse(screen)).toBe('Second answer: the tests pass now.');
  });

  it('answers each start-up dialog with exactly one rule', () => {
    for (const name of ['trust_dialog', 'bypass_dialog', 'apikey_dialog']) {
      const matching = (provider.startupDialogs ?? []).filter((dialog) => dialog.match.test(screenOf(name)));
      expect(matching, name).toHaveLength(1);
    }
  });

  it('leaves dialogs that need a human to the human', () => {
    expect((provider.startupDialogs ?? []).some((dialog) => dialog.match.test(screenOf('onboarding_theme')))).toBe(false);
  });

  it('does not mistake ordinary screens for start-up dialogs', () => {
    const names = golden.names.filter((name) => !/dialog|onboarding/.test(name));
    for (const name of names) {
      expect((provider.startupDialogs ?? []).some((dialog) => dialog.match.test(screenOf(name))), name).toBe(false);
    }
  });

  it('sees text left in the input box exactly where it was recorded', () => {
    for (const name of golden.names) expect(provider.inputPending!(screenOf(name)), name).toBe(goldenOf(name).inputPending ?? false);
    const typed = screenOf('fresh_idle').replace(/^❯[ \u00a0]?$/m, '❯ half-typed message');
    expect(provider.inputPending!(typed)).toBe(true);
  });
});

/** The screen after an arrow key moved a dialog's `❯` cursor one option up or down. */
function moveCursor(screen: string, key: 'Up' | 'Down'): string {
  const lines = screen.split('\n');
  const at = lines.findIndex((line) => /^ +❯ /.test(line));
  const column = lines[at].indexOf('❯');
  let to = at;
  do to += key === 'Down' ? 1 : -1;
  while (lines[to].trim() === '');
  lines[at] = lines[at].slice(0, column) + ' ' + lines[at].slice(column + 1);
  lines[to] = lines[to].slice(0, column) + '❯' + lines[to].slice(column + 1);
  return lines.join('\n');
}

describe('claude_code unnumbered start-up dialogs (2.1.332)', () => {
  const golden = goldenSet('claude_code/2.1.332');

  it.each(['trust_dialog', 'bypass_dialog', 'apikey_dialog'])('%s: moves the cursor to the accepting option, then matches no rule', (name) => {
    const screen = golden.screenOf(name);
    const rule = (provider.startupDialogs ?? []).find((dialog) => dialog.match.test(screen))!;
    expect(rule.keys).toHaveLength(2);
    expect(rule.keys[1]).toBe('Enter');
    const moved = moveCursor(screen, rule.keys[0] as 'Up' | 'Down');
    expect(moved).toMatch(/❯ (?:Yes, I trust this folder|Yes, I accept|Yes)$/m);
    // With the cursor on the accepting option the dialog is still waiting, but never answered twice.
    expect(provider.detect(moved)).toBe('waiting_input');
    expect((provider.startupDialogs ?? []).some((dialog) => dialog.match.test(moved))).toBe(false);
  });
});

describe('claude_code launch()', () => {
  const baseCtx: LaunchContext = {
    terminalId: 't-1',
    cwd: '/home/dev/project',
    runtimeDir: '/run/conductor/t-1',
    mcp: { command: 'node', args: ['conductor-mcp.js', '--terminal', 't-1'], env: { CONDUCTOR_TERMINAL_ID: 't-1' } },
    baseEnv: { PATH: '/usr/bin', ANTHROPIC_API_KEY: 'sk-ant-dummy-0123456789abcdefghij', CLAUDECODE: '1' },
  };

  it('wires MCP and settings for this terminal only', () => {
    const spec = provider.launch(baseCtx);
    expect(spec.argv[0]).toBe('claude');
    const mcpIndex = spec.argv.indexOf('--mcp-config');
    expect(spec.argv[mcpIndex + 1]).toBe('/run/conductor/t-1/claude-mcp.json');
    expect(spec.argv).toContain('--strict-mcp-config');
    const mcpFile = spec.files?.find((file) => file.path === '/run/conductor/t-1/claude-mcp.json');
    expect(JSON.parse(mcpFile!.content)).toEqual({
      mcpServers: {
        conductor: { type: 'stdio', command: 'node', args: ['conductor-mcp.js', '--terminal', 't-1'], env: { CONDUCTOR_TERMINAL_ID: 't-1' } },
      },
    });
    const settingsIndex = spec.argv.indexOf('--settings');
    expect(spec.argv[settingsIndex + 1]).toBe('/run/conductor/t-1/claude-settings.json');
    expect(spec.files?.some((file) => file.path === '/run/conductor/t-1/claude-settings.json')).toBe(true);
  });

  it('seeds an isolated config dir when an API key is given', () => {
    const spec = provider.launch(baseCtx);
    expect(spec.env?.CLAUDE_CONFIG_DIR).toBe('/run/conductor/t-1/claude-config');
    const seeded = spec.files?.find((file) => file.path === '/run/conductor/t-1/claude-config/.claude.json');
    expect(seeded?.mode).toBe(0o600);
    const config = JSON.parse(seeded!.content);
    expect(config.hasCompletedOnboarding).toBe(true);
    // The newest verified release, so it shows no onboarding (older ones show none for it either).
    expect(config.lastOnboardingVersion).toBe(CLAUDE_VERSIONS.at(-1)!.version);
    expect(config.projects['/home/dev/project'].hasTrustDialogAccepted).toBe(true);
    expect(config.customApiKeyResponses.approved).toEqual(['0123456789abcdefghij']);
    expect(spec.env?.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC).toBe('1');
    expect(spec.env?.DISABLE_AUTOUPDATER).toBe('1');
    expect(spec.unsetEnv).toEqual(expect.arrayContaining(['CLAUDECODE', 'CLAUDE_CODE_ENTRYPOINT']));
  });

  it("uses the user's own config when no API key is set", () => {
    const spec = provider.launch({ ...baseCtx, baseEnv: { PATH: '/usr/bin' } });
    expect(spec.env?.CLAUDE_CONFIG_DIR).toBeUndefined();
    expect(spec.files?.some((file) => file.path.endsWith('.claude.json'))).toBe(false);
    expect(configMode({ ANTHROPIC_API_KEY: 'x', CONDUCTOR_CLAUDE_CONFIG: 'user' })).toBe('user');
    expect(configMode({ CONDUCTOR_CLAUDE_CONFIG: 'isolated' })).toBe('isolated');
  });

  it('maps the profile to flags, servers and env', () => {
    const spec = provider.launch({
      ...baseCtx,
      profile: {
        name: 'reviewer',
        model: 'claude-sonnet-4-5',
        systemPrompt: 'You review code.',
        permissionMode: 'bypassPermissions',
        allowedTools: ['Bash(git *)', 'Read'],
        deniedTools: ['WebFetch', 'WebSearch'],
        mcpServers: { docs: { command: 'docs-mcp', args: ['--stdio'] }, conductor: { command: 'impostor' } },
        env: { FOO: 'bar' },
      },
    });
    const after = (flag: string) => spec.argv[spec.argv.indexOf(flag) + 1];
    expect(after('--model')).toBe('claude-sonnet-4-5');
    expect(after('--append-system-prompt')).toBe('You review code.');
    expect(after('--permission-mode')).toBe('bypassPermissions');
    expect(after('--allowedTools')).toBe('Bash(git *),Read');
    expect(after('--disallowedTools')).toBe('WebFetch,WebSearch');
    expect(spec.env?.FOO).toBe('bar');
    const servers = JSON.parse(spec.files!.find((file) => file.path.endsWith('claude-mcp.json'))!.content).mcpServers;
    expect(servers.docs).toEqual({ type: 'stdio', command: 'docs-mcp', args: ['--stdio'], env: {} });
    expect(servers.conductor.command).toBe('node');
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    expect(spec.env?.IS_SANDBOX).toBe(root ? '1' : undefined);
  });

  it('leaves optional flags out without a profile', () => {
    const spec = provider.launch(baseCtx);
    for (const flag of ['--model', '--append-system-prompt', '--permission-mode', '--allowedTools', '--disallowedTools']) {
      expect(spec.argv).not.toContain(flag);
    }
    expect(spec.env?.IS_SANDBOX).toBeUndefined();
  });
});
