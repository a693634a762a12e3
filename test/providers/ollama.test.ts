import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL, derivedModelName, provider } from '../../providers/ollama.js';
import type { LaunchContext } from '../../src/providers/types.js';
import { goldenCases, goldenSet } from './golden.js';

describe('ollama provider on recorded screens (of the stand-in)', () => {
  const cases = goldenCases('ollama');

  it('says which Ollama version the stand-in follows, and that it is a stand-in', () => {
    const version = goldenSet('ollama').version;
    expect(version.split('\n')[0]).toMatch(/^\d+\.\d+\.\d+$/);
    expect(version).toMatch(/STAND-IN/);
  });

  it('covers every state', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
    for (const status of ['starting', 'idle', 'busy', 'waiting_input', 'error']) {
      expect(cases.some((c) => c.expected.status === status), status).toBe(true);
    }
  });

  for (const c of cases) {
    describe(c.name, () => {
      it(`detect() → ${c.expected.status}`, () => expect(provider.detect(c.screen)).toBe(c.expected.status));
      it('lastResponse()', () => expect(provider.lastResponse(c.screen)).toBe(c.expected.lastResponse));
    });
  }

  it('reads an empty screen as starting', () => expect(provider.detect('\n\n\n')).toBe('starting'));

  it('sees typed but unsent text as pending input, and nothing else', () => {
    const pending = cases.filter((c) => provider.inputPending!(c.screen)).map((c) => c.name);
    expect(pending).toEqual(['idle_typed_pending']);
  });

  it('does not take `>>> ` inside an answer’s code block for a prompt', () => {
    const c = cases.find((x) => x.name === 'idle_python_fence')!;
    expect(provider.lastResponse(c.screen)).toContain('>>> print(1)');
  });

  it('undoes the word wrap only where Ollama wrapped', () => {
    const wrapped = cases.find((x) => x.name === 'idle_long_wrapped')!;
    expect(wrapped.screen.split('\n')[2]).toMatch(/^wrap happens/); // really wrapped on screen
    expect(provider.lastResponse(wrapped.screen)).toContain('that the wrap happens');
    expect(provider.lastResponse(wrapped.screen)).toContain('ends here.\nSecond line.');
  });
});

describe('ollama launch()', () => {
  const base: LaunchContext = {
    terminalId: 't1',
    cwd: '/home/dev/repo',
    runtimeDir: '/run/conductor/t1',
    mcp: { command: 'conductor', args: ['mcp'], env: { CONDUCTOR_TERMINAL_ID: 't1' } },
    baseEnv: {},
  };

  it('runs the default model without a profile', () => {
    const spec = provider.launch(base);
    expect(spec.argv).toEqual(['ollama', 'run', DEFAULT_MODEL]);
    expect(spec.env).toMatchObject({ TERM: 'xterm-256color', OLLAMA_NOHISTORY: '1' });
    expect(spec.files ?? []).toEqual([]);
  });

  it('runs the profile’s model and passes its env', () => {
    const spec = provider.launch({ ...base, profile: { name: 'dev', model: 'qwen2.5-coder:7b', env: { OLLAMA_HOST: '10.0.0.2:11434' } } });
    expect(spec.argv).toEqual(['ollama', 'run', 'qwen2.5-coder:7b']);
    expect(spec.env?.OLLAMA_HOST).toBe('10.0.0.2:11434');
  });

  it('puts a system prompt into a derived model created before the run', () => {
    const system = 'You review code.\nBe "brief".';
    const spec = provider.launch({ ...base, profile: { name: 'reviewer', model: 'llama3.1', systemPrompt: `${system}\n` } });
    const name = derivedModelName('reviewer', 'llama3.1', system);
    expect(name).toMatch(/^conductor-reviewer:[0-9a-f]{12}$/);
    expect(spec.argv.slice(0, 2)).toEqual(['sh', '-c']);
    expect(spec.argv[2]).toContain('ollama create "$1" -f "$2"');
    expect(spec.argv[2]).toContain('exec ollama run "$1"');
    expect(spec.argv.slice(4)).toEqual([name, '/run/conductor/t1/Modelfile', '/run/conductor/t1/ollama-create.log']);
    expect(spec.files).toEqual([{ path: '/run/conductor/t1/Modelfile', content: `FROM llama3.1\nSYSTEM """${system}"""\n` }]);
  });

  it('names the derived model after its content, so a launch reuses it', () => {
    expect(derivedModelName('a', 'm', 's')).toBe(derivedModelName('a', 'm', 's'));
    expect(derivedModelName('a', 'm', 's')).not.toBe(derivedModelName('a', 'm', 't'));
    expect(derivedModelName('a', 'm', 's')).not.toBe(derivedModelName('a', 'n', 's'));
  });

  it('refuses a system prompt a Modelfile cannot quote', () => {
    expect(() => provider.launch({ ...base, profile: { name: 'x', systemPrompt: 'say """ hi' } })).toThrow(/cannot contain """/);
  });

  it('leaves with /bye and reports its version with --version', () => {
    expect(provider.exit).toEqual({ text: '/bye' });
    expect(provider.version).toEqual({ args: ['--version'] });
    expect(provider.binary).toBe('ollama');
  });
});
