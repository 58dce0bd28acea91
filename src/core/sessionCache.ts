import { type ObjectStore, dataPlaneKey } from './objectStore';
import type { SessionCredentials } from './ports';
import type { StoreRef } from './sources';
import { untilAborted } from './transfer/retry';

/** Credentials this close to their expiration are renewed rather than handed out. */
export const RENEW_BEFORE_MS = 5 * 60 * 1000;

/**
 * What a store's session credentials depend on: its bucket, key_prefix,
 * read_only flag and keys (the data plane) and its context (the role).
 */
export function sessionScope(store: ObjectStore): string {
  return JSON.stringify([dataPlaneKey(store), store.context]);
}

/**
 * Session credentials kept per store and handed out again until a few
 * minutes before they expire; then renewed, so an expired (or nearly
 * expired) set is never handed out. Concurrent askers share one request.
 * Each set is kept with the scope it was issued for, apart from the sets of
 * the same store's other scopes: asked for another scope (the store changed
 * where no change was announced: in another window, on the LogQS server; or
 * another use of the same store, such as a duration asked for handing out),
 * new credentials are issued, and neither use evicts the other's.
 */
export class SessionCredentialCache {
  /** By key (a source's store), then by scope. */
  private readonly entries = new Map<string, Map<string, Promise<SessionCredentials>>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** `minRemainingMs`: how long a set handed out must still be valid (at least RENEW_BEFORE_MS). */
  async get(key: string, issue: () => Promise<SessionCredentials>, scope = '', minRemainingMs = RENEW_BEFORE_MS): Promise<SessionCredentials> {
    const cached = this.entries.get(key)?.get(scope);
    if (cached) {
      try {
        const credentials = await cached;
        if (credentials.expiration.getTime() - this.now() > Math.max(RENEW_BEFORE_MS, minRemainingMs)) {
          return credentials;
        }
      } catch {
        // A failed request is not kept: ask again.
      }
      if (this.entries.get(key)?.get(scope) !== cached) {
        return this.get(key, issue, scope, minRemainingMs);
      }
    }
    const pending = issue();
    const scopes = this.entries.get(key) ?? new Map<string, Promise<SessionCredentials>>();
    this.entries.set(key, scopes.set(scope, pending));
    pending.catch(() => {
      if (scopes.get(scope) === pending) {
        scopes.delete(scope);
      }
    });
    return pending;
  }

  /** Drops what was kept for stores that changed (their scope may be different now), whatever its scope. */
  forget(keys: readonly string[]): void {
    keys.forEach((key) => this.entries.delete(key));
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * A store's session credentials from its source, kept per source and store
 * for the scope the store has now and the duration asked. They are handed to
 * people (copied, a terminal), who can't renew them: a set is handed out
 * again only while at least half the duration asked is left. The request is
 * shared by whoever asks meanwhile, so one asker's cancel stops only its own
 * wait: the request goes on for the others, and its answer is kept.
 */
export function storeSessionCredentials(
  cache: SessionCredentialCache,
  { source, store }: StoreRef,
  { durationSeconds, signal }: { durationSeconds: number; signal?: AbortSignal },
): Promise<SessionCredentials> {
  const scope = `${sessionScope(store)} for ${durationSeconds} s`;
  const shared = cache.get(`${source.id}/${store.id}`, async () => (await source.sessionCredentials(store.id, { durationSeconds })).credentials, scope, (durationSeconds * 1000) / 2);
  return signal ? untilAborted(shared, signal) : shared;
}
