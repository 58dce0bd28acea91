import '../../support/vscodeStubInstalled';
import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { reportFor } from '../../../src/core/errors';
import { SecretStorageVault, connectionSecretKey, onStoreSecretChanged, storeSecretKey } from '../../../src/vscode/secretVault';
import { code } from '../../support/assertions';

/** The keychain's refusals, as users read them. */
describe('secret storage vault', () => {
  /** A SecretStorage whose every call fails as a keychain may, quoting what it was given. */
  const refusing = {
    get: async (key: string) => Promise.reject(new Error(`locked collection, reading ${key}`)),
    store: async (key: string, value: string) => Promise.reject(new Error(`locked collection, storing ${value} under ${key}`)),
    delete: async (key: string) => Promise.reject(new Error(`locked collection, deleting ${key}`)),
  } as unknown as vscode.SecretStorage;
  const vault = new SecretStorageVault(refusing, (id) => `logqs.objectStore.${id}.secretAccessKey`);

  it('words a refusal as a storage error with the keychain\'s words, never a bug', async () => {
    await assert.rejects(vault.get('id-1'), (error: unknown) => code('storage')(error) && /secret storage .* could not read a secret: locked collection/.test((error as Error).message));
    await assert.rejects(vault.delete('id-1'), (error: unknown) => code('storage')(error) && /could not delete a secret/.test((error as Error).message));
  });

  it('never shows or logs the secret a refused store was given', async () => {
    const error = await vault.set('id-1', 'wJalrXUtnFEMI-K7MDENG').catch((caught: unknown) => caught);
    assert.ok(code('storage')(error));
    const { notification, logLine } = reportFor('Add Object Store', error);
    for (const text of [(error as Error).message, notification ?? '', logLine]) {
      assert.ok(!text.includes('wJalrXUtnFEMI'), text);
    }
    assert.match((error as Error).message, /storing \[secret\] under/);
  });
});

describe('store secrets changed', () => {
  it('names the store whose secret changed, and nothing for the other secrets', () => {
    const listeners: ((event: vscode.SecretStorageChangeEvent) => void)[] = [];
    const secrets = { onDidChange: (listener: (event: vscode.SecretStorageChangeEvent) => void) => (listeners.push(listener), { dispose: () => listeners.pop() }) };
    const changed: string[] = [];
    const subscription = onStoreSecretChanged(secrets, (id) => changed.push(id));
    for (const key of [storeSecretKey('3f2c.a'), connectionSecretKey('c-1'), 'logqs.objectStore..secretAccessKey', 'other.extension.key', storeSecretKey('b')]) {
      listeners.forEach((listener) => listener({ key }));
    }
    assert.deepEqual(changed, ['3f2c.a', 'b']);
    subscription.dispose();
    assert.equal(listeners.length, 0);
  });
});
