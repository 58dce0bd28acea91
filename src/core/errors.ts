import { redact } from './redact';

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
  | 'locked'
  | 'changed'
  | 'too-large'
  | 'remote'
  /** Nothing mapped it: a defect of the extension, not of the input or a server. */
  | 'bug';

export interface LogqsErrorOptions {
  /** The record field the problem is about, for input validation. */
  field?: string;
  /** Extra context for the log (never secrets). */
  detail?: string;
  /** The HTTP status a server answered with, when one did: tells a retryable failure (5xx, 429) from a final one. */
  status?: number;
  cause?: unknown;
}

export class LogqsError extends Error {
  override readonly name = 'LogqsError';
  readonly field?: string;
  readonly detail?: string;
  readonly status?: number;

  constructor(
    readonly code: LogqsErrorCode,
    message: string,
    options: LogqsErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.field = options.field;
    this.detail = options.detail;
    this.status = options.status;
  }

  static is(value: unknown, code?: LogqsErrorCode): value is LogqsError {
    return value instanceof LogqsError && (code === undefined || value.code === code);
  }
}

export const cancelledError = (cause?: unknown) => new LogqsError('cancelled', 'Cancelled', { cause });

/** An abort (AbortSignal, the SDK's AbortError) is a cancellation, not a failure. */
export function isAbort(error: unknown): boolean {
  return LogqsError.is(error, 'cancelled') || (error as { name?: unknown } | null)?.name === 'AbortError';
}

/**
 * Wraps anything thrown into a LogqsError, keeping LogqsErrors as they are.
 * Adapters map what they know; whatever reaches here unmapped is a bug.
 */
export function toLogqsError(error: unknown): LogqsError {
  if (error instanceof LogqsError) {
    return error;
  }
  if (isAbort(error)) {
    return cancelledError(error);
  }
  if (isLocalFileError(error)) {
    return localFileError(error);
  }
  return new LogqsError('bug', 'An unexpected error occurred (a bug in the extension); the details are in the LogQS log', {
    cause: error,
    detail: describeCause(error),
  });
}

/** The failure of one item of a job of many (a key, a file): its message names the item, unless it does already. */
export function failureOf(item: string, error: unknown): LogqsError {
  const problem = toLogqsError(error);
  if (problem.code === 'cancelled' || problem.message.includes(item)) {
    return problem;
  }
  return new LogqsError(problem.code, `${item}: ${problem.message}`, { field: problem.field, detail: problem.detail, status: problem.status, cause: problem.cause });
}

/** A disk that is full or read-only, a folder without permission: the person can act on the system's own words. */
export function localFileError(error: Error): LogqsError {
  return new LogqsError('storage', `The local file system refused: ${error.message}`, { cause: error });
}

/** A failed call on a local path (Node's system errors carry the path; network errors don't). */
function isLocalFileError(error: unknown): error is NodeJS.ErrnoException {
  const { code, path } = (error ?? {}) as { code?: unknown; path?: unknown };
  return error instanceof Error && isSystemErrorCode(code) && typeof path === 'string';
}

/** Whether a code is a system error's (ENOENT, EISDIR…), as Node gives them, rather than an HTTP or SDK error's. */
export function isSystemErrorCode(code: unknown): code is string {
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

/** The code of the system error (ENOENT, EISDIR…) an error is or wraps: one from another thread comes wrapped. */
export function systemErrorCode(error: unknown): string | undefined {
  for (const link of causeChain(error)) {
    const { code } = (link ?? {}) as { code?: unknown };
    if (isSystemErrorCode(code)) {
      return code;
    }
  }
  return undefined;
}

/** The error, then each error it wraps (`cause`, and the first of `errors` for AggregateError), at most `depth` deep. */
export function* causeChain(error: unknown, depth = 6): Generator<unknown> {
  for (let current = error, level = 0; current !== null && current !== undefined && level < depth; level++) {
    yield current;
    const candidate = current as { cause?: unknown; errors?: unknown[] };
    // Node's happy-eyeballs connect reports one error per address.
    current = Array.isArray(candidate.errors) && candidate.errors.length > 0 ? candidate.errors[0] : candidate.cause;
  }
}

function describeCause(error: unknown): string {
  if (!(error instanceof Error)) {
    return String(error);
  }
  const { code } = error as { code?: unknown };
  const top = [error.name, typeof code === 'string' ? code : undefined, error.message].filter(Boolean).join(' ');
  // For a bug the first frames say where it happened; they hold no secrets, and the line is redacted anyway.
  const frames = (error.stack ?? '').split('\n').slice(1, 4).map((line) => line.trim()).join(' ');
  return frames ? `${top} ${frames}` : top;
}

export interface ErrorReport {
  /** For the notification: what failed and why, redacted; undefined when nothing should be shown (a cancel). */
  notification?: string;
  /** For the log: the code, the message, the detail and each cause, redacted. */
  logLine: string;
}

/** What an error says to a person, redacted: for a notification or a message in the tree. */
export function userMessage(error: unknown): string {
  return redact(toLogqsError(error).message);
}

/** The one place an error becomes words: the notification a person reads and the line the log keeps. */
export function reportFor(action: string, error: unknown): ErrorReport {
  const problem = toLogqsError(error);
  if (problem.code === 'cancelled') {
    return { logLine: `${action}: cancelled` };
  }
  const causes = [...causeChain(problem.cause)].map((cause) => {
    const { name, message, code } = cause as { name?: string; message?: string; code?: string };
    return [name, code, message].filter(Boolean).join(' ');
  });
  const logLine = `${action}: [${problem.code}] ${problem.message}${problem.detail ? ` | ${problem.detail}` : ''}${causes.length ? ` (cause: ${causes.join(' <- ')})` : ''}`;
  return { notification: `${action}: ${userMessage(problem)}`, logLine: redact(logLine) };
}
