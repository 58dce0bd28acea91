import * as path from 'node:path';
import { type DroppedFile, stageDroppedFiles } from '../../adapters/files/droppedFiles';
import { LogqsError, isAbort } from '../../core/errors';
import { formatBytes } from '../../core/format';
import type { JobCallbacks } from '../../core/objectService';
import { type DownloadRequest, downloadClaims } from '../../core/transfer';
import { askOnce } from '../../core/transfer/conflicts';
import type { StoreRef } from '../../core/sources';
import { storeNodeOf } from '../explorer/nodes';
import type { MessageAction } from '../ui';
import { type CommandDeps, isInputObject } from './deps';
import { runFileJob } from './partWay';
import { revealAfter } from './reveal';
import { type Target, USABLE, WRITABLE, byStore, outermost, resolveTarget, resolveTargets, selection, shownTargets, storesThatFit } from './targets';

/** Downloads and uploads, from the tree, the palette, the Explorer and drag and drop. */

type Deps = Pick<CommandDeps, 'sources' | 'ui' | 'report' | 'log' | 'objects' | 'editor' | 'runJob' | 'tree'>;

const plural = (count: number, one: string) => `${count} ${one}${count === 1 ? '' : 's'}`;

/** Show Log, when the log holds the reasons files were skipped. */
function logActions(deps: Pick<Deps, 'log'>, skipped: number): MessageAction[] {
  return skipped > 0 ? [{ label: 'Show Log', run: () => deps.log.show() }] : [];
}

/** A transfer's final message: what went and what was skipped (the reasons are in the log), or that nothing went. */
function summary(verb: string, report: { count: number; bytes: number; skipped: number }, skippedUnit: string, where: string): string {
  const skipped = plural(report.skipped, skippedUnit);
  if (report.count === 0 && report.skipped > 0) {
    return `${verb} nothing ${where}: ${skipped} skipped (see the LogQS log).`;
  }
  return `${verb} ${plural(report.count, 'file')} (${formatBytes(report.bytes)}) ${where}${report.skipped ? `; skipped ${skipped} (see the LogQS log)` : ''}.`;
}

/**
 * Downloads targets (objects and folders, of one or more stores) into a folder the person picks, or `into`, a folder
 * of the Explorer's, where what came is then shown. From the Object Stores view it is offered instead: revealed, it
 * would take the sidebar away from the view, at each download.
 */
export async function downloadTargets(deps: Pick<Deps, 'ui' | 'objects' | 'runJob' | 'editor' | 'log' | 'report'>, targets: readonly Target[], into?: string) {
  const folder = into ?? (await deps.ui.pickLocalFolder({ title: 'Download into which folder?' }));
  // One download to the person, however many stores it spans (a job each): what to do with existing files is asked once.
  const onConflict = askOnce((existing) => deps.ui.askConflict(existing));
  // Nor does a key of one store land on the file a key of another went to (written over, or asked about as if it had been there).
  const claims = downloadClaims();
  // An object (or folder) inside a selected folder comes with it: alone, it would be fetched again, to the top of the folder.
  const groups = byStore(targets).map(outermost);
  for (const group of groups) {
    const { ref } = group[0];
    try {
      await downloadGroup(deps, group, folder, { onConflict, claims }, into !== undefined);
    } catch (error) {
      // One store failing (down, say) is no reason not to download the others; a cancel stops them all.
      if (groups.length === 1 || isAbort(error)) {
        throw error;
      }
      deps.report(`Couldn't download from "${ref.store.name}"`, error);
    }
  }
}

/** One store's part of a download: a job, then its message. */
async function downloadGroup(
  deps: Pick<Deps, 'ui' | 'objects' | 'runJob' | 'editor' | 'log'>,
  group: readonly Target[],
  folder: string,
  shared: Pick<JobCallbacks, 'onConflict'> & Pick<DownloadRequest, 'claims'>,
  reveal: boolean,
) {
  const { ref } = group[0];
  const report = await runFileJob(deps, `Downloading from "${ref.store.name}"`, 'Download', `downloaded to ${folder}`, (signal, onProgress) =>
    deps.objects.download(
      ref.source,
      ref.store.id,
      {
        keys: group.filter((target) => target.kind === 'object').map((target) => target.key),
        prefixes: group.filter((target) => target.kind === 'folder').map((target) => target.key),
        listedAs: new Map(group.flatMap((target) => (target.kind === 'folder' && target.listedAs !== undefined ? [[target.key, target.listedAs] as const] : []))),
      },
      folder,
      { signal, onProgress, ...shared },
    ),
  );
  report.skipped.forEach((entry) => deps.log.warn(`Not downloaded: "${entry.key}": ${entry.reason}`));
  // One file is most often wanted next in an editor: the message offers it (outside the workspace, the Explorer can't show it).
  const [only] = report.files.length === 1 ? report.files : [];
  const open: MessageAction[] = only ? [{ label: 'Open', run: () => deps.editor.openLocalFile(only.path) }] : [];
  const [first] = report.files;
  const showable = first !== undefined && deps.editor.inWorkspace(first.path);
  const revealAction: MessageAction[] = showable && !reveal ? [{ label: 'Reveal in Explorer', run: () => deps.editor.revealLocalFile(first.path) }] : [];
  deps.ui.info(summary('Downloaded', { count: report.files.length, bytes: report.bytes, skipped: report.skipped.length }, 'object', `from "${ref.store.name}" to ${folder}`), [
    ...open,
    ...revealAction,
    ...logActions(deps, report.skipped.length),
  ]);
  if (showable && reveal) {
    await deps.editor.revealLocalFile(first.path);
  }
}

/** Uploads local paths under a folder of a store, then shows the result in the tree; `alsoSkipped`: said with the job's skips. */
export async function uploadPaths(deps: Deps, ref: StoreRef, prefix: string, paths: readonly string[], storeNodeId?: string, alsoSkipped: readonly { path: string; reason: string }[] = []) {
  let report;
  // Logged before the job, which may fail or be cancelled.
  logNotUploaded(deps, alsoSkipped);
  try {
    report = await runFileJob(deps, `Uploading to "${ref.store.name}"`, 'Upload', `uploaded to "${ref.store.name}"`, (signal, onProgress) =>
      deps.objects.upload(ref.source, ref.store.id, paths, prefix, { signal, onProgress, onConflict: (existing) => deps.ui.askConflict(existing) }),
    );
  } finally {
    // Files sent before a cancel or a failure are in the store too: the tree shows them either way.
    deps.tree.objectsChanged(ref.store.id);
  }
  const skipped = [...alsoSkipped, ...report.skipped];
  logNotUploaded(deps, report.skipped);
  // Empty folders are kept as New Folder's markers: said too, or a folder of empty folders would read "uploaded 0 files".
  const folders = report.folders ?? [];
  const made = folders.length > 0 ? ` Made ${plural(folders.length, 'empty folder')} there.` : '';
  const said =
    report.keys.length === 0 && skipped.length === 0 && folders.length > 0
      ? `Made ${plural(folders.length, 'empty folder')} in "${ref.store.name}".`
      : `${summary('Uploaded', { count: report.keys.length, bytes: report.bytes, skipped: skipped.length }, 'file', `to "${ref.store.name}"`)}${made}`;
  deps.ui.info(said, logActions(deps, skipped.length));
  const first = report.keys[0] ?? folders[0];
  if (storeNodeId && first !== undefined) {
    await revealAfter(deps, 'Upload', storeNodeId, revealedKey(prefix, first, paths.length));
  }
}

function logNotUploaded(deps: Pick<Deps, 'log'>, skipped: readonly { path: string; reason: string }[]): void {
  skipped.forEach((entry) => deps.log.warn(`Not uploaded: ${entry.path}: ${entry.reason}`));
}

/** What to select after an upload: the object when one file went, else the top folder it created. */
function revealedKey(prefix: string, firstKey: string, pathCount: number): string {
  const rest = firstKey.slice(prefix.length);
  const slash = rest.indexOf('/');
  return pathCount === 1 && slash >= 0 ? prefix + rest.slice(0, slash + 1) : firstKey;
}

export const download = (deps: Deps) => async (arg?: unknown, selected?: unknown) => {
  const targets = await resolveTargets(deps, arg, selected, { title: 'Download', want: 'either', writes: false });
  // A filtered folder brings what it shows: a folder of millions filtered to one day's bags is not downloaded whole.
  const shown = shownTargets(targets, (node) => deps.tree.filterOf(node));
  if (shown.length === 0) {
    deps.ui.info('Nothing to download: the filter of that folder shows no names.');
    return;
  }
  await downloadTargets(deps, shown);
};

/** Upload Files… / Upload Folder… on a store or folder (or a store picked and browsed). */
export const upload = (folders: boolean) => (deps: Deps) => async (arg?: unknown) => {
  const title = folders ? 'Upload Folder' : 'Upload Files';
  const target = await resolveTarget(deps, arg, { title, want: 'folder', writes: true });
  const paths = await deps.ui.pickLocalPaths({ title: `${title} to "${target.ref.store.name}"`, folders });
  const node = target.node && storeNodeOf(target.node);
  await uploadPaths(deps, target.ref, target.key, paths, node?.id);
};

/**
 * Files dropped on a store or folder in the tree (an internal command: the
 * drop controller calls it): local paths, and files that came without one
 * (see UploadOnDrop), copied to a temporary folder only once the store is
 * known to take them.
 */
export const uploadDropped = (deps: Deps) => async (target?: unknown, paths?: unknown, withoutPath?: unknown) => {
  // No target is no drop: the store and folder are not asked for as they are from the palette.
  const dropped = selection(target, undefined).length > 0 || isInputObject(target);
  if (!dropped || !Array.isArray(paths) || !paths.every((entry) => typeof entry === 'string')) {
    throw new LogqsError('invalid-input', 'Drop files on a store or a folder');
  }
  const unsaved = Array.isArray(withoutPath) ? withoutPath.filter(isDroppedFile) : [];
  const [destination] = await resolveTargets(deps, target, undefined, { title: 'Upload', want: 'folder', writes: true });
  if (!destination) {
    throw new LogqsError('invalid-input', 'Drop files on a store or a folder');
  }
  if (paths.length === 0 && unsaved.length === 0) {
    throw new LogqsError('invalid-input', 'Only files and folders from this computer can be dropped here; objects are not moved or copied between folders');
  }
  const node = destination.node && storeNodeOf(destination.node);
  const staged = unsaved.length > 0 ? await deps.runJob(`Copying ${plural(unsaved.length, 'dropped file')}`, (signal, onProgress) => stageDroppedFiles(unsaved, signal, onProgress)) : undefined;
  try {
    const [unread, ...others] = staged?.skipped ?? [];
    if (paths.length === 0 && staged?.paths.length === 0 && unread) {
      // Nothing could be read: said as the reason, not as "uploaded nothing"; every one of them in the log.
      logNotUploaded(deps, staged.skipped);
      const more = others.length > 0 ? ` (and ${plural(others.length, 'other item')}, see the LogQS log)` : '';
      throw new LogqsError('invalid-input', `Nothing to upload: "${unread.path}"${more}: ${unread.reason}`);
    }
    await uploadPaths(deps, destination.ref, destination.key, [...paths, ...(staged?.paths ?? [])], node?.id, staged?.skipped);
  } finally {
    await staged?.remove();
  }
};

function isDroppedFile(value: unknown): value is DroppedFile {
  return typeof value === 'object' && value !== null && typeof (value as DroppedFile).name === 'string' && typeof (value as DroppedFile).data === 'function';
}

/** The Explorer's "Upload to LogQS Object Store…": files and folders (multi-select) to a store and folder picked. */
export const uploadFromExplorer = (deps: Deps) => async (clicked?: unknown, selected?: unknown) => {
  const paths = localPaths(clicked, selected);
  const candidates = await storesThatFit(deps, WRITABLE);
  const ref = await deps.ui.pickStore(candidates, `Upload ${plural(paths.length, 'item')} to which object store?`);
  const destination = await deps.ui.browseStore(ref, { title: 'Upload to', want: 'folder' });
  await uploadPaths(deps, ref, destination.key, paths);
};

/** The Explorer's "Download from LogQS Object Store…" on a folder: an object or folder browsed to, into the clicked folder. */
export const downloadFromExplorer = (deps: Deps) => async (clicked?: unknown) => {
  const [folder] = localPaths(clicked, undefined);
  const candidates = await storesThatFit(deps, USABLE);
  const ref = await deps.ui.pickStore(candidates, 'Download from which object store?');
  const item = await deps.ui.browseStore(ref, { title: `Download into ${path.basename(folder)}`, want: 'either' });
  await downloadTargets(deps, [{ ref, ...item }], folder);
};

/** File-system paths of the Explorer's clicked and selected resources (file: URIs only). */
function localPaths(clicked: unknown, selected: unknown): string[] {
  const uris = Array.isArray(selected) && selected.length > 0 ? (selected as unknown[]) : [clicked];
  const paths = uris.flatMap((uri) => {
    const candidate = uri as { scheme?: unknown; fsPath?: unknown } | undefined;
    return candidate?.scheme === 'file' && typeof candidate.fsPath === 'string' ? [candidate.fsPath] : [];
  });
  if (paths.length === 0) {
    throw new LogqsError('invalid-input', 'Choose files or folders on this computer in the Explorer first');
  }
  return paths;
}
