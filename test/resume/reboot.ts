import { rmSync } from 'node:fs';
import { expect } from 'vitest';
import { findDaemon } from '../../src/cli/client.js';
import { listProcesses, paneProcessTree, waitForExit } from '../../src/process/tree.js';
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
  const panes = String((await env.tmux(['list-panes', '-a', '-F', '#{pid} #{pane_pid} #{socket_path}'])).stdout).trim().split('\n').filter(Boolean);
  expect(panes.length, 'tmux has panes before the reboot').toBeGreaterThan(0);
  const [server, , socketPath] = panes[0].split(' ');
  const agents = panes.flatMap((line) => paneProcessTree(Number(line.split(' ')[1])));
  // Only real pids of other processes: a 0 or a NaN here would signal the test runner's own group.
  // Only real pids outside the test runner's own session: a 0, a NaN or a process of this
  // session here would signal the runner itself.
  const ownSession = listProcesses().find((p) => p.pid === process.pid)?.sid;
  const outside = new Set(listProcesses().filter((p) => p.sid !== ownSession).map((p) => p.pid));
  const pids = [...new Set([daemon!.state.pid, Number(server), ...agents])].filter((pid) => Number.isInteger(pid) && pid > 1 && outside.has(pid));
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
