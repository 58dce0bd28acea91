import type * as vscode from 'vscode';
import { LogqsError } from '../core/errors';
import type { SecretVault } from '../core/ports';

/**
 * A refusal of the keychain (locked, access denied, no keyring on Linux) as
 * the error users read. Its own words are kept, without the secret being stored
 * (a keychain has no reason to quote it, but it would not be shown if it did).
 */
function refused(action: string, error: unknown, secret?: string): LogqsError {
  const said = error instanceof Error ? error.message : String(error);
  const words = secret ? said.split(secret).join('[secret]') : said;
  // The log keeps an error's causes: not one that was given the secret.
  return new LogqsError('storage', `VS Code's secret storage (this computer's keychain) could not ${action} a secret: ${words}`, { cause: secret ? undefined : error });
}

/** Secrets in VS Code SecretStorage (the OS keychain on desktop), one per id under a name pattern. */
export class SecretStorageVault implements SecretVault {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly keyFor: (id: string) => string,
  ) {}

  async get(id: string) {
    try {
      return await this.secrets.get(this.keyFor(id));
    } catch (error) {
      throw refused('read', error);
    }
  }

  async set(id: string, secret: string) {
    try {
      await this.secrets.store(this.keyFor(id), secret);
    } catch (error) {
      throw refused('store', error, secret);
    }
  }

  async delete(id: string) {
    try {
      await this.secrets.delete(this.keyFor(id));
    } catch (error) {
      throw refused('delete', error);
    }
  }
}

const STORE_SECRET = { before: 'logqs.objectStore.', after: '.secretAccessKey' };

/** Where each store's secret_access_key is kept. */
export const storeSecretKey = (storeId: string) => `${STORE_SECRET.before}${storeId}${STORE_SECRET.after}`;

/**
 * Calls `listener` with the store id of each store secret that changes, in
 * this window or another: secret storage is shared by the windows, so a
 * managed store's new secret, written by the first window that read the
 * provisioning file, reaches the others only so (their records don't change).
 */
export function onStoreSecretChanged(secrets: Pick<vscode.SecretStorage, 'onDidChange'>, listener: (storeId: string) => void): vscode.Disposable {
  const { before, after } = STORE_SECRET;
  return secrets.onDidChange(({ key }) => {
    if (key.length > before.length + after.length && key.startsWith(before) && key.endsWith(after)) {
      listener(key.slice(before.length, -after.length));
    }
  });
}

/** Where each LogQS connection's API key secret is kept. */
export const connectionSecretKey = (connectionId: string) => `logqs.connection.${connectionId}.apiKeySecret`;
