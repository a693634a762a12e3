import { describe, expect, it } from 'vitest';
import { approvalMode, configMode, policyRules, provider } from '../../providers/gemini_cli.js';
import type { LaunchContext } from '../../src/providers/types.js';
import { startGeminiApi } from '../fakes/gemini-api.js';
import { goldenSet } from './golden.js';

const golden = goldenSet('gemini_cli');
const cases = golden.names;
const screenOf = golden.screenOf;
const goldenOf = golden.expectedOf;

describe('gemini_cli goldens', () => {
  it('has the recorded cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
    expect(golden.version).toMatch(/^\d+\.\d+\.\d+$/);
    const statuses = new Set(cases.map((name) => goldenOf(name).status));
    expect([...statuses].sort()).toEqual(['busy', 'error', 'idle', 'starting', 'waiting_input']);
  });

  for (const name of cases) {
    const screen = screenOf(name);
    const expected = goldenOf(name);

    it(`${name}: detect → ${expected.status}`, () => {
      expect(provider.detect(screen)).toBe(expected.status);
    });

    it(`${name}: lastResponse`, () => {
      expect(provider.lastResponse(screen)).toBe(expected.lastResponse);
    });
  }
});

describe('gemini_cli screen parsing', () => {
  it('never includes the answer marker, the prompt box or the footer', () => {
    for (const name of cases) {
      const answer = provider.lastResponse(screenOf(name));
      if (answer === null) continue;
      expect(answer, name).not.toMatch(/✦|Type your message|for shortcuts|esc to cancel|workspace \(\/directory\)|─{10}/);
      expect(answer, name).not.toMatch(/^\s/);
    }
  });

  it('approves with the preselected "Allow once" entry', () => {
    for (const name of ['tool_confirm_shell', 'tool_confirm_mcp']) {
      expect(screenOf(name), name).toMatch(/● 1\. Allow once/);
      expect(screenOf(name), name).toMatch(/No, suggest changes \(esc\)/);
    }
    expect(provider.answerKeys).toEqual({ approve: ['Enter'], deny: ['Escape'] });
  });

  it('reports start-up dialogs instead of answering them', () => {
    for (const name of ['trust_dialog', 'auth_dialog', 'api_key_dialog', 'api_key_dialog_no_key']) {
      expect(provider.detect(screenOf(name)), name).toBe('waiting_input');
      expect((provider.startupDialogs ?? []).some((dialog) => dialog.match.test(screenOf(name))), name).toBe(false);
    }
  });

  it('treats an empty pane as starting', () => {
    expect(provider.detect('')).toBe('starting');
    expect(provider.detect('\n\n   \n')).toBe('starting');
    expect(provider.lastResponse('')).toBeNull();
  });
});

describe('gemini_cli launch()', () => {
  const baseCtx: LaunchContext = {
    terminalId: 't-1',
    cwd: '/home/dev/project',
    runtimeDir: '/run/conductor/t-1',
    mcp: { command: 'node', args: ['conductor-mcp.js', '--terminal', 't-1'], env: { CONDUCTOR_TERMINAL_ID: 't-1' } },
    baseEnv: { PATH: '/usr/bin', GEMINI_API_KEY: 'dummy-key', GEMINI_CLI_IDE_SERVER_PORT: '1234' },
  };
  const fileAt = (spec: ReturnType<typeof provider.launch>, path: string) => spec.files?.find((file) => file.path === path);

  it('isolated mode: own GEMINI_CLI_HOME with seeded user settings when an API key is set', () => {
    const spec = provider.launch(baseCtx);
    expect(spec.argv).toEqual(['gemini']);
    expect(spec.env).toMatchObject({
      GEMINI_CLI_HOME: '/run/conductor/t-1/gemini-home',
      GEMINI_CLI_NO_RELAUNCH: 'true',
      GEMINI_CLI_TRUST_WORKSPACE: 'true',
    });
    expect(spec.env?.GEMINI_CLI_SYSTEM_SETTINGS_PATH).toBeUndefined();
    const settingsFile = fileAt(spec, '/run/conductor/t-1/gemini-home/.gemini/settings.json');
    expect(settingsFile?.mode).toBe(0o600);
    const settings = JSON.parse(settingsFile!.content);
    expect(settings.security.auth.selectedType).toBe('gemini-api-key');
    expect(settings.mcpServers).toEqual({
      conductor: { command: 'node', args: ['conductor-mcp.js', '--terminal', 't-1'], env: { CONDUCTOR_TERMINAL_ID: 't-1' }, trust: true },
    });
    expect(settings.general.enableAutoUpdate).toBe(false);
    expect(settings.privacy.usageStatisticsEnabled).toBe(false);
    expect(settings.ui).toMatchObject({ showLineNumbers: false, useAlternateBuffer: false, showSpinner: true });
    expect(settings.hooks).toBeUndefined();
    expect(spec.unsetEnv).toEqual(expect.arrayContaining(['GEMINI_CLI_IDE_SERVER_PORT', 'GEMINI_CLI']));
  });

  it("user mode: the user's own ~/.gemini plus a per-terminal system settings file", () => {
    const spec = provider.launch({ ...baseCtx, baseEnv: { PATH: '/usr/bin' } });
    expect(spec.env?.GEMINI_CLI_HOME).toBeUndefined();
    expect(spec.env?.GEMINI_CLI_SYSTEM_SETTINGS_PATH).toBe('/run/conductor/t-1/gemini-system-settings.json');
    const settings = JSON.parse(fileAt(spec, '/run/conductor/t-1/gemini-system-settings.json')!.content);
    expect(settings.security).toBeUndefined();
    expect(settings.mcpServers.conductor.trust).toBe(true);
    expect(configMode({ GEMINI_API_KEY: 'x', CONDUCTOR_GEMINI_CONFIG: 'user' })).toBe('user');
    expect(configMode({ CONDUCTOR_GEMINI_CONFIG: 'isolated' })).toBe('isolated');
  });

  it('maps the profile to flags, hook, policy, servers and env', () => {
    const spec = provider.launch({
      ...baseCtx,
      profile: {
        name: 'reviewer',
        model: 'gemini-2.5-pro',
        systemPrompt: "You review code. Don't edit.",
        permissionMode: 'bypassPermissions',
        allowedTools: ['run_shell_command(git *)', 'read_file'],
        deniedTools: ['web_fetch'],
        mcpServers: { docs: { command: 'docs-mcp', args: ['--stdio'] }, conductor: { command: 'impostor' } },
        env: { FOO: 'bar' },
      },
    });
    const after = (flag: string) => spec.argv[spec.argv.indexOf(flag) + 1];
    expect(after('--model')).toBe('gemini-2.5-pro');
    expect(after('--approval-mode')).toBe('yolo');
    expect(after('--policy')).toBe('/run/conductor/t-1/gemini-policy.toml');
    const policy = fileAt(spec, '/run/conductor/t-1/gemini-policy.toml')!.content;
    expect(policy).toContain('toolName = "run_shell_command"\ncommandPrefix = "git"\ndecision = "allow"');
    expect(policy).toContain('toolName = "read_file"\ndecision = "allow"');
    expect(policy).toContain('toolName = "web_fetch"\ndecision = "deny"');
    expect(spec.env?.FOO).toBe('bar');

    const hookFile = fileAt(spec, '/run/conductor/t-1/gemini-session-start.json')!;
    expect(JSON.parse(hookFile.content)).toEqual({
      hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext: "You review code. Don't edit." },
    });
    const settings = JSON.parse(fileAt(spec, '/run/conductor/t-1/gemini-home/.gemini/settings.json')!.content);
    expect(settings.hooks.SessionStart[0].hooks[0]).toMatchObject({
      type: 'command',
      command: "cat '/run/conductor/t-1/gemini-session-start.json'",
    });
    expect(settings.mcpServers.docs).toEqual({ command: 'docs-mcp', args: ['--stdio'], env: {} });
    expect(settings.mcpServers.conductor.command).toBe('node');
  });

  it('leaves optional flags and files out without a profile', () => {
    const spec = provider.launch(baseCtx);
    for (const flag of ['--model', '--approval-mode', '--policy']) expect(spec.argv).not.toContain(flag);
    expect(spec.files).toHaveLength(1);
  });

  it('maps permission modes and tool specs', () => {
    expect(approvalMode('default')).toBe('default');
    expect(approvalMode('acceptEdits')).toBe('auto_edit');
    expect(approvalMode('plan')).toBe('plan');
    expect(approvalMode('whatever')).toBeUndefined();
    expect(policyRules(['mcp_docs_*'], 'deny', 950)).toEqual(['[[rule]]\ntoolName = "mcp_docs_*"\ndecision = "deny"\npriority = 950\n']);
  });
});

describe('gemini-api fake', () => {
  const post = async (url: string, body: unknown) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, text: await res.text() };
  };
  const sseTexts = (text: string) =>
    text
      .split('\r\n\r\n')
      .filter((event) => event.startsWith('data: '))
      .map((event) => JSON.parse(event.slice(6)) as { candidates: Array<{ content: { parts: Array<Record<string, unknown>> } }> });

  it('streams scripted turns, answers side requests apart, then the default reply', async () => {
    const api = await startGeminiApi({
      turns: [
        { text: ['Hel', 'lo'], chunkDelayMs: 5 },
        { error: { status: 429 }, times: 2 },
        { functionCalls: [{ name: 'run_shell_command', args: { command: 'ls' } }] },
      ],
      defaultReply: 'Fallback.',
    });
    try {
      const stream = `${api.url}/v1beta/models/gemini-x:streamGenerateContent?alt=sse`;
      const first = sseTexts((await post(stream, { contents: [] })).text);
      expect(first.map((event) => event.candidates[0].content.parts[0].text)).toEqual(['Hel', 'lo']);

      const side = await post(`${api.url}/v1beta/models/flash-lite:generateContent`, {
        systemInstruction: { parts: [{ text: 'Respond with complexity_score' }] },
      });
      expect(JSON.parse(JSON.parse(side.text).candidates[0].content.parts[0].text).complexity_score).toBe(10);

      expect((await post(stream, {})).status).toBe(429);
      expect((await post(stream, {})).status).toBe(429);
      const call = sseTexts((await post(stream, {})).text);
      expect(call[0].candidates[0].content.parts[0]).toEqual({ functionCall: { name: 'run_shell_command', args: { command: 'ls' } } });
      const fallback = sseTexts((await post(stream, {})).text);
      expect(fallback[0].candidates[0].content.parts[0].text).toBe('Fallback.');

      expect(api.turns()).toHaveLength(5);
      expect(api.requests.filter((request) => request.kind === 'side')).toHaveLength(1);
      expect(api.requests[0].model).toBe('gemini-x');
    } finally {
      await api.close();
    }
  });
});
