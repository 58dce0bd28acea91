import * as vscode from 'vscode';
import { JsonFileRecordRepository } from '../adapters/jsonFileRecords';
import { readManagedStoresFile } from '../adapters/managedStoresFile';
import { s3ObjectClientFactory } from '../adapters/s3Client';
import { ObjectBrowser } from '../core/objectBrowser';
import { ObjectStoreRegistry } from '../core/registryService';
import { registerCommands } from './commands';
import { Log, reportError } from './log';
import { SecretStorageVault } from './secretVault';
import { managedStoresFile, requestTimeoutMs } from './settings';
import { ObjectStoreTreeProvider, VIEW_ID } from './tree';

export function activate(context: vscode.ExtensionContext): void {
  const log = new Log();
  const recordsFile = vscode.Uri.joinPath(context.globalStorageUri, 'object-stores.json').fsPath;
  const registry = new ObjectStoreRegistry(new JsonFileRecordRepository(recordsFile), new SecretStorageVault(context.secrets));
  const browser = new ObjectBrowser(registry, s3ObjectClientFactory(() => ({ timeoutMs: requestTimeoutMs() })));
  const tree = new ObjectStoreTreeProvider(registry, browser, log);
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });

  context.subscriptions.push(log, tree, view, registry.onDidChange(() => tree.storesChanged()));
  registerCommands(context, { registry, browser, tree, log });
  log.info(`LogQS Object Stores activated; records in ${recordsFile}`);

  void syncManagedStores(registry, log);
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('logqs.managedObjectStoresFile')) {
        void syncManagedStores(registry, log);
      }
    }),
  );
}

/** Brings the managed stores in line with the provisioning file; with no file, there are none. */
async function syncManagedStores(registry: ObjectStoreRegistry, log: Log): Promise<void> {
  const file = managedStoresFile();
  try {
    const entries = file ? await readManagedStoresFile(file) : [];
    const result = await registry.syncManaged(entries);
    const names = (stores: { name: string }[]) => stores.map((store) => store.name).join(', ') || 'none';
    log.info(`Managed object stores from ${file ?? '(no file)'}: added ${names(result.added)}; updated ${names(result.updated)}; removed ${names(result.removed)}`);
    for (const { name, reason } of result.skipped) {
      log.warn(`Managed object store "${name}" skipped: ${reason}`);
      void vscode.window.showWarningMessage(`Managed object store "${name}" was not added: ${reason}.`);
    }
  } catch (error) {
    reportError(log, 'Couldn\'t load the managed object stores', error);
  }
}

export function deactivate(): void {}
