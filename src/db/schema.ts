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
  /** `handoff`: the caller waits for the answer; `assign`: the answer is reported to its inbox. */
  mode: string;
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

export interface NotifyTargetTable {
  id: string;
  kind: string;
  url: string | null;
  format: string;
  events: string;
  created_at: number;
  last_delivered_at: number | null;
  last_error: string | null;
  last_error_at: number | null;
  failing: number;
}

export interface UsageSourceTable {
  terminal_id: string;
  session_id: string;
  session_name: string;
  provider: string;
  profile: string | null;
  caller_terminal_id: string | null;
  format: string | null;
  dir: string | null;
  record_session_id: string | null;
  shared: number;
  cwd: string | null;
  max_cost_usd: number | null;
  created_at: number;
  finished_at: number | null;
}

export interface UsageFileTable {
  terminal_id: string;
  path: string;
  offset: number;
  state: string | null;
  updated_at: number;
}

export interface UsageResponseTable {
  terminal_id: string;
  response_key: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  at: number;
}

export interface UsageBudgetRequestTable {
  terminal_id: string;
  limit_usd: number;
  approval_id: string;
  created_at: number;
}

export interface ResumeRecordTable {
  terminal_id: string;
  env: string;
  format: string | null;
  agent_home: string | null;
  conversation_id: string | null;
  created_at: number;
  resumed_at: number | null;
  resume_count: Generated<number>;
}

export interface Database {
  sessions: SessionTable;
  terminals: TerminalTable;
  events: EventTable;
  messages: MessageTable;
  handoffs: HandoffTable;
  approvals: ApprovalTable;
  notify_targets: NotifyTargetTable;
  usage_sources: UsageSourceTable;
  usage_files: UsageFileTable;
  usage_responses: UsageResponseTable;
  usage_budget_requests: UsageBudgetRequestTable;
  worktrees: WorktreeTable;
  resume_records: ResumeRecordTable;
}
