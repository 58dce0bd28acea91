import * as vscode from 'vscode';
import { JsonFileConnections } from '../adapters/files/connectionsFile';
import { JsonFileRecordRepository } from '../adapters/files/jsonFileRecords';
import { watchFile, watchFileNamed } from '../adapters/files/fileWatch';
import { LogqsConnections } from '../adapters/logqs/logqsConnections';
import { readManagedStoresFile } from '../adapters/files/managedStoresFile';
import { createWholeFileThreads } from '../adapters/files/wholeFileThreads';
import { createRangeReader } from '../adapters/http/rangeReader';
import { S3ClientCache } from '../adapters/s3/s3Client';
import { s3Gateways } from '../adapters/s3/s3Gateway';
import { codeCacheFolder } from '../adapters/vendor/codeCache';
import { keepCodeCacheIn } from '../adapters/vendor/loaders';
import { s3Writers } from '../adapters/s3/s3Writer';
import { stsSessions } from '../adapters/sts/stsSessions';
import { EmbeddedStoreSource } from '../core/embeddedStoreSource';
import { ObjectService } from '../core/objectService';
import { SessionCredentialCache, storeSessionCredentials } from '../core/sessionCache';
import { type StoreRef, StoreSources } from '../core/sources';
import { commandSpecs } from './commands';
import { registerCommands } from './commands/register';
import { connectionHints } from './connectionHints';
import { CONNECTED_CONTEXT_KEY } from './explorer/contextValue';
import { isDataStoreSource } from '../adapters/logqs/logqsStoreSource';
import { UploadOnDrop } from './explorer/dragAndDrop';
import { ObjectStoreTreeProvider, VIEW_ID } from './explorer/provider';
import { ObjectFileSystem } from './fileSystem/objectFileSystem';
import { hasUnsavedChanges, hasUnsavedDocument } from './fileSystem/unsavedChanges';
import { Log, reportError } from './log';
import { vscodeUi } from './vscodeUi';
import { SecretStorageVault, connectionSecretKey, onStoreSecretChanged, storeSecretKey } from './secretVault';
import { runJob, stopJobs } from './progress';
import { listingPageSize, managedStoresFile, openSizeLimitBytes, presignExpirySeconds, requestTimeoutMs, sessionDurationSeconds, transferSettings } from './settings';
import { editorActions } from './editorActions';

/** Wires the adapters to the core and the core to the editor. */
export function activate(context: vscode.ExtensionContext): void {
  const log = new Log();
  const report = (action: string, error: unknown) => reportError(log, action, error);
  const recordsFile = vscode.Uri.joinPath(context.globalStorageUri, 'object-stores.json').fsPath;
  keepCodeCacheIn(codeCacheFolder(context.globalStorageUri.fsPath));
  const s3Clients = new S3ClientCache(() => ({ timeoutMs: requestTimeoutMs() }));
  const http = createRangeReader({ timeoutMs: requestTimeoutMs });
  const embedded = new EmbeddedStoreSource({
    records: new JsonFileRecordRepository(recordsFile),
    secrets: new SecretStorageVault(context.secrets, storeSecretKey),
    gateways: s3Gateways(s3Clients, http),
    sessions: stsSessions({ timeoutMs: requestTimeoutMs }),
    log: (line) => log.warn(line),
  });
  const sources = new StoreSources([embedded]);
  const sessionCache = new SessionCredentialCache();
  const connectionsFile = vscode.Uri.joinPath(context.globalStorageUri, 'logqs-connections.json').fsPath;
  const connections = new LogqsConnections({
    file: new JsonFileConnections(connectionsFile),
    secrets: new SecretStorageVault(context.secrets, connectionSecretKey),
    sources,
    sessions: sessionCache,
    client: { timeoutMs: requestTimeoutMs },
  });
  const info = (message: string) => log.info(message);
  const files = createWholeFileThreads();
  const objects = new ObjectService({ writers: s3Writers(s3Clients), http, files, settings: transferSettings, log: info });
  const tree = new ObjectStoreTreeProvider({ sources, pageSize: listingPageSize, report, info });
  // Set once the connections are restored, below: a tab of a DataStore's object restored with the window waits for it.
  let connectionsRestored: Promise<unknown> = Promise.resolve();
  const fileSystem = ObjectFileSystem.register({
    sources,
    sourcesRestored: () => connectionsRestored,
    runJob,
    objects,
    openSizeLimitBytes,
    log: info,
    confirmOverwrite: (key, reason, deleted) =>
      deleted
        ? vscodeUi.confirm(`${reason}.`, `Saving makes "${key}" again on the server.`, 'Save Again')
        : vscodeUi.confirm(`${reason}.`, `Saving replaces the newer version of "${key}" on the server.`, 'Overwrite'),
    objectsChanged: (storeId, key, saved) => tree.objectsChanged(storeId, key, saved),
    // The window's own: a tab restored after a reload is checked against the version this window opened it as.
    memory: context.workspaceState,
    hasUnsavedDocument: (uri) => hasUnsavedDocument(uri, vscode.workspace),
    hasUnsavedChanges: (uri) =>
      hasUnsavedChanges(uri, { textDocuments: vscode.workspace.textDocuments, notebookDocuments: vscode.workspace.notebookDocuments, tabs: vscode.window.tabGroups.all.flatMap((group) => group.tabs) }),
  });
  const view = vscode.window.createTreeView(VIEW_ID, {
    treeDataProvider: tree,
    showCollapseAll: true,
    canSelectMany: true,
    dragAndDropController: new UploadOnDrop((target, paths, withoutPath) =>
      // A drop runs the same upload as Upload Files…, through the commands' one error path.
      Promise.resolve(vscode.commands.executeCommand<void>('logqs.uploadPaths', target, paths, withoutPath)),
      () => vscodeUi.info('Drop files onto an object store or one of its folders to upload them there.'),
    ),
  });
  const deps = {
    sources,
    tree,
    ui: vscodeUi,
    log,
    report,
    objects,
    runJob,
    editor: editorActions(view, tree, fileSystem),
    settings: { openSizeLimitBytes, presignExpirySeconds },
    sessionCredentials: (ref: StoreRef, signal: AbortSignal) => storeSessionCredentials(sessionCache, ref, { durationSeconds: sessionDurationSeconds(), signal }),
    connections: {
      connect: (settings: Parameters<LogqsConnections['connect']>[0], signal?: AbortSignal) => connections.connect(settings, signal),
      disconnect: (sourceId: string) => connections.disconnect(sourceId),
      hints: connectionHints,
    },
  };

  // Disconnect is in the palette only while there is a DataStore to disconnect from.
  const showConnected = () => void vscode.commands.executeCommand('setContext', CONNECTED_CONTEXT_KEY, sources.all().some(isDataStoreSource));
  context.subscriptions.push(
    log,
    tree,
    view,
    sources,
    s3Clients,
    http,
    files,
    sources.onDidChangeStores((source, change) => {
      s3Clients.forget(change.storeIds);
      sessionCache.forget(change.storeIds.map((id) => `${source.id}/${id}`));
      tree.storesChanged();
      void fileSystem.storesChanged(source.id, change.storeIds);
    }),
    sources.onDidChangeSources(() => {
      tree.storesChanged();
      showConnected();
    }),
    fileSystem,
    // A store's secret changed, by this window or another (a managed store's new one): its clients go, as for a record's change.
    onStoreSecretChanged(context.secrets, (storeId) => embedded.secretChanged(storeId)),
    // Another window's change of the records (a store added there) shows here without a Refresh; so does a DataStore it connected.
    watchFile(recordsFile, () => void embedded.recordsChanged()),
    watchFile(connectionsFile, () => void connections.fileChanged().catch((error: unknown) => report('Couldn\'t read the LogQS connections', error))),
    ...registerCommands(commandSpecs(deps), report),
  );
  log.info(`LogQS Object Stores activated; records in ${recordsFile}`);

  void syncManagedStores(embedded, log);
  connectionsRestored = connections.restore().catch((error: unknown) => report('Couldn\'t restore the LogQS connections', error));
  // The provisioning file is read again when it changes (an administrator's update), as when the setting names another.
  const managedFile = watchFileNamed(managedStoresFile, () => void syncManagedStores(embedded, log));
  context.subscriptions.push(
    managedFile,
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('logqs.managedObjectStoresFile')) {
        managedFile.follow();
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

/** VS Code waits a few seconds for this when the window closes or reloads: the transfers under way undo what they began. */
export function deactivate(): Promise<void> {
  return stopJobs(3000);
}
