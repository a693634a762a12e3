import type { ApprovalRecord } from '../../src/approval/schema.js';
import type { DaemonClient } from '../../src/cli/client.js';
import type { SessionRecord, TerminalRecord } from '../../src/terminal/schema.js';
import type { KnownIds } from './fuzz.js';

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
