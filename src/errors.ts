/**
 * Named errors. Each carries the HTTP status the daemon answers with and the exit code the CLI uses,
 * so the mapping lives here and nowhere else.
 */
export type ErrorCode =
  | 'not_found'
  | 'invalid_input'
  | 'conflict'
  | 'unauthorized'
  | 'forbidden'
  | 'tmux_unavailable'
  | 'daemon_unavailable'
  | 'provider_error'
  | 'input_not_delivered'
  | 'timeout'
  | 'payload_too_large'
  | 'storage_full'
  | 'internal';

const httpStatusByCode: Record<ErrorCode, number> = {
  not_found: 404,
  invalid_input: 400,
  conflict: 409,
  unauthorized: 401,
  forbidden: 403,
  tmux_unavailable: 503,
  daemon_unavailable: 503,
  provider_error: 422,
  input_not_delivered: 504,
  timeout: 504,
  payload_too_large: 413,
  storage_full: 507,
  internal: 500,
};

const exitCodeByCode: Record<ErrorCode, number> = {
  not_found: 3,
  invalid_input: 2,
  conflict: 4,
  unauthorized: 5,
  forbidden: 5,
  tmux_unavailable: 6,
  daemon_unavailable: 7,
  provider_error: 8,
  input_not_delivered: 9,
  timeout: 10,
  payload_too_large: 2,
  storage_full: 11,
  internal: 1,
};

export class ConductorError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
  get httpStatus(): number {
    return httpStatusByCode[this.code];
  }
  get exitCode(): number {
    return exitCodeByCode[this.code];
  }
  toJSON() {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export class NotFoundError extends ConductorError {
  constructor(what: string, id: string, hint = 'run `conductor ls` to see what exists') {
    super('not_found', `${what} '${id}' not found: ${hint}`);
  }
}

export class InvalidInputError extends ConductorError {
  constructor(message: string, details?: unknown) {
    super('invalid_input', message, details);
  }
}

export class ConflictError extends ConductorError {
  constructor(message: string, details?: unknown) {
    super('conflict', message, details);
  }
}

export class UnauthorizedError extends ConductorError {
  constructor(message: string) {
    super('unauthorized', message);
  }
}

export class ForbiddenError extends ConductorError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

export class TmuxUnavailableError extends ConductorError {
  constructor(message: string) {
    super('tmux_unavailable', message);
  }
}

export class DaemonUnavailableError extends ConductorError {
  constructor(message: string) {
    super('daemon_unavailable', message);
  }
}

export class ProviderError extends ConductorError {
  constructor(message: string, details?: unknown) {
    super('provider_error', message, details);
  }
}

export class InputNotDeliveredError extends ConductorError {
  constructor(message: string) {
    super('input_not_delivered', message);
  }
}

export class TimeoutError extends ConductorError {
  constructor(message: string) {
    super('timeout', message);
  }
}

export class PayloadTooLargeError extends ConductorError {
  constructor(message: string) {
    super('payload_too_large', message);
  }
}

/** The disk under CONDUCTOR_HOME is full: nothing was half-written, retry once space is freed. */
export class StorageFullError extends ConductorError {
  constructor(message: string) {
    super('storage_full', message);
  }
}

export function errorFromBody(status: number, body: unknown): ConductorError {
  const err = (body as { error?: { code?: ErrorCode; message?: string; details?: unknown } } | null)?.error;
  if (err?.code === 'daemon_unavailable' && err.message) return new DaemonUnavailableError(err.message);
  if (err?.code && err.message) return new ConductorError(err.code, err.message, err.details);
  return new ConductorError('internal', `daemon answered HTTP ${status}`);
}

const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL', 'SQLITE_IOERR_WRITE']);

/** A write that failed because the disk (or quota) is full, as a typed error; undefined for any other failure. */
export function diskFullError(err: unknown): StorageFullError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !DISK_FULL_CODES.has(code)) return undefined;
  return new StorageFullError(
    `the disk holding CONDUCTOR_HOME is full (${code}): nothing was recorded; free some space and try again`,
  );
}
