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

export interface Database {
  sessions: SessionTable;
  terminals: TerminalTable;
  events: EventTable;
}
