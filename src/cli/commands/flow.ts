import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { NotFoundError } from '../../errors.js';
import type { FlowRecord, FlowRunRecord } from '../../flow/schema.js';
import { connect } from '../client.js';
import { ago, table } from '../format.js';
import { action, printJson } from '../run.js';

const path = (name: string) => `/flows/${encodeURIComponent(name)}`;

/** "in 3h" for a time to come, "5m ago" for one past. */
function when(iso: string | null): string {
  if (!iso) return '-';
  const now = Date.now();
  const at = Date.parse(iso);
  return at >= now ? `in ${ago(new Date(now).toISOString(), at)}` : `${ago(iso, now)} ago`;
}

function describeRun(r: FlowRunRecord): string {
  const where = r.terminalId ? ` (terminal ${r.terminalId})` : '';
  return `run #${r.id} ${r.state}${where}${r.reason ? `: ${r.reason}` : ''}`;
}

function runRows(runs: FlowRunRecord[]): string[][] {
  return runs.map((r) => [`#${r.id}`, r.trigger, r.state, r.terminalId ?? '-', `${ago(r.startedAt)} ago`, r.reason ?? '']);
}

export function register(program: Command): void {
  const flow = program.command('flow').description('scheduled flows: a cron schedule, an optional gate script and a prompt for an agent');

  flow
    .command('add')
    .description('validate a flow file and schedule it (enabled)')
    .argument('<file>', 'the flow file (markdown with frontmatter)')
    .option('-f, --force', 'replace a flow of the same name')
    .option('--json', 'print the flow as JSON')
    .action(
      action(async (file: string, opts: { force?: boolean; json?: boolean }) => {
        const abs = resolve(file);
        let definition: string;
        try {
          definition = readFileSync(abs, 'utf8');
        } catch (err) {
          throw new NotFoundError('flow file', abs, `cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
        }
        const f = await (await connect()).post<FlowRecord>('/flows', { definition, file: abs, replace: Boolean(opts.force) });
        if (opts.json) return printJson(f);
        process.stdout.write(`flow '${f.name}' added: ${f.schedule}, profile ${f.profile}, next run ${f.nextRunAt ?? 'never'}\n`);
      }),
    );

  flow
    .command('list')
    .description('every flow with its schedule, next run and last result')
    .option('--json', 'print as JSON')
    .action(
      action(async (opts: { json?: boolean }) => {
        const { flows } = await (await connect()).get<{ flows: FlowRecord[] }>('/flows');
        if (opts.json) return printJson({ flows });
        if (flows.length === 0) return void process.stdout.write('no flows: add one with `conductor flow add <file>`\n');
        const rows = flows.map((f) => [
          f.name,
          f.enabled ? 'yes' : 'no',
          f.schedule,
          f.profile,
          f.enabled ? when(f.nextRunAt) : '-',
          f.lastRun ? `#${f.lastRun.id} ${f.lastRun.state} ${when(f.lastRun.startedAt)}` : '-',
        ]);
        process.stdout.write(`${table(['NAME', 'ENABLED', 'SCHEDULE', 'PROFILE', 'NEXT', 'LAST RUN'], rows)}\n`);
      }),
    );

  flow
    .command('show')
    .description('one flow: its settings, prompt template and recent runs')
    .argument('<name>', 'flow name')
    .option('--json', 'print as JSON')
    .action(
      action(async (name: string, opts: { json?: boolean }) => {
        const shown = await (await connect()).get<{ flow: FlowRecord; prompt: string; runs: FlowRunRecord[] }>(path(name));
        if (opts.json) return printJson(shown);
        const { lastRun: _last, ...settings } = shown.flow;
        process.stdout.write(`${JSON.stringify(settings, null, 2)}\n\n${shown.prompt}\n\n`);
        const runs = shown.runs.length ? table(['RUN', 'TRIGGER', 'STATE', 'TERMINAL', 'STARTED', 'REASON'], runRows(shown.runs)) : 'no runs yet';
        process.stdout.write(`${runs}\n`);
      }),
    );

  flow
    .command('run')
    .description('run a flow now (gate script included), whatever its schedule; refused while its previous run is going')
    .argument('<name>', 'flow name')
    .option('--json', 'print the run as JSON')
    .action(
      action(async (name: string, opts: { json?: boolean }) => {
        const run = await (await connect()).post<FlowRunRecord>(`${path(name)}/run`);
        if (opts.json) printJson(run);
        else process.stdout.write(`${describeRun(run)}\n`);
        return run.state === 'failed' ? 1 : 0;
      }),
    );

  for (const [verb, what] of [
    ['enable', 'schedule the flow again (from now on: missed runs are not made up)'],
    ['disable', 'stop scheduling the flow; `flow run` still works'],
  ] as const) {
    flow
      .command(verb)
      .description(what)
      .argument('<name>', 'flow name')
      .option('--json', 'print the flow as JSON')
      .action(
        action(async (name: string, opts: { json?: boolean }) => {
          const f = await (await connect()).post<FlowRecord>(`${path(name)}/${verb}`);
          if (opts.json) return printJson(f);
          process.stdout.write(`flow '${f.name}' ${verb}d${f.enabled ? `: next run ${f.nextRunAt ?? 'never'}` : ''}\n`);
        }),
      );
  }

  flow
    .command('remove')
    .description('remove a flow and its run history (agents it started keep running)')
    .argument('<name>', 'flow name')
    .action(
      action(async (name: string) => {
        await (await connect()).delete(path(name));
        process.stdout.write(`flow '${name}' removed\n`);
      }),
    );
}
