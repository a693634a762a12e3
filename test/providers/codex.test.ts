import { describe, it, expect } from 'vitest';
import { provider } from '../../providers/codex.js';
import { startFakeOpenAiApi } from '../fakes/openai-api.js';
import type { LaunchContext } from '../../src/providers/types.js';
import { goldenSet, type GoldenExpectation } from './golden.js';

const goldens = goldenSet('codex');
const cases = goldens.names;

function golden(name: string): { screen: string; meta: GoldenExpectation } {
  return { screen: goldens.screenOf(name), meta: goldens.expectedOf(name) };
}

describe('codex golden screens', () => {
  it('has the recorded CLI version and enough cases', () => {
    expect(goldens.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(cases.length).toBeGreaterThanOrEqual(10);
    for (const status of ['idle', 'busy', 'waiting_input', 'error', 'starting']) {
      expect(cases.some((c) => golden(c).meta.status === status), status).toBe(true);
    }
  });

  for (const name of cases) {
    describe(name, () => {
      const { screen, meta } = golden(name);
      it(`detect() → ${meta.status}`, () => {
        expect(provider.detect(screen)).toBe(meta.status);
      });
      it('lastResponse()', () => {
        expect(provider.lastResponse(screen)).toBe(meta.lastResponse);
      });
    });
  }

  it('answers the trust dialog only through a startup dialog that matches it', () => {
    const trust = golden('waiting_trust_dialog').screen;
    const matching = (provider.startupDialogs ?? []).filter((d) => d.match.test(trust));
    expect(matching).toHaveLength(1);
    expect(matching[0].keys).toEqual(['Enter']);
    for (const name of cases.filter((c) => c !== 'waiting_trust_dialog')) {
      const { screen } = golden(name);
      expect((provider.startupDialogs ?? []).some((d) => d.match.test(screen)), name).toBe(false);
    }
  });

  it('does not mistake a first answer for the latest one', () => {
    const { screen } = golden('idle_second_answer_scrollback');
    expect(provider.lastResponse(screen)).not.toContain('Here is the plan');
  });
});

describe('codex launch()', () => {
  const base: LaunchContext = {
    terminalId: 't1',
    cwd: '/home/dev/repo "quoted"',
    runtimeDir: '/run/conductor/t1',
    mcp: { command: 'conductor', args: ['mcp', '--terminal', 't1'], env: { CONDUCTOR_TERMINAL: 't1' } },
    baseEnv: {},
  };

  /** Values of all `-c key=value` overrides, by key. */
  function overrides(argv: string[]): Map<string, string> {
    const map = new Map<string, string>();
    argv.forEach((arg, i) => {
      if (arg === '-c') {
        const [key, ...rest] = argv[i + 1].split('=');
        map.set(key, rest.join('='));
      }
    });
    return map;
  }

  it('starts the TUI inline, without the shared daemon, with conductor overrides', () => {
    const spec = provider.launch(base);
    expect(spec.argv[0]).toBe('codex');
    expect(spec.argv).toContain('--no-daemon');
    expect(spec.argv).toContain('--no-alt-screen');
    const o = overrides(spec.argv);
    expect(o.get('projects')).toBe('{ "/home/dev/repo \\"quoted\\"" = { "trust_level" = "trusted" } }');
    expect(o.get('tui.status_line')).toMatch(/^\["run-state", /);
    expect(o.get('mcp_servers.conductor')).toBe(
      '{ "command" = "conductor", "args" = ["mcp", "--terminal", "t1"], "env" = { "CONDUCTOR_TERMINAL" = "t1" }, "default_tools_approval_mode" = "approve" }',
    );
    expect(spec.unsetEnv).toContain('CODEX_THREAD_ID');
  });

  it("uses the user's own Codex home and auth unless a test base URL is given", () => {
    const spec = provider.launch(base);
    expect(spec.env?.CODEX_HOME).toBeUndefined();
    expect(spec.files ?? []).toHaveLength(0);
  });

  it('gives a test run its own CODEX_HOME with a Responses API provider', () => {
    const spec = provider.launch({
      ...base,
      baseEnv: { CONDUCTOR_CODEX_BASE_URL: 'http://127.0.0.1:4000/v1', CONDUCTOR_CODEX_MAX_RETRIES: '1' },
    });
    expect(spec.env?.CODEX_HOME).toBe('/run/conductor/t1/codex-home');
    expect(spec.env?.CONDUCTOR_CODEX_API_KEY).toBe('dummy');
    expect(spec.files).toHaveLength(1);
    const config = spec.files![0];
    expect(config.path).toBe('/run/conductor/t1/codex-home/config.toml');
    expect(config.content).toContain('model_provider = "conductor_test"');
    expect(config.content).toContain('base_url = "http://127.0.0.1:4000/v1"');
    expect(config.content).toContain('env_key = "CONDUCTOR_CODEX_API_KEY"');
    expect(config.content).toContain('wire_api = "responses"');
    expect(config.content).toContain('stream_max_retries = 1');
  });

  it('maps the profile: model, system prompt, MCP servers, env and permission mode', () => {
    const spec = provider.launch({
      ...base,
      profile: {
        name: 'reviewer',
        model: 'gpt-test',
        systemPrompt: 'Be "brief".\nSecond line \\ done.',
        permissionMode: 'bypassPermissions',
        mcpServers: { 'docs.search': { command: 'docs-mcp', args: ['--stdio'] }, conductor: { command: 'ignored' } },
        env: { REVIEW: '1' },
      },
    });
    expect(spec.argv.slice(spec.argv.indexOf('--model'), spec.argv.indexOf('--model') + 2)).toEqual(['--model', 'gpt-test']);
    expect(spec.argv).toContain('--dangerously-bypass-approvals-and-sandbox');
    const o = overrides(spec.argv);
    expect(o.get('developer_instructions')).toBe('"Be \\"brief\\".\\nSecond line \\\\ done."');
    expect(o.get('mcp_servers.docs_search')).toBe('{ "command" = "docs-mcp", "args" = ["--stdio"] }');
    expect(o.get('mcp_servers.conductor')).toContain('"command" = "conductor"');
    expect(spec.env?.REVIEW).toBe('1');
  });

  it('maps permission modes to approval and sandbox flags', () => {
    const flags = (permissionMode?: string) => {
      const argv = provider.launch({ ...base, profile: { name: 'p', permissionMode } }).argv;
      return argv.filter((a) => a.startsWith('--') && a !== '--no-daemon' && a !== '--no-alt-screen' || ['on-request', 'never', 'read-only', 'workspace-write'].includes(a));
    };
    expect(flags(undefined)).toEqual([]);
    expect(flags('plan')).toEqual(['--sandbox', 'read-only', '--ask-for-approval', 'on-request']);
    expect(flags('never')).toEqual(['--sandbox', 'workspace-write', '--ask-for-approval', 'never']);
    expect(() => provider.launch({ ...base, profile: { name: 'p', permissionMode: 'sometimes' } })).toThrow(/permissionMode/);
  });

  it('exits with /quit and answers approvals with Enter / Escape', () => {
    expect(provider.exit.text).toBe('/quit');
    expect(provider.answerKeys).toEqual({ approve: ['Enter'], deny: ['Escape'] });
    expect(cases).toContain('waiting_command_approval');
  });
});

describe('fake OpenAI Responses API', () => {
  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}/responses`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const events = (sse: string) =>
    sse
      .split('\n\n')
      .filter((block) => block.startsWith('event: '))
      .map((block) => JSON.parse(block.split('\ndata: ')[1]) as { type: string; delta?: string; item?: Record<string, unknown> });

  it('streams scripted turns, answers title requests apart, repeats errors, then the default reply', async () => {
    const api = await startFakeOpenAiApi({
      turns: [
        { kind: 'text', chunks: ['Hel', 'lo'], delayMs: 5 },
        { kind: 'tool', namespace: 'mcp__conductor', name: 'ping', arguments: { message: 'x' } },
        { kind: 'error', status: 429, times: 2 },
      ],
      defaultReply: 'fallback',
    });
    try {
      const title = await post(api.url, { text: { format: { schema: { properties: { title: {} } } } } }, {
        'x-codex-turn-metadata': JSON.stringify({ thread_source: 'thread_title' }),
      });
      expect(events(await title.text()).find((e) => e.type === 'response.output_text.delta')?.delta).toContain('title');

      const text = events(await (await post(api.url, { input: [] })).text());
      expect(text.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta)).toEqual(['Hel', 'lo']);
      expect(text[text.length - 1].type).toBe('response.completed');

      const call = events(await (await post(api.url, { input: [] })).text()).find((e) => e.type === 'response.output_item.done');
      expect(call?.item).toMatchObject({ type: 'function_call', namespace: 'mcp__conductor', name: 'ping', arguments: '{"message":"x"}' });

      expect((await post(api.url, {})).status).toBe(429);
      expect((await post(api.url, {})).status).toBe(429);
      const fallback = events(await (await post(api.url, {})).text());
      expect(fallback.find((e) => e.type === 'response.output_text.delta')?.delta).toBe('fallback');

      expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      expect(api.requests.map((r) => r.kind)).toEqual(['side', 'turn', 'turn', 'turn', 'turn', 'turn']);
      expect(api.turnRequests().map((r) => r.turnIndex)).toEqual([0, 1, 2, 2, undefined]);
    } finally {
      await api.close();
    }
  });
});
