import pino, { type Logger } from 'pino';

let root: Logger = pino({ level: process.env.CONDUCTOR_LOG_LEVEL ?? 'silent' });
let generation = 0;

/** The daemon points the root logger at its log file once; modules ask for children. */
export function configureRootLogger(destinationFile: string): Logger {
  root = pino(
    { level: process.env.CONDUCTOR_LOG_LEVEL ?? 'info', base: { pid: process.pid } },
    // Synchronous: the daemon logs little, and an async stream may not be open yet when a failed start exits.
    pino.destination({ dest: destinationFile, mkdir: true, sync: true }),
  );
  generation++;
  return root;
}

type LogFn = (obj: object | string, msg?: string) => void;
export interface ModuleLogger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

/** One logger per module; it follows the root logger even when created before configureRootLogger. */
export function moduleLogger(module: string): ModuleLogger {
  let child: Logger | undefined;
  let seen = -1;
  const current = (): Logger => {
    if (!child || seen !== generation) {
      child = root.child({ module });
      seen = generation;
    }
    return child;
  };
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error'): LogFn =>
    (obj, msg) =>
      typeof obj === 'string' ? current()[level](obj) : current()[level](obj, msg);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export function flushRootLogger(): void {
  root.flush?.();
}
