import type { Command } from 'commander';
import { InvalidInputError } from '../../errors.js';
import type { UsageFigures, UsageReport } from '../../usage/schema.js';
import { connect } from '../client.js';
import { cost, table, tokens } from '../format.js';
import { action, printJson } from '../run.js';

const count = (n: number | null) => (n === null ? '?' : tokens(n));

function cells(u: UsageFigures): string[] {
  if (u.inputTokens === null) return ['unknown', '-', '-', '-', '-', 'unknown'];
  const model = u.models.length > 1 ? `${u.model} +${u.models.length - 1}` : (u.model ?? '-');
  return [model, count(u.inputTokens), count(u.outputTokens), count(u.cacheReadTokens), count(u.cacheWriteTokens), cost(u.costUsd, u.priced)];
}

function print(report: UsageReport): void {
  if (report.terminals.length === 0) {
    process.stdout.write('no usage figures yet: launch an agent with `conductor launch`\n');
    return;
  }
  const rows = report.terminals.map((t) => {
    const withWorkers = t.tree.terminals.length > 1 ? `${cost(t.tree.costUsd, t.tree.priced)} (${t.tree.terminals.length} terminals)` : '-';
    return [t.sessionName, t.terminalId, t.provider, ...cells(t), withWorkers, t.callerTerminalId ?? '-'];
  });
  const unknown = report.totals.unknownTerminals ? ` (${report.totals.unknownTerminals} unknown)` : '';
  rows.push(['TOTAL', '', '', ...cells(report.totals), unknown.trim() || '-', '']);
  const headers = ['SESSION', 'TERMINAL', 'PROVIDER', 'MODEL', 'INPUT', 'OUTPUT', 'CACHE READ', 'CACHE WRITE', 'COST', 'WITH WORKERS', 'CALLER'];
  process.stdout.write(`${table(headers, rows)}\n`);
  for (const m of report.totals.models.filter((m) => !m.priced)) {
    process.stdout.write(`no price for model ${m.model}: add it to CONDUCTOR_HOME/prices.json (see docs/usage.md)\n`);
  }
}

export function register(program: Command): void {
  program
    .command('usage [terminal]')
    .description('tokens and cost per terminal, with totals, read from the agents\' own records')
    .option('-s, --session <session>', 'only this session (name or id)')
    .option('--since <date>', 'only responses from this date or time on (e.g. 2026-01-31, 2026-01-31T09:00)')
    .option('--json', 'print as JSON')
    .action(
      action(async (terminal: string | undefined, opts: { session?: string; since?: string; json?: boolean }) => {
        if (terminal && opts.session) throw new InvalidInputError('give a terminal or --session, not both');
        if (opts.since !== undefined && Number.isNaN(Date.parse(opts.since))) {
          throw new InvalidInputError(`--since '${opts.since}' is not a date: use e.g. 2026-01-31 or 2026-01-31T09:00`);
        }
        const params = new URLSearchParams();
        if (terminal) params.set('terminal', terminal);
        if (opts.session) params.set('session', opts.session);
        if (opts.since) params.set('since', new Date(Date.parse(opts.since)).toISOString());
        const client = await connect();
        const report = await client.get<UsageReport>(`/usage${params.size ? `?${params}` : ''}`);
        if (opts.json) return printJson(report);
        print(report);
      }),
    );
}
