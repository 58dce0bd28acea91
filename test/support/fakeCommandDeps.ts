import type { ObjectStoreSource } from '../../src/core/ports';
import { StoreSources } from '../../src/core/sources';
import type { DownloadReport, TransferProgress, UploadReport } from '../../src/core/transfer';
import type { CommandDeps } from '../../src/vscode/commands/deps';
import type { ObjectAddress } from '../../src/vscode/fileSystem/objectAddress';
import { FakeUi } from './fakeUi';

/**
 * Command dependencies for unit tests: a scripted Ui, the given sources, and
 * an object service that records each call and answers what the test sets.
 * What reaches the server is tested in the integration suite.
 */
export function fakeCommandDeps(sources: ObjectStoreSource[]) {
  const calls: string[] = [];
  const opened: { address: ObjectAddress; large: boolean; preview: boolean }[] = [];
  const terminals: { name: string; environment: Record<string, string | null>; message: string }[] = [];
  const progress: TransferProgress[] = [];
  const state = {
    size: 10,
    downloadReport: { files: [{ key: 'logs/a.bag', path: '/tmp/x/a.bag', size: 3 }], skipped: [], bytes: 3 } as DownloadReport,
    uploadReport: { keys: ['logs/up/a.txt'], skipped: [], bytes: 5 } as UploadReport,
    counts: new Map<string, number>(),
    /** Objects a folder holds when deleted, when not as many as counted (written into it, or deleted, in between). */
    countsWhenDeleted: new Map<string, number>(),
    filters: new Map<string, string>(),
    hints: [] as { label: string; settings: Record<string, string> }[],
    /** The workspace's folders, where the Explorer shows files. */
    workspaceFolders: ['/tmp/x', '/w'],
    session: { accessKeyId: 'ASIATEMP', secretAccessKey: 'tempSecret/xyz', sessionToken: 'FQoGtoken', expiration: new Date('2026-11-25T13:00:00Z') },
  };
  const ui = new FakeUi();
  const info: string[] = [];
  const deps: CommandDeps = {
    sources: new StoreSources(sources),
    tree: {
      refresh: () => calls.push('tree.refresh'),
      loadMore: async () => undefined,
      objectsChanged: (storeId) => calls.push(`tree.objectsChanged ${storeId}`),
      setFilter: (node, text) => {
        calls.push(`tree.setFilter ${node.id} "${text}"`);
        state.filters.set(node.id, text);
      },
      filterOf: (node) => state.filters.get(node.id),
    },
    ui,
    log: { info: (message) => info.push(message), warn: (message) => info.push(message), error: (message) => info.push(message), show: () => calls.push('log.show') },
    report: (action) => calls.push(`report ${action}`),
    objects: {
      fetchObject: async (_source, _storeId, key) => {
        calls.push(`fetchObject ${key}`);
        const store = await _source.get(_storeId);
        return { store, details: { key, size: state.size, etag: '"e"', metadata: { robot: 'r2' } }, presignedUrl: `http://s3/${key}?X-Amz-Signature=abc` };
      },
      presignedUrl: async (_source, _storeId, key, seconds) => {
        calls.push(`presignedUrl ${key} ${seconds}`);
        const store = await _source.get(_storeId);
        return { store, details: { key, size: 1, metadata: {} }, presignedUrl: `http://s3/${key}?X-Amz-Expires=${seconds}`, expiresAt: new Date('2026-11-25T13:00:00Z') };
      },
      download: async (_source, _storeId, items, dir, callbacks) => {
        const filtered = [...(items.listedAs ?? [])].map(([prefix, listed]) => ` ${prefix} as ${listed}*`).join('');
        calls.push(`download keys=${items.keys.join(',')} prefixes=${items.prefixes.join(',')}${filtered} into ${dir}`);
        callbacks.onProgress({ filesDone: 1, bytesDone: 3, bytesTotal: 3 });
        await callbacks.onConflict('/tmp/x/a.bag');
        return state.downloadReport;
      },
      upload: async (_source, _storeId, paths, prefix, callbacks) => {
        calls.push(`upload ${paths.join(',')} to ${prefix}`);
        await callbacks.onConflict('logs/up/a.txt');
        return state.uploadReport;
      },
      createFolder: async (_source, _storeId, parent, name) => {
        calls.push(`createFolder ${parent}${name}/`);
        return `${parent}${name}/`;
      },
      // A filtered folder is said, and counted, as the prefix it lists: "countUnder logs/ as logs/2024".
      countUnder: async (_source, _storeId, folder) => {
        calls.push(`countUnder ${folderSaid(folder)}`);
        return state.counts.get(folder.listedAs ?? folder.prefix) ?? 0;
      },
      deleteObjects: async (_source, _storeId, keys, _signal, onDeleted) => {
        calls.push(`deleteObjects ${keys.join(',')}`);
        onDeleted?.(keys.length);
        return { deleted: keys.length, failed: [] };
      },
      deleteFolder: async (_source, _storeId, folder, _signal, onDeleted) => {
        calls.push(`deleteFolder ${folderSaid(folder)}`);
        const listed = folder.listedAs ?? folder.prefix;
        const count = state.countsWhenDeleted.get(listed) ?? state.counts.get(listed) ?? 0;
        onDeleted?.(count);
        return { deleted: count, failed: [] };
      },
    },
    runJob: async (title, job) => {
      calls.push(`job ${title}`);
      return job(new AbortController().signal, (update) => progress.push(update));
    },
    editor: {
      openObject: async (address, options) => {
        opened.push({ address, large: options.large, preview: options.preview });
      },
      revealLocalFile: async (path) => {
        calls.push(`revealLocalFile ${path}`);
      },
      inWorkspace: (path) => state.workspaceFolders.some((folder) => path.startsWith(`${folder}/`)),
      openLocalFile: async (path) => {
        calls.push(`openLocalFile ${path}`);
      },
      revealKey: async (storeNodeId, key, options) => {
        calls.push(`revealKey ${key}${options?.loadPages ? ' (loading pages)' : ''}`);
      },
      expand: async (node) => {
        calls.push(`expand ${node.id}`);
      },
      openTerminal: (name, environment, message) => {
        terminals.push({ name, environment, message });
      },
    },
    connections: {
      connect: async (settings) => {
        calls.push(`connect ${JSON.stringify({ ...settings, apiKeySecret: settings.apiKeySecret ? '<given>' : undefined })}`);
        return { id: 'logqs:new', label: settings.name ?? 'LogQS' } as ObjectStoreSource;
      },
      disconnect: async (sourceId) => {
        calls.push(`disconnect ${sourceId}`);
      },
      hints: async () => state.hints,
    },
    sessionCredentials: async ({ store }) => {
      calls.push(`sessionCredentials ${store.name}`);
      return state.session;
    },
    settings: { openSizeLimitBytes: () => 100, presignExpirySeconds: () => 3600 },
  };
  return { deps, ui, calls, opened, progress, state, info, terminals };
}

function folderSaid(folder: { prefix: string; listedAs?: string }): string {
  return folder.listedAs === undefined ? folder.prefix : `${folder.prefix} as ${folder.listedAs}`;
}
