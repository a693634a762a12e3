import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ApprovalRecord } from './schema.js';

export type AuditEvent = 'requested' | 'approved' | 'denied' | 'expired';

/**
 * approvals/audit.jsonl: one line per request and per decision, appended and never rewritten.
 * Written synchronously, right after the database change it records.
 */
export class ApprovalAudit {
  constructor(private readonly file: string) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  }

  append(event: AuditEvent, a: ApprovalRecord, at: number): void {
    const line = {
      at: new Date(at).toISOString(),
      event,
      id: a.id,
      requester: a.requester,
      source: a.source,
      action: a.action,
      reason: a.reason,
      ...(event === 'requested' ? { details: a.details } : { decidedBy: a.decidedBy, note: a.note }),
    };
    appendFileSync(this.file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
  }
}
