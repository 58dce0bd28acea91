import type * as vscode from 'vscode';
import type { SecretVault } from '../core/ports';

/** secret_access_key values in VS Code SecretStorage (the OS keychain on desktop). */
export class SecretStorageVault implements SecretVault {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  private key(storeId: string): string {
    return `logqs.objectStore.${storeId}.secretAccessKey`;
  }

  get(storeId: string) {
    return Promise.resolve(this.secrets.get(this.key(storeId)));
  }

  set(storeId: string, secret: string) {
    return Promise.resolve(this.secrets.store(this.key(storeId), secret));
  }

  delete(storeId: string) {
    return Promise.resolve(this.secrets.delete(this.key(storeId)));
  }
}
