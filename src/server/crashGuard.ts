import { moduleLogger } from '../logger.js';

const log = moduleLogger('daemon');

function describe(reason: unknown): { err: string; stack?: string } {
  if (reason instanceof Error) return { err: reason.message, stack: reason.stack };
  return { err: String(reason) };
}

/**
 * The last line of defence: a rejected promise or a thrown callback that nothing caught is logged,
 * and the daemon keeps serving. That is safe here because every state change is a SQLite
 * transaction (a failure leaves no half-written row) and each worker's pass starts afresh from
 * the database; background workers catch their own errors, so reaching this is a bug to report.
 * Returns the function that removes the handlers.
 */
export function installCrashGuard(): () => void {
  const onRejection = (reason: unknown) => log.error(describe(reason), 'unhandled promise rejection (a bug): logged, still serving');
  const onException = (err: Error) => log.error(describe(err), 'uncaught exception (a bug): logged, still serving');
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
