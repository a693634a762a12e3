import type { ApprovalRecord } from '../../src/approval/schema.js';
import type { DaemonClient } from '../../src/cli/client.js';
import type { SessionRecord, TerminalRecord } from '../../src/terminal/schema.js';
import type { TestEnv } from '../../test/helpers/env.js';
import type { KnownIds } from './fuzz.js';

/**
 * tmux ends with its last session, and a fuzzed DELETE may well shut every terminal: a session of
 * the test's own keeps the server up, so the fuzzing tests inputs, not a vanished tmux server.
 */
export async function holdTmuxServer(env: TestEnv): Promise<void> {
  const r = await env.tmux(['new-session', '-d', '-s', 'fuzz-holder', '--', 'sleep', '100000']);
  if (r.exitCode !== 0) throw new Error(`cannot start the holder session: ${String(r.stderr)}`);
}

/** Ids that exist, so fuzzed requests also reach a live terminal, a session and a pending approval. */
export async function knownIds(client: DaemonClient, terminal: TerminalRecord): Promise<KnownIds> {
  const approval = await client.post<ApprovalRecord>('/approvals', { action: 'fuzz target', reason: 'so decisions are fuzzed too', requester: terminal.id });
  const { sessions } = await client.get<{ sessions: SessionRecord[] }>('/sessions');
  return {
    terminals: [terminal.id],
    sessions: [...sessions.map((s) => s.id), ...sessions.map((s) => s.name)],
    approvals: [approval.id],
  };
}
