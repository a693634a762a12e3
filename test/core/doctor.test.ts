import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/doctor/run.js';
import { repoRoot, TestEnv } from '../helpers/env.js';

/** `conductor doctor` through the real CLI, with PATHs and HOMEs made for each case. */
describe('conductor doctor', () => {
  const env = new TestEnv();
  const emptyHome = join(env.home, 'fake-home');
  // No real credentials of the machine may leak into the checks (nor into the output).
  const noCredentials = { HOME: emptyHome, ANTHROPIC_API_KEY: '', ANTHROPIC_AUTH_TOKEN: '', OPENAI_API_KEY: '', GEMINI_API_KEY: '', GOOGLE_API_KEY: '', OLLAMA_HOST: '', CLAUDE_CONFIG_DIR: '', CODEX_HOME: '' };

  /** A PATH directory holding only the given programs (links to the real ones). */
  async function pathWith(name: string, programs: string[]): Promise<string> {
    const dir = join(env.home, name);
    mkdirSync(dir, { recursive: true });
    for (const program of programs) {
      const { stdout } = await execa('sh', ['-c', `command -v ${program}`]);
      symlinkSync(stdout.trim(), join(dir, program));
    }
    return dir;
  }

  async function doctor(extraEnv: Record<string, string>, args = ['--json']) {
    const r = await env.cli(['doctor', ...args], { env: { ...noCredentials, ...extraEnv } });
    return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
  }
  const check = (report: DoctorReport, id: string) => report.checks.find((c) => c.id === id);

  beforeAll(() => mkdirSync(emptyHome, { recursive: true }));
  afterAll(() => env.cleanup());

  it('reports every check as JSON, starts the daemon, and lists the MCP tools through a real client', async () => {
    // The project's own devDependency `claude` comes first on PATH, so its version can be asked.
    const r = await doctor({ PATH: `${join(repoRoot, 'node_modules', '.bin')}:${process.env.PATH}` });
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as DoctorReport;
    expect(report.ok).toBe(true);
    expect(check(report, 'provider:claude_code')).toMatchObject({
      status: 'ok',
      details: { program: 'claude', path: join(repoRoot, 'node_modules', '.bin', 'claude'), version: expect.stringMatching(/^\d+\.\d+\.\d+/) },
    });
    for (const c of report.checks) {
      expect(c).toEqual(expect.objectContaining({ id: expect.any(String), status: expect.stringMatching(/^(ok|warn|fail)$/), required: expect.any(Boolean), summary: expect.any(String) }));
      if (c.status !== 'ok') expect(c.fix, c.id).toEqual(expect.any(String));
    }
    expect(check(report, 'tmux')).toMatchObject({ status: 'ok', required: true, details: { version: expect.stringMatching(/^tmux \d/) } });
    expect(check(report, 'daemon')).toMatchObject({ status: 'ok', details: { running: true, started: true } });
    const mcp = check(report, 'mcp')!;
    expect(mcp).toMatchObject({ status: 'ok', required: true });
    expect(mcp.details?.tools).toEqual(expect.arrayContaining(['handoff', 'assign', 'send_message', 'list_terminals']));
    // Built-in and user providers alike; the fake agent's program is node.
    for (const name of ['shell', 'claude_code', 'codex', 'ollama', 'fake_agent']) expect(check(report, `provider:${name}`), name).toBeDefined();
    expect(check(report, 'provider:fake_agent')).toMatchObject({ status: 'ok', details: { program: 'node' } });
    expect(check(report, 'provider:shell')).toMatchObject({ status: 'ok', details: { program: 'bash', path: expect.stringMatching(/\/bash$/) } });
    // A second run finds the daemon it started.
    const again = JSON.parse((await doctor({})).stdout) as DoctorReport;
    expect(check(again, 'daemon')).toMatchObject({ status: 'ok', details: { running: true, started: false } });
  }, 60_000);

  it('reports a provider program missing from PATH as a warning, with the fix', async () => {
    const path = await pathWith('bin-no-agents', ['node', 'tmux']);
    const r = await doctor({ PATH: path });
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as DoctorReport;
    expect(check(report, 'provider:codex')).toMatchObject({ status: 'warn', required: false, fix: 'npm i -g @openai/codex' });
    expect(check(report, 'provider:claude_code')).toMatchObject({ status: 'warn', fix: 'npm i -g @anthropic-ai/claude-code' });
    expect(check(report, 'provider:ollama')?.fix).toMatch(/ollama\.com/);
    expect(check(report, 'provider:shell')).toMatchObject({ status: 'warn', summary: expect.stringContaining('`bash` is not on PATH') });
    const human = await doctor({ PATH: path }, []);
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toMatch(/^warn {2}codex +`codex` is not on PATH\n +fix: npm i -g @openai\/codex$/m);
  }, 60_000);

  it('fails, exit 1, when tmux is missing, and says how to install it', async () => {
    const path = await pathWith('bin-no-tmux', ['node']);
    const r = await doctor({ PATH: path });
    expect(r.exitCode).toBe(1);
    const report = JSON.parse(r.stdout) as DoctorReport;
    expect(report.ok).toBe(false);
    expect(check(report, 'tmux')).toMatchObject({ status: 'fail', required: true, fix: expect.stringContaining('apt-get install tmux') });
    expect(check(report, 'mcp')?.status).toBe('ok');
    const human = await doctor({ PATH: path }, []);
    expect(human.exitCode).toBe(1);
    expect(human.stdout).toContain('FAIL  tmux');
    expect(human.stdout).toContain('1 required check failed.');
  }, 60_000);

  it('sees logins by their presence only, and never prints a secret', async () => {
    const secret = 'sk-ant-doctor-test-0123456789abcdef';
    const none = JSON.parse((await doctor({})).stdout) as DoctorReport;
    expect(check(none, 'auth:claude_code')).toMatchObject({ status: 'warn', fix: expect.stringContaining('ANTHROPIC_API_KEY') });
    expect(check(none, 'auth:codex')).toMatchObject({ status: 'warn', fix: expect.stringContaining('codex login') });
    expect(check(none, 'auth:ollama')).toMatchObject({ status: 'ok', details: { OLLAMA_HOST: null } });

    mkdirSync(join(emptyHome, '.codex'), { recursive: true });
    writeFileSync(join(emptyHome, '.codex', 'auth.json'), '{"OPENAI_API_KEY":"sk-should-not-be-read"}');
    const r = await doctor({ ANTHROPIC_API_KEY: secret, OLLAMA_HOST: '127.0.0.1:11500' });
    expect(r.stdout).not.toContain(secret);
    expect(r.stdout).not.toContain('sk-should-not-be-read');
    const some = JSON.parse(r.stdout) as DoctorReport;
    expect(check(some, 'auth:claude_code')).toMatchObject({ status: 'ok', summary: expect.stringContaining('ANTHROPIC_API_KEY is set') });
    expect(check(some, 'auth:codex')).toMatchObject({ status: 'ok', details: { found: [join(emptyHome, '.codex', 'auth.json')] } });
    expect(check(some, 'auth:ollama')?.summary).toContain('OLLAMA_HOST=127.0.0.1:11500');
  }, 60_000);
});
