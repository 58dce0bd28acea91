import * as vscode from 'vscode';
import { JsonFileRecordRepository } from '../adapters/jsonFileRecords';
import { S3ObjectClient, createS3Client } from '../adapters/s3Client';
import { ObjectBrowser } from '../core/objectBrowser';
import { ObjectStoreRegistry } from '../core/registryService';
import { registerCommands } from './commands';
import { Log } from './log';
import { SecretStorageVault } from './secretVault';
import { requestTimeoutMs } from './settings';
import { ObjectStoreTreeProvider, VIEW_ID } from './tree';

export function activate(context: vscode.ExtensionContext): void {
  const log = new Log();
  const recordsFile = vscode.Uri.joinPath(context.globalStorageUri, 'object-stores.json').fsPath;
  const registry = new ObjectStoreRegistry(new JsonFileRecordRepository(recordsFile), new SecretStorageVault(context.secrets));
  // The timeout is read per client so a settings change applies to the next request.
  const browser = new ObjectBrowser(
    registry,
    (store, credentials) => new S3ObjectClient(store, createS3Client(store, credentials, { timeoutMs: requestTimeoutMs() })),
  );
  const tree = new ObjectStoreTreeProvider(registry, browser, log);
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });

  context.subscriptions.push(log, tree, view, registry.onDidChange(() => tree.refresh()));
  registerCommands(context, { registry, browser, tree, log });
  log.info(`LogQS Object Stores activated; records in ${recordsFile}`);
}

export function deactivate(): void {}
