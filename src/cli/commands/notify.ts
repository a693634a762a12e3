import type { Command } from 'commander';
import { ConductorError } from '../../errors.js';
import { addTargetSchema, type DeliveryResult, type NotifyTargetRecord } from '../../notify/schema.js';
import { validate } from '../../server/http.js';
import { connect } from '../client.js';
import { ago, table } from '../format.js';
import { action, printJson } from '../run.js';

function stateOf(t: NotifyTargetRecord): string {
  if (t.state === 'failing') return `FAILING ${t.lastErrorAt ? ago(t.lastErrorAt) : ''} ago: ${t.lastError ?? ''}`;
  if (t.state === 'ok') return `ok (last sent ${ago(t.lastDeliveredAt!)} ago)`;
  return 'nothing sent yet';
}

function printTargets(targets: NotifyTargetRecord[]): void {
  if (targets.length === 0) {
    process.stdout.write('no notification targets: add one with `conductor notify add <url>`\n');
    return;
  }
  const rows = targets.map((t) => [t.id, t.safeUrl ?? t.kind, t.kind === 'webhook' ? t.format : '-', t.events.join(','), stateOf(t)]);
  process.stdout.write(`${table(['ID', 'TARGET', 'FORMAT', 'EVENTS', 'STATE'], rows)}\n`);
}

export function register(program: Command): void {
  const notify = program.command('notify').description('tell you (webhook, desktop, tmux) when an agent needs you');
  notify
    .command('add')
    .description('register a target: an http(s) webhook URL, `desktop` (notify-send) or `tmux` (your attached clients)')
    .argument('<url>', 'https://… webhook, desktop or tmux')
    .option('-f, --format <format>', 'webhook body: json, slack, discord or ntfy (default: from the host, else json)')
    .option('--on <events>', 'comma-separated: approval,waiting,error,exited,completed,handoff_failed,flow_failed,budget or all (default: all but completed)')
    .option('--json', 'print the new target as JSON')
    .action(
      action(async (url: string, opts: { format?: string; on?: string; json?: boolean }) => {
        const input = validate(addTargetSchema, { url, format: opts.format, on: opts.on }, 'target');
        const r = await (await connect()).post<{ target: NotifyTargetRecord; warning?: string }>('/notify', input);
        if (r.warning) process.stderr.write(`conductor: warning: ${r.warning}\n`);
        if (opts.json) return printJson(r.target);
        process.stdout.write(`${r.target.id}: ${r.target.safeUrl ?? r.target.kind} on ${r.target.events.join(',')}\n`);
      }),
    );
  notify
    .command('list')
    .description('targets, and whether their last delivery failed')
    .option('--json', 'print as JSON (with full URLs)')
    .action(
      action(async (opts: { json?: boolean }) => {
        const { targets } = await (await connect()).get<{ targets: NotifyTargetRecord[] }>('/notify');
        if (opts.json) return printJson({ targets });
        printTargets(targets);
      }),
    );
  notify
    .command('remove')
    .description('stop notifying a target')
    .argument('<id>', 'target id (see `conductor notify list`)')
    .action(
      action(async (id: string) => {
        const t = await (await connect()).delete<NotifyTargetRecord>(`/notify/${encodeURIComponent(id)}`);
        process.stdout.write(`${t.id}: removed\n`);
      }),
    );
  notify
    .command('test')
    .description('send a test notification now, to one target or to all')
    .argument('[id]', 'target id (default: every target)')
    .option('--json', 'print the results as JSON')
    .action(
      action(async (id: string | undefined, opts: { json?: boolean }) => {
        const { results } = await (await connect()).post<{ results: DeliveryResult[] }>('/notify/test', id ? { id } : {});
        if (opts.json) printJson({ results });
        else if (results.length === 0) process.stdout.write('no notification targets: add one with `conductor notify add <url>`\n');
        else for (const r of results) process.stdout.write(`${r.id}: ${r.ok ? 'delivered' : `FAILED: ${r.error}`}\n`);
        const failed = results.filter((r) => !r.ok);
        if (failed.length > 0) throw new ConductorError('conflict', `${failed.length} of ${results.length} targets could not be reached: see \`conductor notify list\``);
      }),
    );
}
