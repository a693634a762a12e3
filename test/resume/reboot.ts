import { rmSync } from 'node:fs';
import { expect } from 'vitest';
import { findDaemon } from '../../src/cli/client.js';
import { paneProcessTree, waitForExit } from '../../src/process/tree.js';
import type { TerminalRecord } from '../../src/terminal/schema.js';
import type { TestEnv } from '../helpers/env.js';

/**
 * The reboot: the daemon, the tmux server and every process of every pane (agents, their MCP
 * servers) are killed with SIGKILL at once, so nothing gets to record an exit; the tmux socket
 * goes too, as a reboot empties the temporary folder. Returns the pids that were killed.
 */
export async function reboot(env: TestEnv): Promise<number[]> {
  const daemon = await findDaemon(env.layout);
  expect(daemon, 'a daemon runs before the reboot').toBeDefined();
  const server = Number(String((await env.tmux(['display-message', '-p', '#{pid}'])).stdout).trim());
  const socketPath = String((await env.tmux(['display-message', '-p', '#{socket_path}'])).stdout).trim();
  const panePids = String((await env.tmux(['list-panes', '-a', '-F', '#{pane_pid}'])).stdout).trim().split('\n').filter(Boolean).map(Number);
  const agents = panePids.flatMap((pid) => paneProcessTree(pid));
  const pids = [...new Set([daemon!.state.pid, server, ...agents])];
  expect(pids.length).toBeGreaterThanOrEqual(3);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  expect(await waitForExit(pids, 10_000)).toBe(true);
  if (socketPath) rmSync(socketPath, { force: true });
  return pids;
}

export async function terminalRecord(env: TestEnv, id: string): Promise<TerminalRecord> {
  return (await env.client()).get<TerminalRecord>(`/terminals/${id}`);
}
