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
 * Each set is kept with the scope it was issued for: asked for another
 * scope (the store changed where no change was announced: in another
 * window, on the LogQS server), new credentials are issued.
 */
export class SessionCredentialCache {
  private readonly entries = new Map<string, { scope: string; pending: Promise<SessionCredentials> }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** `minRemainingMs`: how long a set handed out must still be valid (at least RENEW_BEFORE_MS). */
  async get(key: string, issue: () => Promise<SessionCredentials>, scope = '', minRemainingMs = RENEW_BEFORE_MS): Promise<SessionCredentials> {
    const cached = this.entries.get(key);
    if (cached?.scope === scope) {
      try {
        const credentials = await cached.pending;
        if (credentials.expiration.getTime() - this.now() > Math.max(RENEW_BEFORE_MS, minRemainingMs)) {
          return credentials;
        }
      } catch {
        // A failed request is not kept: ask again.
      }
      if (this.entries.get(key) !== cached) {
        return this.get(key, issue, scope, minRemainingMs);
      }
    }
    const entry = { scope, pending: issue() };
    this.entries.set(key, entry);
    entry.pending.catch(() => {
      if (this.entries.get(key) === entry) {
        this.entries.delete(key);
      }
    });
    return entry.pending;
  }

  /** Drops what was kept for stores that changed (their scope may be different now). */
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
