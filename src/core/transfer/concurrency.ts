import { getMaxListeners, setMaxListeners } from 'node:events';
import { throwIfAborted } from './retry';

/** Listeners a lane's work may hold on its signal at once (its request, its file write, a back-off, a loop of its own). */
const LISTENERS_PER_LANE = 4;

/**
 * Runs `worker` on every item of `items` (which may still be arriving: a
 * listing page by page), at most `limit` at once. The first failure stops
 * taking new items, and stops the items in flight too (the signal each
 * worker is given aborts): a job that has failed transfers nothing more,
 * and says so without waiting for their ends. It is thrown once they have
 * settled, so nothing runs on after the job has ended.
 */
export function forEachConcurrently<T>(
  items: AsyncIterable<T> | Iterable<T>,
  limit: number,
  signal: AbortSignal,
  worker: (item: T, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  return withJobCancel(signal, (lanes) => eachInLanes(items, limit, lanes, worker));
}

async function eachInLanes<T>(items: AsyncIterable<T> | Iterable<T>, limit: number, stop: AbortController, worker: (item: T, signal: AbortSignal) => Promise<void>): Promise<void> {
  const signal = stop.signal;
  const iterator = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : toAsync(items[Symbol.iterator]());
  let failure: { error: unknown } | undefined;
  // Each lane pulls the next item when it is free; pulls are serialised so an async source is read once at a time.
  let pulling: Promise<unknown> = Promise.resolve();
  const next = () => {
    const pull = pulling.then(() => iterator.next());
    pulling = pull.catch(() => undefined);
    return pull;
  };
  const lane = async () => {
    while (!failure) {
      throwIfAborted(signal);
      const result = await next();
      if (result.done || failure) {
        return;
      }
      await worker(result.value, signal);
    }
  };
  // Every lane's work listens on the lanes' signal; past Node's default of 10 listeners it would warn
  // of a leak that isn't one, so the allowance grows with the lanes.
  const laneCount = Math.max(1, limit);
  setMaxListeners(getMaxListeners(signal) + LISTENERS_PER_LANE * laneCount, signal);
  const lanes = Array.from({ length: laneCount }, () =>
    lane().catch((error: unknown) => {
      if (!failure) {
        failure = { error };
        // The others' work stops with it (each then fails as cancelled, which is not what is thrown).
        stop.abort(error);
      }
    }),
  );
  await Promise.all(lanes);
  if (failure) {
    await iterator.return?.();
    throw failure.error;
  }
}

async function* toAsync<T>(iterator: Iterator<T>): AsyncGenerator<T> {
  for (let result = iterator.next(); !result.done; result = iterator.next()) {
    yield result.value;
  }
}

/**
 * A job's own cancel: aborted with the caller's signal, or by the job itself
 * (a Cancel given as the answer to a question), either way stopping every
 * request in flight at once. `run` stops following the caller's signal when
 * the job ends: that signal may outlive it (one for several stores' jobs).
 */
export async function withJobCancel<T>(outer: AbortSignal, run: (job: AbortController) => Promise<T>): Promise<T> {
  const job = new AbortController();
  const forward = () => job.abort(outer.reason);
  if (outer.aborted) {
    forward();
  } else {
    outer.addEventListener('abort', forward, { once: true });
  }
  try {
    return await run(job);
  } finally {
    outer.removeEventListener('abort', forward);
  }
}
