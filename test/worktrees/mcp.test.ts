import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvents } from '../../src/cli/events.js';
import type { FlowRunRecord } from '../../src/flow/schema.js';
import type { TerminalRecord } from '../../src/terminal/schema.js';
import { writeFakeProfile } from '../helpers/agents.js';
import { TestEnv } from '../helpers/env.js';
import { mcpClient, textOf, type ToolText } from '../helpers/mcp.js';
import { freshRepo, git, worktreeOf } from './repo.js';



/** A profile for the fake agent with extra frontmatter lines. */
function writeProfile(env: TestEnv, name: string, extra: string): void {
  const dir = join(env.home, 'profiles');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.md`), `---\nname: ${name}\ndescription: test profile ${name}\nprovider: fake_agent\n${extra}---\nYou are ${name}.\n`);
}

const workerIdIn = (text: string) => /Worker ([0-9a-f]{8})/.exec(text)?.[1];

// Real git and tmux on a loaded machine: each step can take seconds.
describe('worktrees over MCP: a supervisor sees and merges its workers’ work', { timeout: 120_000 }, () => {
  const env = new TestEnv();
  const clients: Client[] = [];
  let repo: string;
  let lead: Client;
  let peon: Client;

  const connect = async (terminalId: string) => {
    const c = await mcpClient(env, terminalId);
    clients.push(c);
    return c;
  };
  const terminal = async (id: string) => (await env.client()).get<TerminalRecord>(`/terminals/${id}`);
  const assign = async (client: Client, args: Record<string, unknown>) => {
    const r = await client.callTool({ name: 'assign', arguments: { message: 'change the app', ...args } });
    expect((r as ToolText).isError, textOf(r)).toBeFalsy();
    return terminal(workerIdIn(textOf(r))!);
  };

  beforeAll(async () => {
    writeFakeProfile(env, 'coder', [{ match: '', answer: 'Done coding.' }]);
    writeProfile(env, 'lead', 'canMerge: true\n');
    writeProfile(env, 'peon', '');
    writeProfile(env, 'isolated', 'worktree: true\n');
    repo = await freshRepo(env);
    lead = await connect((await env.launch(['--profile', 'lead', '--cwd', repo])).id);
    peon = await connect((await env.launch(['--profile', 'peon', '--cwd', repo])).id);
  });
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await env.cleanup();
  });

  it('assigns a worker in a worktree, shows its diff, and merges it only for a profile with canMerge', async () => {
    const worker = await assign(lead, { profile: 'coder', worktree: true });
    expect(worker.worktree).toMatchObject({ branch: `conductor/${worker.id}`, base: 'main', repo });
    expect(worker.cwd).toBe(worker.worktree!.path);
    // The worker's edits (made here, in its checkout, as the agent would).
    writeFileSync(join(worker.cwd, 'app.txt'), 'line 1\nline 2 improved\nline 3\n');
    writeFileSync(join(worker.cwd, 'CHANGELOG.md'), '- improved line 2\n');

    const diff = textOf(await lead.callTool({ name: 'worker_diff', arguments: { terminal: worker.id } }));
    expect(diff).toContain(`Worker ${worker.id}, branch conductor/${worker.id} (from main`);
    expect(diff).toContain('Uncommitted changes: yes');
    expect(diff).toContain('+line 2 improved');
    expect(diff).toContain('+- improved line 2');
    const stat = textOf(await lead.callTool({ name: 'worker_diff', arguments: { terminal: worker.id, stat: true } }));
    expect(stat).toMatch(/CHANGELOG\.md \| 1 \+/);
    expect(stat).not.toContain('+line 2 improved');

    const refused = (await peon.callTool({ name: 'merge_worker', arguments: { terminal: worker.id } })) as ToolText;
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/may not merge workers' worktrees: its profile 'peon' lacks `canMerge: true`/);
    expect(await git(repo, 'log', '--format=%s')).toBe('initial commit');

    const merged = (await lead.callTool({ name: 'merge_worker', arguments: { terminal: worker.id } })) as ToolText;
    expect(merged.isError, textOf(merged)).toBeFalsy();
    expect(textOf(merged)).toMatch(new RegExp(`^Merged conductor/${worker.id} into main in ${repo}`));
    expect(textOf(merged)).toContain(`committed first as "conductor: uncommitted work of terminal ${worker.id}"`);
    expect(readFileSync(join(repo, 'CHANGELOG.md'), 'utf8')).toBe('- improved line 2\n');
    expect((await worktreeOf(env, worker.id)).state).toBe('merged');
  });

  it('tells the model what to fix when a merge conflicts or the worker has no worktree', async () => {
    const worker = await assign(lead, { profile: 'coder', worktree: true });
    writeFileSync(join(worker.cwd, 'README.md'), '# the worker’s title\n');
    writeFileSync(join(repo, 'README.md'), '# the user’s title\n');
    await git(repo, 'commit', '-qam', 'user retitles');
    const conflict = (await lead.callTool({ name: 'merge_worker', arguments: { terminal: worker.id } })) as ToolText;
    expect(conflict.isError).toBe(true);
    expect(textOf(conflict)).toMatch(/conflicts in README\.md: nothing was changed on either side\. Ask the worker to rebase its branch on 'main'/);
    expect(readFileSync(join(worker.cwd, 'README.md'), 'utf8')).toBe('# the worker’s title\n');

    const plain = await assign(lead, { profile: 'coder' });
    expect(plain.worktree).toBeNull();
    const none = (await lead.callTool({ name: 'worker_diff', arguments: { terminal: plain.id } })) as ToolText;
    expect(none.isError).toBe(true);
    expect(textOf(none)).toMatch(new RegExp(`worktree of terminal '${plain.id}' not found: only terminals started with --worktree have one`));
  });

  it('gives a worker a worktree when its profile says worktree: true', async () => {
    const r = await lead.callTool({ name: 'assign', arguments: { profile: 'isolated', message: 'work alone' } });
    const worker = await terminal(workerIdIn(textOf(r))!);
    expect(worker.worktree).toMatchObject({ branch: `conductor/${worker.id}`, repo });
    expect(textOf(r)).toContain(`It works in its own git worktree (branch conductor/${worker.id}): see its changes with worker_diff.`);
    expect(existsSync(join(worker.cwd, 'app.txt'))).toBe(true);
  });

  it('hands off to a worker in a worktree; a worker that changed nothing leaves no worktree behind', async () => {
    const events = await openEvents(await env.client(), { types: 'worktree' });
    let workerId: string;
    let released;
    try {
      const r = (await lead.callTool({ name: 'handoff', arguments: { profile: 'coder', message: 'look only', worktree: true } })) as ToolText;
      expect(r.isError, textOf(r)).toBeFalsy();
      expect(textOf(r)).toContain('Done coding.');
      workerId = /worker ([0-9a-f]{8})/.exec(textOf(r))![1];
      expect(textOf(r)).toContain(`Worker ${workerId} worked in its own git worktree and changed no files.`);
      // The worker is shut down once it has answered; its worktree is settled when that is announced.
      do released = await events.next();
      while (released && released.terminalId !== workerId);
    } finally {
      events.close();
    }
    expect(released).toMatchObject({ type: 'worktree.removed', data: { kept: false, state: 'clean' } });
    const w = await worktreeOf(env, workerId);
    expect(w).toMatchObject({ branch: `conductor/${workerId}`, state: 'removed' });
    expect(existsSync(w.path)).toBe(false);
    expect(await git(repo, 'branch', '--list', `conductor/${workerId}`)).toBe('');
  });

  it('runs a flow in a worktree when the flow asks for one', async () => {
    const flows = join(env.home, 'flows');
    mkdirSync(flows, { recursive: true });
    const file = join(flows, 'nightly.md');
    writeFileSync(file, `---\nname: nightly\nschedule: "0 0 1 1 *"\nprofile: coder\ncwd: ${repo}\nworktree: true\n---\nTidy up.\n`);
    await env.cliOk(['flow', 'add', file]);
    const run = JSON.parse(await env.cliOk(['flow', 'run', 'nightly', '--json'])) as FlowRunRecord;
    expect(run.terminalId).toMatch(/^[0-9a-f]{8}$/);
    const w = await worktreeOf(env, run.terminalId!);
    expect(w).toMatchObject({ branch: `conductor/${run.terminalId}`, repo, base: 'main' });
  });
});
