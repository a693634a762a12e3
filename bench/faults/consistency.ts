import Database from 'better-sqlite3';

/** Rows that point at something gone: each query counts the orphans of one relation. */
const ORPHAN_CHECKS: Array<{ name: string; tables: string[]; sql: string }> = [
  {
    name: 'terminals without their session',
    tables: ['terminals', 'sessions'],
    sql: 'select count(*) as n from terminals t where not exists (select 1 from sessions s where s.id = t.session_id)',
  },
  {
    name: 'undelivered messages to no terminal',
    tables: ['messages', 'terminals'],
    sql: "select count(*) as n from messages m where m.state in ('pending', 'delivering') and not exists (select 1 from terminals t where t.id = m.receiver_terminal_id)",
  },
  {
    name: 'running handoffs without their worker',
    tables: ['handoffs', 'terminals'],
    sql: "select count(*) as n from handoffs h where h.state = 'running' and h.worker_terminal_id is not null and not exists (select 1 from terminals t where t.id = h.worker_terminal_id)",
  },
  {
    name: 'handoffs whose task message is gone',
    tables: ['handoffs', 'messages'],
    sql: "select count(*) as n from handoffs h where h.state = 'running' and h.task_message_id is not null and not exists (select 1 from messages m where m.id = h.task_message_id)",
  },
  {
    name: 'flow runs of no flow',
    tables: ['flow_runs', 'flows'],
    sql: 'select count(*) as n from flow_runs r where not exists (select 1 from flows f where f.name = r.flow)',
  },
  {
    name: 'pending approvals of no terminal',
    tables: ['approvals', 'terminals'],
    sql: "select count(*) as n from approvals a where a.state = 'pending' and a.requester_terminal_id is not null and not exists (select 1 from terminals t where t.id = a.requester_terminal_id)",
  },
];

export interface ConsistencyReport {
  integrity: string;
  orphans: Record<string, number>;
  totalOrphans: number;
}

/** SQLite's own integrity check plus the conductor's relations; read-only, beside a running daemon. */
export function checkConsistency(databaseFile: string): ConsistencyReport {
  const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
  try {
    const integrity = (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check).join('; ');
    const tables = new Set((db.prepare("select name from sqlite_master where type = 'table'").all() as Array<{ name: string }>).map((r) => r.name));
    const orphans: Record<string, number> = {};
    for (const check of ORPHAN_CHECKS) {
      if (!check.tables.every((t) => tables.has(t))) continue;
      orphans[check.name] = (db.prepare(check.sql).get() as { n: number }).n;
    }
    return { integrity, orphans, totalOrphans: Object.values(orphans).reduce((a, b) => a + b, 0) };
  } finally {
    db.close();
  }
}
