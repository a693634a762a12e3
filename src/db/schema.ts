import type { Generated } from 'kysely';

export interface SessionTable {
  id: string;
  name: string;
  tmux_session: string;
  created_at: number;
}

export interface TerminalTable {
  id: string;
  session_id: string;
  tmux_window: string;
  tmux_pane: string;
  window_name: string;
  provider: string;
  profile: string | null;
  cwd: string;
  status: string;
  caller_terminal_id: string | null;
  last_response: string | null;
  status_detail: string | null;
  created_at: number;
  last_active_at: number;
  exited_at: number | null;
  exit_code: number | null;
}

export interface EventTable {
  id: Generated<number>;
  type: string;
  session_id: string | null;
  terminal_id: string | null;
  data: string;
  created_at: number;
}

export interface MessageTable {
  id: Generated<number>;
  sender_terminal_id: string | null;
  sender_label: string;
  receiver_terminal_id: string;
  kind: string;
  body: string;
  state: string;
  reason: string | null;
  delivery_buffer: string | null;
  created_at: number;
  delivered_at: number | null;
}

export interface HandoffTable {
  id: string;
  caller_terminal_id: string | null;
  worker_terminal_id: string | null;
  task_message_id: number | null;
  profile: string;
  message: string;
  keep_worker: number;
  state: string;
  result: string | null;
  error: string | null;
  result_via_inbox: number;
  deadline_at: number;
  created_at: number;
  finished_at: number | null;
}

export interface ApprovalTable {
  id: string;
  requester_terminal_id: string | null;
  source: string;
  action: string;
  reason: string;
  details: string | null;
  state: string;
  decided_by: string | null;
  note: string | null;
  result_via_inbox: number;
  created_at: number;
  expires_at: number;
  decided_at: number | null;
}

export interface WorktreeTable {
  terminal_id: string;
  repo: string;
  path: string;
  branch: string;
  base: string;
  base_commit: string;
  created_at: number;
  merged_at: number | null;
  merged_into: string | null;
  removed_at: number | null;
}

export interface Database {
  sessions: SessionTable;
  terminals: TerminalTable;
  events: EventTable;
  messages: MessageTable;
  handoffs: HandoffTable;
  approvals: ApprovalTable;
  worktrees: WorktreeTable;
}
