import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { TerminalRecord } from '../../src/terminal/schema.js';
import type { WorktreeRecord } from '../../src/worktree/schema.js';
import type { TestEnv } from '../helpers/env.js';
import { waitForFile } from '../helpers/wait.js';

let count = 0;

/** Runs git in `cwd`; throws with git's words on failure. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const r = await execa('git', args, { cwd, reject: false, env: { GIT_TERMINAL_PROMPT: '0' } });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(' ')} in ${cwd} exited ${r.exitCode}: ${r.stderr}`);
  return String(r.stdout).trim();
}

/** A fresh repository on branch main with one commit (README.md, app.txt), its own identity. */
export async function freshRepo(env: TestEnv, name = 'repo'): Promise<string> {
  const dir = join(env.home, 'repos', `${name}-${++count}`);
  mkdirSync(dir, { recursive: true });
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'config', 'user.name', 'Test User');
  await git(dir, 'config', 'user.email', 'test@example.com');
  writeFileSync(join(dir, 'README.md'), '# test repo\n');
  writeFileSync(join(dir, 'app.txt'), 'line 1\nline 2\nline 3\n');
  await git(dir, 'add', '.');
  await git(dir, 'commit', '-q', '-m', 'initial commit');
  return dir;
}

/** Launches a shell terminal headless in `cwd`, with extra flags (e.g. --worktree). */
export async function launchShell(env: TestEnv, cwd: string, flags: string[] = []): Promise<TerminalRecord> {
  return env.launch(['--provider', 'shell', '--cwd', cwd, ...flags]);
}

export async function worktrees(env: TestEnv, all = false): Promise<WorktreeRecord[]> {
  return (JSON.parse(await env.cliOk(['worktrees', '--json', ...(all ? ['--all'] : [])])) as { worktrees: WorktreeRecord[] }).worktrees;
}

export async function worktreeOf(env: TestEnv, terminalId: string): Promise<WorktreeRecord> {
  const found = (await worktrees(env, true)).find((w) => w.terminalId === terminalId);
  if (!found) throw new Error(`no worktree listed for terminal ${terminalId}`);
  return found;
}

/**
 * Types a shell command into a terminal and waits until it has run: the command ends by writing
 * `marker` atomically, and the test waits on that file.
 */
export async function runInShell(env: TestEnv, terminalId: string, command: string): Promise<string> {
  const marker = join(env.home, `done-${terminalId}-${++count}`);
  await env.cliOk(['send', terminalId, `${command}; echo ok > '${marker}.tmp' && mv '${marker}.tmp' '${marker}'`]);
  await waitForFile(marker, () => existsSync(marker), 20_000, `the command in ${terminalId} to finish`);
  return marker;
}

export const read = (file: string) => readFileSync(file, 'utf8');

/** The folder names under CONDUCTOR_HOME/worktrees/<repo>/ (one per worktree on disk). */
export function worktreeFolders(env: TestEnv): string[] {
  const root = join(env.home, 'worktrees');
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((repo) => readdirSync(join(root, repo)));
}
