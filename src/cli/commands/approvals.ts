import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ApprovalRecord } from '../../approval/schema.js';
import { InvalidInputError } from '../../errors.js';
import { connect, type DaemonClient } from '../client.js';
import { openEvents } from '../events.js';
import { ago, table } from '../format.js';
import { action, printJson } from '../run.js';

function printTable(rows: ApprovalRecord[]): void {
  if (rows.length === 0) {
    process.stdout.write('no approval requests\n');
    return;
  }
  const lines = rows.map((a) => [
    a.id,
    a.state + (a.decidedBy ? ` (${a.decidedBy})` : ''),
    a.requester ?? '-',
    ago(a.createdAt),
    a.action.replace(/\s+/g, ' ').slice(0, 60),
    a.reason.replace(/\s+/g, ' ').slice(0, 60),
  ]);
  process.stdout.write(`${table(['ID', 'STATE', 'FROM', 'AGE', 'ACTION', 'WHY'], lines)}\n`);
}

async function watch(client: DaemonClient, json: boolean): Promise<void> {
  const events = await openEvents(client, { types: 'approval' });
  const initial = (await client.get<{ approvals: ApprovalRecord[] }>('/approvals')).approvals;
  if (json) for (const a of initial) process.stdout.write(`${JSON.stringify(a)}\n`);
  else printTable(initial);
  process.once('SIGINT', () => events.close());
  for (;;) {
    const e = await events.next();
    if (!e) return;
    const a = await client.get<ApprovalRecord>(`/approvals/${e.data.approvalId}`);
    if (json) process.stdout.write(`${JSON.stringify(a)}\n`);
    else if (e.type === 'approval.requested') process.stdout.write(`NEW ${a.id} from ${a.requester ?? 'outside'}: ${a.action}\n    why: ${a.reason.replace(/\n/g, '\n         ')}\n    decide: conductor approve ${a.id} | conductor deny ${a.id}\n`);
    else process.stdout.write(`${a.state.toUpperCase()} ${a.id}${a.decidedBy ? ` by ${a.decidedBy}` : ''}${a.note ? `: ${a.note}` : ''}\n`);
  }
}

export function register(program: Command): void {
  const approvals = program
    .command('approvals')
    .description('approval requests: pending ones (or all), live with --watch')
    .option('--all', 'include decided and expired requests')
    .option('--watch', 'keep printing new requests and decisions as they happen')
    .option('--json', 'print as JSON (one object per line with --watch)')
    .action(
      action(async (opts: { all?: boolean; watch?: boolean; json?: boolean }) => {
        const client = await connect();
        if (opts.watch) return watch(client, Boolean(opts.json));
        const { approvals: rows } = await client.get<{ approvals: ApprovalRecord[] }>(`/approvals?all=${opts.all ? 'true' : 'false'}`);
        if (opts.json) return printJson({ approvals: rows });
        printTable(rows);
      }),
    );
  approvals
    .command('export')
    .description('write the whole history of requests and decisions')
    .option('--csv', 'as CSV (the only format for now)')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(
      action(async (opts: { csv?: boolean; output?: string }) => {
        if (!opts.csv) throw new InvalidInputError('say the format: --csv');
        const client = await connect();
        const res = await fetch(`${client.baseUrl}/approvals/export.csv`, { headers: { authorization: `Bearer ${client.state.token}` } });
        const csv = await res.text();
        if (opts.output) writeFileSync(opts.output, csv);
        else process.stdout.write(csv);
      }),
    );

  for (const [name, decision, flag] of [
    ['approve', 'approve', '--note <text>'],
    ['deny', 'deny', '--reason <text>'],
  ] as const) {
    program
      .command(name)
      .description(decision === 'approve' ? 'approve a pending request' : 'deny a pending request')
      .argument('<id>', 'approval id (see `conductor approvals`)')
      .option(flag, decision === 'approve' ? "a note for the agent" : 'why: the agent is told')
      .option('--json', 'print the decided request as JSON')
      .action(
        action(async (id: string, opts: { note?: string; reason?: string; json?: boolean }) => {
          const client = await connect();
          const decided = await client.post<ApprovalRecord>(`/approvals/${encodeURIComponent(id)}/decision`, {
            decision,
            note: opts.note ?? opts.reason,
            by: process.env.USER || undefined,
          });
          if (opts.json) return printJson(decided);
          process.stdout.write(`${decided.id}: ${decided.state}\n`);
        }),
      );
  }
}
