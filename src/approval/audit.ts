import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
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

  /** The latest `limit` lines, newest first, read from the end of the file (at most its last MiB). */
  recent(limit: number): Array<Record<string, unknown>> {
    let text: string;
    try {
      const fd = openSync(this.file, 'r');
      try {
        const size = fstatSync(fd).size;
        const length = Math.min(size, 1024 * 1024);
        const buffer = Buffer.alloc(length);
        readSync(fd, buffer, 0, length, size - length);
        text = buffer.toString('utf8');
      } finally {
        closeSync(fd);
      }
    } catch {
      return [];
    }
    const lines = text.split('\n').filter(Boolean).slice(-limit).reverse();
    return lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return []; // the first line of a partial read
      }
    });
  }
}
