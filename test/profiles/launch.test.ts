import { describe, expect, it } from 'vitest';
import { provider as claudeCode } from '../../providers/claude_code.js';
import { provider as codex } from '../../providers/codex.js';
import { provider as geminiCli } from '../../providers/gemini_cli.js';
import { provider as ollama } from '../../providers/ollama.js';
import { provider as shell } from '../../providers/shell.js';
import { parseProfile } from '../../src/profile/load.js';
import type { LaunchContext, LaunchSpec, ProfileForLaunch } from '../../src/providers/types.js';
import { forLaunch } from '../../src/terminal/launch.js';

const profileText = `---
name: tester
description: Writes tests
model: test-model-1
permissionMode: acceptEdits
allowedTools: [Read, "Bash(git status)"]
deniedTools: [WebFetch]
mcpServers:
  docs:
    command: docs-server
    args: [--stdio]
    env: { DOCS_TOKEN: dummy }
env:
  TEST_MODE: "on"
---
You write tests. "Quotes", $dollars and \`backticks\` stay as they are.
`;

/** What the conductor hands a provider, through the same mapping src/terminal/launch.ts uses. */
function profileForLaunch(): ProfileForLaunch {
  return forLaunch(parseProfile(profileText, 'tester.md', 'user'))!;
}

function context(baseEnv: Record<string, string> = {}, profile: ProfileForLaunch | null = profileForLaunch()): LaunchContext {
  return {
    terminalId: '1a2b3c4d',
    cwd: '/srv/project',
    runtimeDir: '/state/run/1a2b3c4d',
    mcp: { command: '/usr/bin/node', args: ['/opt/conductor/cli.js', 'mcp'], env: { CONDUCTOR_TERMINAL_ID: '1a2b3c4d' } },
    baseEnv,
    profile: profile ?? undefined,
  };
}

const fileAt = (spec: LaunchSpec, path: string) => {
  const f = (spec.files ?? []).find((x) => x.path === path);
  if (!f) throw new Error(`no file ${path} among ${(spec.files ?? []).map((x) => x.path).join(', ')}`);
  return f.content;
};

/** The value after `flag` in argv. */
const after = (argv: string[], flag: string) => {
  const i = argv.indexOf(flag);
  return i < 0 ? undefined : argv[i + 1];
};

const systemPrompt = 'You write tests. "Quotes", $dollars and `backticks` stay as they are.';

describe('a profile reaches each built-in provider’s launch', () => {
  it('claude_code: model, appended system prompt, permission mode, tool lists, MCP servers, env', () => {
    const spec = claudeCode.launch(context({ ANTHROPIC_API_KEY: 'dummy-key' }));
    expect(spec.argv[0]).toBe('claude');
    expect(after(spec.argv, '--model')).toBe('test-model-1');
    expect(after(spec.argv, '--append-system-prompt')).toBe(systemPrompt);
    expect(after(spec.argv, '--permission-mode')).toBe('acceptEdits');
    expect(after(spec.argv, '--allowedTools')).toBe('Read,Bash(git status)');
    expect(after(spec.argv, '--disallowedTools')).toBe('WebFetch');
    expect(spec.argv).toContain('--strict-mcp-config');
    const mcp = JSON.parse(fileAt(spec, after(spec.argv, '--mcp-config')!));
    expect(mcp.mcpServers.docs).toEqual({ type: 'stdio', command: 'docs-server', args: ['--stdio'], env: { DOCS_TOKEN: 'dummy' } });
    expect(mcp.mcpServers.conductor).toMatchObject({ command: '/usr/bin/node', args: ['/opt/conductor/cli.js', 'mcp'] });
    expect(spec.env).toMatchObject({ TEST_MODE: 'on', CLAUDE_CONFIG_DIR: '/state/run/1a2b3c4d/claude-config' });
    for (const f of spec.files ?? []) expect(f.path.startsWith('/state/run/1a2b3c4d/'), f.path).toBe(true);
  });

  it('codex: model, developer instructions, approval flags, MCP servers and env as -c overrides', () => {
    const spec = codex.launch(context());
    expect(spec.argv[0]).toBe('codex');
    expect(after(spec.argv, '--model')).toBe('test-model-1');
    expect(after(spec.argv, '--sandbox')).toBe('workspace-write');
    expect(after(spec.argv, '--ask-for-approval')).toBe('on-request');
    const overrides = spec.argv.filter((_, i) => spec.argv[i - 1] === '-c');
    expect(overrides).toContain(`developer_instructions=${JSON.stringify(systemPrompt)}`);
    const docs = overrides.find((o) => o.startsWith('mcp_servers.docs='));
    expect(docs).toMatch(/"command" = "docs-server"/);
    expect(docs).toMatch(/"DOCS_TOKEN" = "dummy"/);
    expect(overrides.some((o) => o.startsWith('mcp_servers.conductor=') && o.includes('/opt/conductor/cli.js'))).toBe(true);
    expect(spec.env).toMatchObject({ TEST_MODE: 'on' });
  });

  it('gemini_cli: model, approval mode, policy rules, the system prompt through its SessionStart hook, MCP servers, env', () => {
    const spec = geminiCli.launch(context({ GEMINI_API_KEY: 'dummy-key' }));
    expect(spec.argv[0]).toBe('gemini');
    expect(after(spec.argv, '--model')).toBe('test-model-1');
    expect(after(spec.argv, '--approval-mode')).toBe('auto_edit');
    const policy = fileAt(spec, after(spec.argv, '--policy')!);
    expect(policy).toMatch(/toolName = "Read"\ndecision = "allow"/);
    expect(policy).toMatch(/toolName = "WebFetch"\ndecision = "deny"/);
    const hook = JSON.parse(fileAt(spec, '/state/run/1a2b3c4d/gemini-session-start.json'));
    expect(hook.hookSpecificOutput.additionalContext).toBe(systemPrompt);
    const settings = JSON.parse(fileAt(spec, '/state/run/1a2b3c4d/gemini-home/.gemini/settings.json'));
    expect(settings.mcpServers.docs).toMatchObject({ command: 'docs-server', args: ['--stdio'] });
    expect(settings.mcpServers.conductor).toMatchObject({ command: '/usr/bin/node' });
    expect(settings.hooks.SessionStart[0].hooks[0].command).toContain('gemini-session-start.json');
    expect(spec.env).toMatchObject({ TEST_MODE: 'on' });
  });

  it('ollama: the model and system prompt become a derived model built from a per-terminal Modelfile', () => {
    const spec = ollama.launch(context());
    expect(spec.argv.slice(0, 2)).toEqual(['sh', '-c']);
    const modelfile = fileAt(spec, '/state/run/1a2b3c4d/Modelfile');
    expect(modelfile).toBe(`FROM test-model-1\nSYSTEM """${systemPrompt}"""\n`);
    expect(spec.argv).toContain('/state/run/1a2b3c4d/Modelfile');
    expect(spec.env).toMatchObject({ TEST_MODE: 'on' });
    const tripleQuoted = { ...profileForLaunch(), systemPrompt: 'Say """hi"""' };
    expect(() => ollama.launch(context({}, tripleQuoted))).toThrow(/cannot contain """/);
    expect(ollama.launch(context({}, null)).argv).toEqual(['ollama', 'run', expect.any(String)]);
  });

  it('shell: a plain bash whatever the profile (its env is added by the conductor for every provider)', () => {
    const withProfile = shell.launch(context());
    expect(withProfile.argv).toEqual(['bash', '--noprofile', '--norc', '-i']);
    expect(withProfile).toEqual(shell.launch(context({}, null)));
  });

  it('without a profile, no profile flags are passed', () => {
    const claude = claudeCode.launch(context({}, null));
    for (const flag of ['--model', '--append-system-prompt', '--permission-mode', '--allowedTools']) expect(claude.argv).not.toContain(flag);
    const cx = codex.launch(context({}, null));
    expect(cx.argv.some((a) => a.startsWith('developer_instructions='))).toBe(false);
    expect(geminiCli.launch(context({}, null)).argv).toEqual(['gemini']);
  });
});
