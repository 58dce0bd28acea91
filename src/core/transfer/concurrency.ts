import { throwIfAborted } from './retry';

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
  const lanes = Array.from({ length: Math.max(1, limit) }, () =>
    lane().catch((error: unknown) => {
      failure ??= { error };
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
