/**
 * The one error type of the extension. Every layer throws it (or has its
 * foreign errors mapped to it) so the UI can show `message` to a person and
 * log `detail`, and never has to show a stack trace.
 */
export type LogqsErrorCode =
  | 'invalid-input'
  | 'not-found'
  | 'conflict'
  | 'managed'
  | 'disabled'
  | 'read-only'
  | 'outside-prefix'
  | 'auth'
  | 'forbidden'
  | 'no-such-bucket'
  | 'unreachable'
  | 'storage'
  | 'cancelled'
  | 'remote';

export interface LogqsErrorOptions {
  /** The record field the problem is about, for input validation. */
  field?: string;
  /** Extra context for the log (never secrets). */
  detail?: string;
  cause?: unknown;
}

export class LogqsError extends Error {
  override readonly name = 'LogqsError';
  readonly field?: string;
  readonly detail?: string;

  constructor(
    readonly code: LogqsErrorCode,
    message: string,
    options: LogqsErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.field = options.field;
    this.detail = options.detail;
  }

  static is(value: unknown, code?: LogqsErrorCode): value is LogqsError {
    return value instanceof LogqsError && (code === undefined || value.code === code);
  }
}

/** Wraps anything thrown into a LogqsError, keeping LogqsErrors as they are. */
export function toLogqsError(error: unknown, fallbackMessage = 'Something went wrong'): LogqsError {
  if (error instanceof LogqsError) {
    return error;
  }
  const text = error instanceof Error ? error.message : String(error);
  return new LogqsError('remote', `${fallbackMessage}: ${text}`, { cause: error });
}
