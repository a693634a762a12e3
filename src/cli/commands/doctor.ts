import type { Command } from 'commander';
import { ensureLayout, layout } from '../../config/paths.js';
import type { CheckResult } from '../../doctor/checks.js';
import { action, printJson } from '../run.js';

const MARK: Record<CheckResult['status'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

function describe(check: CheckResult): string {
  const name = check.id.replace(/^provider:/, '').replace(/^auth:(.*)$/, '$1 login').replace(/^provider-file:.*$/, 'provider file');
  const provider = check.id.replace(/^(?:provider|auth):/, '');
  const summary = check.summary.startsWith(`${provider}: `) ? check.summary.slice(provider.length + 2) : check.summary;
  const lines = [`${MARK[check.status]}  ${name.padEnd(18)} ${summary}`];
  if (check.fix && check.status !== 'ok') lines.push(`${' '.repeat(25)}fix: ${check.fix}`);
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('doctor')
    .description('check tmux, the daemon, the MCP server and each provider; say how to fix what is wrong')
    .option('--json', 'print as JSON')
    .action(
      action(async (opts: { json?: boolean }) => {
        // Loaded only here: the MCP client is not needed by any other command.
        const { runDoctor } = await import('../../doctor/run.js');
        const report = await runDoctor(ensureLayout(layout()));
        if (opts.json) printJson(report);
        else {
          process.stdout.write(`${report.checks.map(describe).join('\n')}\n`);
          const failed = report.checks.filter((c) => c.required && c.status === 'fail').length;
          const warned = report.checks.filter((c) => c.status === 'warn').length;
          process.stdout.write(
            failed
              ? `\n${failed} required check${failed > 1 ? 's' : ''} failed.\n`
              : `\nReady${warned ? ` (${warned} warning${warned > 1 ? 's' : ''}: agents whose program or login is missing cannot be launched)` : ''}.\n`,
          );
        }
        return report.ok ? 0 : 1;
      }),
    );
}
