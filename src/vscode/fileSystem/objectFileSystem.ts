import * as vscode from 'vscode';
import { LogqsError, type LogqsErrorCode, reportFor, userMessage } from '../../core/errors';
import { assertInScope, isInScope } from '../../core/keyPrefix';
import { browsePage } from '../../core/objectBrowser';
import { ObjectChangedError, type ObjectService } from '../../core/objectService';
import { TooLargeToOpenError, sameEtag } from '../../core/transfer';
import type { StoreRef, StoreSources } from '../../core/sources';
import { isWritable } from '../../core/storeRules';
import { type ObjectAddress, OBJECT_SCHEME, fromUriParts, toUriParts } from './objectAddress';
import type { RunJob } from '../ui';
import { type OpenedObject, OpenedObjects, type OpenedObjectsMemory, type StatSeen } from './openedObjects';

export interface ObjectFileSystemDeps {
  sources: StoreSources;
  objects: Pick<ObjectService, 'fetchObject' | 'readObject' | 'saveObject' | 'createFolder'>;
  /** Objects above this are read only when the person agreed (see allowLarge). */
  openSizeLimitBytes: () => number;
  /** Asks whether to overwrite an object that changed on the server since it was opened. */
  confirmOverwrite: (key: string, reason: string, deleted: boolean) => Promise<boolean>;
  log: (message: string) => void;
  /** A store's objects were written (a save, a new folder): the Object Stores view lists again the folders on `key`'s path. */
  /** `saved`: an object's new size, when one was saved, and whether it was made by the save (see ObjectTreeModel.objectsChanged). */
  objectsChanged: (storeId: string, key: string, saved?: { size: number; created?: boolean }) => void;
  /**
   * Settles once the sources of the last session are back (the LogQS
   * DataStores, connected again at start-up): a tab restored with the
   * window, read as the extension activates, waits for its source.
   */
  sourcesRestored?: () => Promise<unknown>;
  /** Runs the read of an object opened above the size limit under a notification with Cancel (see runJob). */
  runJob?: RunJob;
  /** Where the versions tabs were opened as outlive a window reload (see OpenedObjects). */
  memory?: OpenedObjectsMemory;
  /** Whether an editor of this object has unsaved changes: a text tab's, a notebook's, a custom editor's (the hex editor's). */
  hasUnsavedChanges?: (uri: vscode.Uri) => boolean;
  /** Whether a text or notebook document of this object has unsaved changes: one whose save VS Code checks itself (see editorAskedAlready). */
  hasUnsavedDocument?: (uri: vscode.Uri) => boolean;
}

/** The most entries a folder lists for the editor (Save As, the breadcrumbs): 10 pages. */
export const MAX_DIRECTORY_ENTRIES = 10_000;

export function objectUri(address: ObjectAddress): vscode.Uri {
  return vscode.Uri.from(toUriParts(address));
}

/**
 * Objects as files in editor tabs (`logqs:` URIs): reading an object fetches
 * it through its presigned URL, saving writes it back, refusing to overwrite
 * unasked an object that changed on the server since it was opened (ETag).
 * Files of a read-only store are read-only in the editor.
 */
export class ObjectFileSystem implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;
  /** Each open object, by URI, as it was last read or saved: its ETag, and whether its store was read-only (see storesChanged). */
  private readonly opened: OpenedObjects;
  /** URIs the person agreed to open above the size limit, and up to what size (unbounded until first read). */
  private readonly allowedLarge = new Map<string, number>();
  /** Per object, its save under way: two editors of one object saved at once (Save All) save one after the other. */
  private readonly saving = new Map<string, Promise<void>>();

  constructor(private readonly deps: ObjectFileSystemDeps) {
    this.opened = new OpenedObjects(deps.memory);
  }

  static register(deps: ObjectFileSystemDeps): ObjectFileSystem & vscode.Disposable {
    const fileSystem = new ObjectFileSystem(deps);
    const registration = vscode.workspace.registerFileSystemProvider(OBJECT_SCHEME, fileSystem, { isCaseSensitive: true });
    const dispose = fileSystem.dispose.bind(fileSystem);
    fileSystem.dispose = () => {
      registration.dispose();
      dispose();
    };
    return fileSystem;
  }

  dispose(): void {
    this.changed.dispose();
  }

  /**
   * Stores whose records changed: the objects open in tabs whose store was
   * made read-only (or writable again) since are said to have changed, so
   * VS Code reads them again, with their permissions, rather than keep a tab
   * editable until its save is refused. A note or the default flag changed
   * reads nothing again; nor is a tab with unsaved changes touched.
   */
  async storesChanged(sourceId: string, storeIds: readonly string[]): Promise<void> {
    const source = this.deps.sources.byId(sourceId);
    const affected: vscode.Uri[] = [];
    for (const [text, opened] of [...this.opened]) {
      const uri = vscode.Uri.parse(text);
      const address = fromUriParts(uri);
      if (address.sourceId !== sourceId || !storeIds.includes(address.storeId)) {
        continue;
      }
      const store = await source?.get(address.storeId).catch(() => undefined);
      const readOnly = store !== undefined && !isWritable(store);
      if (store && readOnly !== opened.readOnly) {
        // VS Code takes the new permissions from a stat, without reading the object again: noted here, so that a
        // later change (writable again) is one too.
        this.opened.set(text, { ...opened, readOnly });
        affected.push(uri);
      }
    }
    if (affected.length > 0) {
      this.changed.fire(affected.map((uri) => ({ type: vscode.FileChangeType.Changed, uri })));
    }
  }

  /**
   * Whether VS Code has just asked about this very version itself, and was
   * told to overwrite: before a text editor's save it stats the object, and
   * refuses the save ("the content of the file is newer") when the modified
   * time went past the one it was told and the size changed (see
   * statSeen). Asked again here, the person would answer one question
   * twice. A version written while VS Code asked, a change it can't see
   * (the same size), and every save not made from a text editor with
   * unsaved changes (the hex editor's, an extension's) are asked about here.
   */
  private editorAskedAlready(uri: vscode.Uri, opened: OpenedObject | undefined, changed: ObjectChangedError): boolean {
    const now = changed.current?.etag;
    return this.deps.hasUnsavedDocument?.(uri) === true && opened?.refusedEtag !== undefined && now !== undefined && sameEtag(now, opened.refusedEtag);
  }

  /**
   * A stat's answer, as VS Code is told it: the first after this window
   * saved the object is what VS Code now knows of it (OpenedObject.seen);
   * while a text tab of it has unsaved changes, the first version VS Code's
   * check would refuse a save over is noted (OpenedObject.refusedEtag).
   */
  private statSeen(uri: vscode.Uri, stat: StatSeen, etag: string | undefined): void {
    const opened = this.opened.get(uri.toString());
    if (opened?.seen === 'next-stat') {
      this.opened.set(uri.toString(), { ...opened, seen: stat });
      return;
    }
    const seen = opened?.seen;
    const refused = typeof seen === 'object' && stat.mtime > seen.mtime && stat.size !== seen.size;
    if (opened && refused && etag !== undefined && opened.refusedEtag === undefined && this.deps.hasUnsavedDocument?.(uri) === true) {
      this.opened.set(uri.toString(), { ...opened, refusedEtag: etag });
    }
  }

  allowLarge(uri: vscode.Uri): void {
    this.allowedLarge.set(uri.toString(), Number.MAX_SAFE_INTEGER);
  }

  watch(): vscode.Disposable {
    // Objects don't notify; an open tab is compared with the server when it is saved.
    return new vscode.Disposable(() => undefined);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    // Not logged: the editor asks of files that aren't there as a matter of course (Save As, a restored tab).
    return this.mapped(uri, undefined, async ({ address, ref }) => {
      const permissions = !isWritable(ref.store) ? vscode.FilePermission.Readonly : undefined;
      const directory = { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0, permissions };
      if (address.key === '' || address.key.endsWith('/')) {
        return directory;
      }
      // A URI names the full key: fetched, one outside the prefix would be prefix + key ("logs" of the prefix "logs/"
      // taken for the object "logs/logs", a folder of the breadcrumbs and Save As said to be a file).
      if (!isInScope(ref.store.key_prefix, address.key)) {
        if (await isFolder(ref, `${address.key}/`)) {
          return directory;
        }
        throw new LogqsError('not-found', `"${address.key}" is outside this object store's key prefix "${ref.store.key_prefix}"`);
      }
      const seen = this.opened.get(uri.toString())?.seen;
      if (ref.store.disabled && typeof seen === 'object') {
        // A disabled store is asked nothing: its open tab stays as it was, read-only (see storesChanged).
        return { type: vscode.FileType.File, ctime: seen.mtime, mtime: seen.mtime, size: seen.size, permissions };
      }
      try {
        const { details } = await this.deps.objects.fetchObject(ref.source, ref.store.id, address.key);
        const mtime = details.lastModified?.getTime() ?? 0;
        this.statSeen(uri, { mtime, size: details.size }, details.etag);
        return { type: vscode.FileType.File, ctime: mtime, mtime, size: details.size, permissions };
      } catch (error) {
        // VS Code names folders without the "/" (the parents it makes before saving a new file): one
        // taken for missing is created, and at a key prefix's folder that is a copy of the prefix inside itself.
        if (LogqsError.is(error, 'not-found') && (await isFolder(ref, `${address.key}/`))) {
          return directory;
        }
        throw error;
      }
    });
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    return this.mapped(uri, 'Opening', async ({ address, ref }) => {
      // A URI names the full key: one outside the prefix (hand-made, or opened before the prefix was set) would read prefix + key.
      assertInScope(ref.store.key_prefix, address.key);
      const limit = Math.max(this.allowedLarge.get(uri.toString()) ?? 0, this.deps.openSizeLimitBytes());
      const read = (signal: AbortSignal) => this.deps.objects.readObject(ref.source, ref.store.id, address.key, limit, signal);
      // A large object takes a while: it is read under a notification whose Cancel stops it (a small one, at once, without).
      const { bytes, details } = await (this.allowedLarge.has(uri.toString()) && this.deps.runJob ? this.deps.runJob(`Opening "${address.key}"`, read) : read(new AbortController().signal)).catch(
        (error: unknown) => {
          // Grown past the limit since it was listed: the view shows its size now, so that opening it again asks first.
          if (error instanceof TooLargeToOpenError) {
            this.deps.objectsChanged(ref.store.id, address.key, { size: error.size, created: false });
          }
          throw error;
        },
      );
      if (this.allowedLarge.has(uri.toString())) {
        // VS Code reads again (Revert, Reopen Closed Editor): the size agreed opens, an object grown since is asked about again.
        this.allowedLarge.set(uri.toString(), bytes.byteLength);
      }
      // Read again while a tab of it holds unsaved changes (the same object reopened in the hex editor, say), the newer
      // version is not the one those changes were made to: its save must still be checked against the one they were.
      const before = this.opened.get(uri.toString());
      if (!before || !this.deps.hasUnsavedChanges?.(uri)) {
        this.opened.set(uri.toString(), { etag: details.etag, readOnly: !isWritable(ref.store), seen: { mtime: details.lastModified?.getTime() ?? 0, size: bytes.byteLength } });
        // Read by another editor of it (the hex editor, an extension), a newer version is now what every save of it is
        // checked against: the others, showing the version before, are told to read again, or a save from one of them
        // would overwrite that newer version unasked.
        if (before?.etag !== undefined && details.etag !== undefined && !sameEtag(before.etag, details.etag)) {
          this.changed.fire([{ type: vscode.FileChangeType.Changed, uri }]);
        }
      }
      this.deps.log(`Opened "${address.key}" from "${ref.store.name}" (${bytes.byteLength} bytes)`);
      return bytes;
    });
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    // After the save before it, whatever its end: checked against the version that one made, not asked about as a change.
    const name = uri.toString();
    const save = (this.saving.get(name) ?? Promise.resolve()).catch(() => undefined).then(() => this.save(uri, content));
    this.saving.set(name, save);
    try {
      await save;
    } finally {
      if (this.saving.get(name) === save) {
        this.saving.delete(name);
      }
    }
  }

  private async save(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    await this.mapped(uri, 'Saving', async ({ address, ref }) => {
      assertInScope(ref.store.key_prefix, address.key);
      const save = (expectedEtag?: string) => this.deps.objects.saveObject(ref.source, ref.store.id, address.key, content, { expectedEtag });
      const opened = this.opened.get(uri.toString());
      let expected = opened?.etag;
      let overwriteAnswered = false;
      let result;
      for (;;) {
        try {
          result = await save(expected);
          break;
        } catch (error) {
          // A refusal of the very version asked about last (a server that keeps refusing the condition) is not asked again.
          const refusedAgain = expected !== undefined && error instanceof ObjectChangedError && error.currentEtag !== undefined && sameEtag(error.currentEtag, expected);
          if (!(error instanceof ObjectChangedError)) {
            throw error;
          }
          if (refusedAgain) {
            // Said as what it is: not a change (the server reports the very version asked for), and not an Overwrite ignored.
            throw new LogqsError('changed', `"${address.key}" was not saved: the server refused to write over the version it reports${overwriteAnswered ? ', even after Overwrite' : ''}`);
          }
          if (expected === opened?.etag && this.editorAskedAlready(uri, opened, error)) {
            this.deps.log(`Overwriting "${address.key}", changed since it was opened, as answered to the editor's own question`);
          } else if (!(await this.deps.confirmOverwrite(address.key, error.message, error.deleted))) {
            throw new DeclinedError(error);
          }
          overwriteAnswered = true;
          // Overwrite replaces the version the person was told of, and only it: one written while they were asked is asked about too.
          expected = error.currentEtag;
        }
      }
      // A server whose PUT answers without an ETag: the version saved is asked for, else the next save would be checked against nothing.
      const etag = result.etag ?? (await this.deps.objects.fetchObject(ref.source, ref.store.id, address.key).then((fetched) => fetched.details.etag, () => undefined));
      // The modified time the server gave the save is the one VS Code's stat of it, right after, is told.
      this.opened.set(uri.toString(), { etag, readOnly: !isWritable(ref.store), seen: 'next-stat' });
      // Grown by this tab's own save, an object opened above the size limit still opens when read again (Revert).
      const allowed = this.allowedLarge.get(uri.toString());
      if (allowed !== undefined && content.byteLength > allowed) {
        this.allowedLarge.set(uri.toString(), content.byteLength);
      }
      this.changed.fire([{ type: vscode.FileChangeType.Changed, uri }]);
      // The view shows sizes (the object's is redrawn where it is listed), and a Save As makes an object (and folders) it hasn't
      // listed: the folders on its path are listed again.
      this.deps.objectsChanged(ref.store.id, address.key, { size: content.byteLength, created: result.created });
    });
  }

  async readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    return this.mapped(uri, 'Listing', async ({ address, ref }) => {
      // VS Code names a folder without its "/"; listed without it, the folder would list itself. "" is the root.
      const folderPrefix = address.key === '' || address.key.endsWith('/') ? address.key : `${address.key}/`;
      // Above the key prefix (the root, "team/" of "team/logs/"), a folder holds only the prefix's next folder.
      const keyPrefix = ref.store.key_prefix ?? '';
      let listed: string | undefined = folderPrefix || undefined;
      if (keyPrefix.startsWith(folderPrefix) && keyPrefix !== folderPrefix) {
        const rest = keyPrefix.slice(folderPrefix.length);
        if (rest.includes('/')) {
          return [[rest.split('/')[0], vscode.FileType.Directory]];
        }
        // A key prefix that ends inside a name ("reports/2024."): this folder holds the store's root, the names that start with it.
        listed = undefined;
      }
      const entries: [string, vscode.FileType][] = [];
      // Page after page: a folder cut at the first 1000 keys would hide the rest from the Save As dialog. But not a
      // folder of millions whole (thousands of requests before the dialog shows anything): its first pages, and the
      // person types the name.
      let continuationToken: string | undefined;
      do {
        if (entries.length >= MAX_DIRECTORY_ENTRIES) {
          this.deps.log(`Listed the first ${entries.length} entries of "${folderPrefix}" in "${ref.store.name}" for the editor; it holds more`);
          break;
        }
        const page = await browsePage(ref.source, ref.store.id, { folderPrefix: listed, pageSize: 1000, continuationToken });
        entries.push(
          ...page.folders.map((folder) => [folder.name.slice(0, -1), vscode.FileType.Directory] as [string, vscode.FileType]),
          ...page.objects.map((object) => [object.name, vscode.FileType.File] as [string, vscode.FileType]),
        );
        continuationToken = page.nextContinuationToken;
      } while (continuationToken);
      return entries;
    });
  }

  async createDirectory(uri: vscode.Uri): Promise<void> {
    await this.mapped(uri, 'Making the folder', async ({ address, ref }) => {
      const trimmed = address.key.replace(/\/$/, '');
      // Made from its parent and name, a folder whose parent is the root ("") would land under the key prefix
      // instead ("other" of the prefix "logs/" as "logs/other/"): the key prefix and the folders above it exist
      // already, and a folder outside them is refused, as a file there is.
      if (ref.store.key_prefix?.startsWith(`${trimmed}/`)) {
        throw vscode.FileSystemError.FileExists(uri);
      }
      assertInScope(ref.store.key_prefix, `${trimmed}/`);
      let parent = trimmed.slice(0, trimmed.lastIndexOf('/') + 1);
      // Its parent above a key prefix that ends inside a name ("reports/" of "reports/2024."): made from the store's root.
      if (!isInScope(ref.store.key_prefix, parent)) {
        parent = ref.store.key_prefix ?? '';
      }
      await this.deps.objects.createFolder(ref.source, ref.store.id, parent, trimmed.slice(parent.length));
      this.deps.objectsChanged(ref.store.id, `${trimmed}/`);
    });
  }

  delete(): never {
    throw vscode.FileSystemError.NoPermissions('Delete objects from the LogQS Object Stores view');
  }

  rename(): never {
    throw vscode.FileSystemError.NoPermissions('Objects can\'t be renamed from an editor');
  }

  /**
   * Runs `body` on the store an URI names, turning errors into the FileSystemErrors the editor shows; a failure of
   * an `operation` is logged too (the editor shows its message only), unless it was cancelled.
   */
  private async mapped<T>(uri: vscode.Uri, operation: string | undefined, body: (target: { address: ObjectAddress; ref: StoreRef }) => Promise<T>): Promise<T> {
    try {
      const address = fromUriParts(uri);
      let source = this.deps.sources.byId(address.sourceId);
      if (!source && this.deps.sourcesRestored) {
        await this.deps.sourcesRestored().catch(() => undefined);
        source = this.deps.sources.byId(address.sourceId);
      }
      if (!source) {
        throw new LogqsError('not-found', 'The data store of this object is no longer connected');
      }
      return await body({ address, ref: { source, store: await source.get(address.storeId) } });
    } catch (error) {
      // Not what the person chose (Overwrite declined), nor what a store's flags refuse (each breadcrumb of a disabled store).
      const chosenOrRefused = error instanceof DeclinedError || isRefusal(error);
      if (operation !== undefined && !chosenOrRefused && !(error instanceof vscode.FileSystemError) && !LogqsError.is(error, 'cancelled')) {
        this.deps.log(reportFor(`${operation} ${uri.path.slice(1)}`, error).logLine);
      }
      throw toFileSystemError(uri, error instanceof DeclinedError ? error.change : error);
    }
  }
}

/** Whether a prefix is a folder of the store: its key prefix, a folder above that, or one with keys under it. */
async function isFolder(ref: StoreRef, prefix: string): Promise<boolean> {
  if (ref.store.key_prefix?.startsWith(prefix)) {
    return true;
  }
  if (!isInScope(ref.store.key_prefix, prefix)) {
    return false;
  }
  const page = await browsePage(ref.source, ref.store.id, { folderPrefix: prefix, pageSize: 1 });
  return page.folders.length > 0 || page.objects.length > 0;
}

/** A save the person chose not to make (Overwrite declined): the change it was asked about, not logged as a failure. */
class DeclinedError extends Error {
  constructor(readonly change: ObjectChangedError) {
    super(change.message);
  }
}

/** What the editor is told it may not do (not a passing failure): a store's flags, the server's refusal, a key outside the prefix. */
const REFUSALS: readonly LogqsErrorCode[] = ['read-only', 'forbidden', 'disabled', 'managed', 'outside-prefix'];

function isRefusal(error: unknown): boolean {
  return REFUSALS.some((code) => LogqsError.is(error, code));
}

function toFileSystemError(uri: vscode.Uri, error: unknown): vscode.FileSystemError {
  if (error instanceof vscode.FileSystemError) {
    return error;
  }
  const message = userMessage(error);
  if (LogqsError.is(error, 'not-found') || LogqsError.is(error, 'no-such-bucket')) {
    return vscode.FileSystemError.FileNotFound(message);
  }
  if (isRefusal(error)) {
    return vscode.FileSystemError.NoPermissions(message);
  }
  return vscode.FileSystemError.Unavailable(message);
}
