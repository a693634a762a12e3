import type { Command } from 'commander';
import { layout } from '../../config/paths.js';
import { DaemonUnavailableError } from '../../errors.js';
import { waitForExit } from '../../process/tree.js';
import { findDaemon, startDaemon } from '../client.js';
import { action, printJson } from '../run.js';

export function register(program: Command): void {
  const daemon = program.command('daemon').description('start, stop or inspect the background daemon');

  daemon
    .command('start')
    .description('start the daemon in the background (does nothing if it runs)')
    .action(
      action(async () => {
        const running = await findDaemon();
        const client = running ?? (await startDaemon());
        process.stdout.write(`daemon ${running ? 'already running' : 'started'}: pid ${client.state.pid}, port ${client.state.port}\n`);
      }),
    );

  daemon
    .command('stop')
    .description('stop the daemon gracefully; tmux terminals keep running')
    .action(
      action(async () => {
        const running = await findDaemon();
        if (!running) {
          process.stdout.write('daemon is not running\n');
          return;
        }
        process.kill(running.state.pid, 'SIGTERM');
        if (!(await waitForExit([running.state.pid], 15_000))) {
          throw new DaemonUnavailableError(`the daemon (pid ${running.state.pid}) did not stop within 15 s`);
        }
        process.stdout.write(`daemon stopped (pid ${running.state.pid})\n`);
      }),
    );

  daemon
    .command('status')
    .description('say whether the daemon runs, and where')
    .option('--json', 'print as JSON')
    .action(
      action(async (opts: { json?: boolean }) => {
        const running = await findDaemon();
        const l = layout();
        const info = running
          ? { running: true, pid: running.state.pid, port: running.state.port, version: running.state.version, startedAt: running.state.startedAt, home: l.home, log: l.daemonLog }
          : { running: false, home: l.home, log: l.daemonLog };
        if (opts.json) printJson(info);
        else if (running) process.stdout.write(`daemon running: pid ${info.pid}, port ${info.port}, home ${l.home}\n`);
        else process.stdout.write(`daemon not running (home ${l.home})\n`);
        return running ? 0 : 1;
      }),
    );

  daemon
    .command('run')
    .description('run the daemon in the foreground (logs go to logs/daemon.log)')
    .action(
      action(async () => {
        // Loaded only here: the daemon's modules are heavy and other commands must start fast.
        const { runDaemon } = await import('../../server/daemon.js');
        try {
          await runDaemon();
        } finally {
          // Nothing may keep a stopped (or failed) daemon alive.
          setImmediate(() => process.exit());
        }
      }),
    );
}
