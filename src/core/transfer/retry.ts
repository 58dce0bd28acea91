import { LogqsError, cancelledError } from '../errors';

/** How often and how patiently a transfer retries what may succeed again. */
export interface RetryPolicy {
  /** Tries in a row without progress before giving up. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 200, maxDelayMs: 5000 };

/** The policy a job's settings ask for, or the default. */
export const retryPolicy = (settings: { retry?: RetryPolicy }): RetryPolicy => settings.retry ?? DEFAULT_RETRY;

/** Network failures, 5xx (SlowDown included) and 429 may succeed if tried again; nothing else does. */
export function isRetryable(error: unknown): boolean {
  if (!LogqsError.is(error)) {
    return false;
  }
  return error.code === 'unreachable' || (error.status !== undefined && (error.status >= 500 || error.status === 429));
}

/** Exponential back-off with full jitter: a random wait up to base × 2^attempt, capped. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
}

/** Waits, or rejects as soon as the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(cancelledError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** `promise`'s outcome, or a cancellation as soon as the signal aborts (the work itself goes on: see the caller). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(cancelledError());
      return;
    }
    const onAbort = () => reject(cancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Throws a cancellation if the signal has aborted: checked between steps of a transfer. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) {
    throw cancelledError();
  }
}
