import { getMaxListeners, setMaxListeners } from 'node:events';
import { throwIfAborted } from './retry';

/** Listeners a lane's work may hold on the job's signal at once (its request, its file write, a back-off). */
const LISTENERS_PER_LANE = 3;

/**
 * Runs `worker` on every item of `items` (which may still be arriving: a
 * listing page by page), at most `limit` at once. The first failure stops
 * taking new items; it is thrown once the items already started have
 * settled, so nothing runs on after the job has ended.
 */
export async function forEachConcurrently<T>(
  items: AsyncIterable<T> | Iterable<T>,
  limit: number,
  signal: AbortSignal,
  worker: (item: T) => Promise<void>,
): Promise<void> {
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
      await worker(result.value);
    }
  };
  // Every lane listens on the job's signal (lanes of parts inside lanes of files too); past Node's
  // default of 10 listeners it would warn of a leak that isn't one, so the allowance grows with the lanes.
  const laneCount = Math.max(1, limit);
  const allowance = LISTENERS_PER_LANE * laneCount;
  setMaxListeners(getMaxListeners(signal) + allowance, signal);
  const lanes = Array.from({ length: laneCount }, () =>
    lane().catch((error: unknown) => {
      failure ??= { error };
    }),
  );
  await Promise.all(lanes);
  setMaxListeners(getMaxListeners(signal) - allowance, signal);
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
