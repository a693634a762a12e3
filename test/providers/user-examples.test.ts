import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadUserProviderFile } from '../../src/providers/userProvider.js';
import type { LaunchContext } from '../../src/providers/types.js';
import { repoRoot } from '../helpers/env.js';
import { goldenSet } from './golden.js';

/** The shipped example YAML providers, read on the screens recorded from their real CLIs. */

const example = (name: string) => loadUserProviderFile(join(repoRoot, 'examples', 'providers', `${name}.yaml`));

const context: LaunchContext = {
  terminalId: 't1',
  cwd: '/home/dev/repo',
  runtimeDir: '/run/t1',
  mcp: { command: 'conductor', args: [], env: {} },
  baseEnv: {},
  events: { url: 'http://127.0.0.1:4000/hooks/t1', secret: 'abc123', command: ['/opt/conductor/hook', '--terminal', 't1'] },
};

for (const name of ['qwen_code', 'opencode']) {
  describe(`${name} example on its golden screens`, () => {
    const provider = example(name);
    const goldens = goldenSet(name);

    it('has the recorded CLI version and a case for every status', () => {
      expect(goldens.version).toMatch(/^\d+\.\d+\.\d+$/);
      for (const status of ['starting', 'idle', 'busy', 'waiting_input', 'error']) {
        expect(goldens.names.some((c) => goldens.expectedOf(c).status === status), status).toBe(true);
      }
    });

    for (const c of goldens.names) {
      it(`${c}: detect() and lastResponse()`, () => {
        const screen = goldens.screenOf(c);
        expect(provider.detect(screen)).toBe(goldens.expectedOf(c).status);
        expect(provider.lastResponse(screen)).toBe(goldens.expectedOf(c).lastResponse);
      });
    }

    it('reads only the latest answer after two', () => {
      expect(provider.lastResponse(goldens.screenOf('idle_second_answer'))).not.toContain('Here is the plan');
    });
  });
}

describe('qwen_code example: events', () => {
  const provider = example('qwen_code');

  it('installs HTTP hooks in a per-terminal system-settings file, with the terminal’s URL and secret', () => {
    const spec = provider.launch(context);
    expect(spec.env?.QWEN_CODE_SYSTEM_SETTINGS_PATH).toBe('/run/t1/qwen-system-settings.json');
    const settings = JSON.parse(spec.files!.find((f) => f.path === '/run/t1/qwen-system-settings.json')!.content);
    expect(settings.hooks.Stop[0].hooks[0]).toEqual({
      type: 'http',
      url: 'http://127.0.0.1:4000/hooks/t1/Stop',
      headers: { Authorization: 'Bearer abc123' },
      timeout: 5,
    });
    expect(Object.keys(settings.hooks)).toEqual(['UserPromptSubmit', 'Stop', 'StopFailure', 'PermissionRequest']);
    expect(provider.launch({ ...context, events: undefined }).files ?? []).toEqual([]);
  });

  it('reads Qwen Code’s own payloads (as 0.24.4 posts them)', () => {
    const { normalise } = provider.events!;
    expect(normalise('Stop', { hook_event_name: 'Stop', stop_hook_active: false, last_assistant_message: 'Here is **the** plan.' })).toEqual({
      kind: 'turn_end',
      response: 'Here is **the** plan.',
    });
    expect(normalise('UserPromptSubmit', { prompt: 'Explain the plan', submitted_prompt: 'Explain the plan' })).toEqual({ kind: 'turn_start', prompt: 'Explain the plan' });
    expect(normalise('PermissionRequest', { tool_name: 'run_shell_command' })).toEqual({ kind: 'waiting_input' });
  });
});

describe('opencode example: events', () => {
  const provider = example('opencode');

  it('writes a plugin holding the terminal’s URL and secret into an extra config folder that needs no download', () => {
    const spec = provider.launch(context);
    expect(spec.env?.OPENCODE_CONFIG_DIR).toBe('/run/t1/opencode-config');
    const plugin = spec.files!.find((f) => f.path === '/run/t1/opencode-config/plugin/conductor.js')!;
    expect(plugin.content).toContain("const url = 'http://127.0.0.1:4000/hooks/t1';");
    expect(plugin.content).toContain("const secret = 'abc123';");
    expect(plugin.content).not.toContain('{{');
    const lock = JSON.parse(spec.files!.find((f) => f.path === '/run/t1/opencode-config/package-lock.json')!.content);
    expect(lock.packages[''].dependencies).toHaveProperty('@opencode-ai/plugin');
    expect(provider.launch({ ...context, events: undefined }).files!.map((f) => f.path)).toEqual(['/run/t1/state/opencode/kv.json']);
  });

  it('maps what its plugin posts', () => {
    const { normalise } = provider.events!;
    expect(normalise('session.idle', { response: 'Done.' })).toEqual({ kind: 'turn_end', response: 'Done.' });
    expect(normalise('session.busy', {})).toEqual({ kind: 'turn_start' });
    expect(normalise('session.error', { detail: 'fake bad request' })).toEqual({ kind: 'turn_failed', detail: 'fake bad request' });
    expect(normalise('permission.asked', { detail: 'bash' })).toEqual({ kind: 'waiting_input', detail: 'bash' });
  });
});
