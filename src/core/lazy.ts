/**
 * A value made the first time it is asked for (a module loaded at its first
 * use, say), then shared by every caller, concurrent ones included. A
 * failure is not kept: the next call tries again.
 */
export function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= Promise.resolve()
      .then(make)
      .catch((error: unknown) => {
        value = undefined;
        throw error;
      });
    return value;
  };
}
