import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { TerminalRecord } from '../../src/terminal/schema.js';
import { TestEnv } from '../helpers/env.js';

// Found by the fuzzing: tmux ends with its last session, and then an exited terminal's output or
// shutdown answered 503 "the tmux server is not running".
describe('an exited terminal once the tmux server is gone', () => {
  const env = new TestEnv();
  afterAll(() => env.cleanup());

  it('still answers its output from the clean log, and a shutdown of it, without a 5xx', async () => {
    const c = await env.client();
    const t = await env.launch(['--provider', 'shell']);
    await env.cliOk(['send', t.id, 'echo still-here-after-tmux']);
    await env.waitForStatus(t.id, ['completed']);
    await env.cliOk(['shutdown', t.id]);
    await env.tmux(['kill-server']); // gone already if that was its last session
    expect((await env.tmux(['list-sessions'])).exitCode).not.toBe(0);
    const get = (path: string, method = 'GET') => fetch(`${c.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${c.state.token}` } });
    for (const mode of ['full', 'screen', 'last']) {
      const res = await get(`/terminals/${t.id}/output?mode=${mode}`);
      expect(res.status, mode).toBe(200);
    }
    const full = (await (await get(`/terminals/${t.id}/output?mode=full`)).json()) as { output: string };
    expect(full.output).toContain('still-here-after-tmux');
    expect(full.output).toBe(readFileSync(t.logFile, 'utf8').trimEnd());
    const again = await get(`/terminals/${t.id}`, 'DELETE');
    expect(again.status).toBe(200);
    expect(((await again.json()) as { method: string }).method).toBe('already-exited');
    expect(((await (await get(`/terminals/${t.id}`)).json()) as TerminalRecord).status).toBe('exited');
  });
});
