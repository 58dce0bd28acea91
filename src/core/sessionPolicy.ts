import type { ObjectStore } from './objectStore';

/**
 * The session policy that narrows temporary credentials to a store: its
 * bucket, its key_prefix, and read actions only when it is read-only.
 * (Issue 8 fills this in; until then it allows nothing.)
 */
export function sessionPolicy(_store: ObjectStore): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [] });
}
