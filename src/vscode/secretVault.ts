import type * as vscode from 'vscode';
import type { SecretVault } from '../core/ports';

/** Secrets in VS Code SecretStorage (the OS keychain on desktop), one per id under a name pattern. */
export class SecretStorageVault implements SecretVault {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly keyFor: (id: string) => string,
  ) {}

  get(id: string) {
    return Promise.resolve(this.secrets.get(this.keyFor(id)));
  }

  set(id: string, secret: string) {
    return Promise.resolve(this.secrets.store(this.keyFor(id), secret));
  }

  delete(id: string) {
    return Promise.resolve(this.secrets.delete(this.keyFor(id)));
  }
}

/** Where each store's secret_access_key is kept. */
export const storeSecretKey = (storeId: string) => `logqs.objectStore.${storeId}.secretAccessKey`;
/** Where each LogQS connection's API key secret is kept. */
export const connectionSecretKey = (connectionId: string) => `logqs.connection.${connectionId}.apiKeySecret`;
