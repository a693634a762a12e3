/** The daemon's records as the page uses them (docs/api.md has the full shapes). */

export type TerminalStatus = 'starting' | 'idle' | 'busy' | 'waiting_input' | 'completed' | 'error' | 'exited' | 'lost';

export interface Usage {
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  costUsd: number | null;
  model: string | null;
}

export interface Terminal {
  id: string;
  sessionId: string;
  sessionName: string;
  tmuxSession: string;
  provider: string;
  profile: string | null;
  cwd: string;
  status: TerminalStatus;
  statusDetail: string | null;
  callerTerminalId: string | null;
  createdAt: string;
  lastActiveAt: string;
  exitedAt: string | null;
  worktree: { path: string; branch: string; base: string } | null;
  usage?: Usage | null;
}

export interface Session {
  id: string;
  name: string;
  tmuxSession: string;
  createdAt: string;
  terminals: Terminal[];
}

export interface Approval {
  id: string;
  requester: string | null;
  source: string;
  action: string;
  reason: string;
  state: 'pending' | 'approved' | 'denied' | 'expired';
  decidedBy: string | null;
  note: string | null;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
}

export interface AuditEntry {
  at: string;
  event: 'requested' | 'approved' | 'denied' | 'expired';
  id: string;
  requester: string | null;
  action: string;
  reason: string;
  decidedBy?: string | null;
  note?: string | null;
}

export interface Message {
  id: number;
  from: string | null;
  fromLabel: string;
  to: string;
  kind: string;
  body: string;
  state: string;
  reason: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface Handoff {
  id: string;
  caller: string | null;
  worker: string | null;
  profile: string | null;
  mode: 'handoff' | 'assign';
  state: string;
  createdAt: string;
  deadlineAt: string;
}

export interface FlowRun {
  id: number | string;
  state: string;
  startedAt?: string;
  reason?: string | null;
}

export interface Flow {
  name: string;
  description: string | null;
  schedule: string;
  profile: string;
  enabled: boolean;
  lastRunAt: string | null;
  nextRunAt: string | null;
  lastRun: FlowRun | null;
}

export interface ConductorEvent {
  id: number;
  type: string;
  sessionId: string | null;
  terminalId: string | null;
  data: Record<string, unknown>;
  createdAt: string;
}
