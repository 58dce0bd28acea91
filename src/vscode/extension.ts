import * as vscode from 'vscode';
import { JsonFileRecordRepository } from '../adapters/files/jsonFileRecords';
import { readManagedStoresFile } from '../adapters/files/managedStoresFile';
import { S3ClientCache } from '../adapters/s3/s3Client';
import { s3Gateways } from '../adapters/s3/s3Gateway';
import { EmbeddedStoreSource } from '../core/embeddedStoreSource';
import { LogqsError } from '../core/errors';
import { StoreSources } from '../core/sources';
import { commandSpecs } from './commands';
import { registerCommands } from './commands/register';
import { ObjectStoreTreeProvider, VIEW_ID } from './explorer/provider';
import { Log, reportError } from './log';
import { vscodeUi } from './prompts';
import { SecretStorageVault } from './secretVault';
import { listingPageSize, managedStoresFile, requestTimeoutMs } from './settings';

/** Wires the adapters to the core and the core to the editor. */
export function activate(context: vscode.ExtensionContext): void {
  const log = new Log();
  const report = (action: string, error: unknown) => reportError(log, action, error);
  const recordsFile = vscode.Uri.joinPath(context.globalStorageUri, 'object-stores.json').fsPath;
  const s3Clients = new S3ClientCache(() => ({ timeoutMs: requestTimeoutMs() }));
  const embedded = new EmbeddedStoreSource({
    records: new JsonFileRecordRepository(recordsFile),
    secrets: new SecretStorageVault(context.secrets),
    gateways: s3Gateways(s3Clients),
    // Issue 8 brings STS; until then session credentials are refused with a message.
    sessions: () => Promise.reject(new LogqsError('remote', 'Session credentials are not available in this version')),
  });
  const sources = new StoreSources([embedded]);
  const tree = new ObjectStoreTreeProvider({ sources, pageSize: listingPageSize, report, info: (message) => log.info(message) });
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });

  context.subscriptions.push(
    log,
    tree,
    view,
    sources,
    s3Clients,
    sources.onDidChangeStores((_source, change) => {
      s3Clients.forget(change.storeIds);
      tree.storesChanged();
    }),
    sources.onDidChangeSources(() => tree.storesChanged()),
    ...registerCommands(commandSpecs({ sources, tree, ui: vscodeUi, log, report }), report),
  );
  log.info(`LogQS Object Stores activated; records in ${recordsFile}`);

  void syncManagedStores(embedded, log);
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('logqs.managedObjectStoresFile')) {
        void syncManagedStores(embedded, log);
      }
    }),
  );
}

/** Brings the managed stores in line with the provisioning file; with no file, there are none. */
async function syncManagedStores(embedded: EmbeddedStoreSource, log: Log): Promise<void> {
  const file = managedStoresFile();
  try {
    const entries = file ? await readManagedStoresFile(file) : [];
    const result = await embedded.syncManaged(entries);
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
