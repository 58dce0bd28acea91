import type { SessionCredentials } from './ports';

/** Credentials this close to their expiration are renewed rather than handed out. */
export const RENEW_BEFORE_MS = 5 * 60 * 1000;

/**
 * Session credentials kept per store and handed out again until a few
 * minutes before they expire; then renewed, so an expired (or nearly
 * expired) set is never handed out. Concurrent askers share one request.
 */
export class SessionCredentialCache {
  private readonly entries = new Map<string, Promise<SessionCredentials>>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(key: string, issue: () => Promise<SessionCredentials>): Promise<SessionCredentials> {
    const cached = this.entries.get(key);
    if (cached) {
      try {
        const credentials = await cached;
        if (credentials.expiration.getTime() - this.now() > RENEW_BEFORE_MS) {
          return credentials;
        }
      } catch {
        // A failed request is not kept: ask again.
      }
      if (this.entries.get(key) !== cached) {
        return this.get(key, issue);
      }
    }
    const pending = issue();
    this.entries.set(key, pending);
    pending.catch(() => {
      if (this.entries.get(key) === pending) {
        this.entries.delete(key);
      }
    });
    return pending;
  }

  /** Drops what was kept for stores that changed (their scope may be different now). */
  forget(keys: readonly string[]): void {
    keys.forEach((key) => this.entries.delete(key));
  }

  clear(): void {
    this.entries.clear();
  }
}
