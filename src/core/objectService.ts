import { LogqsError } from './errors';
import { hasControlChars, isInScope, listingPrefix, scopeKey } from './keyPrefix';
import type { ObjectStore } from './objectStore';
import type { FetchedObject, ListPage, ObjectDetails, ObjectGateway, ObjectStoreSource, ObjectWriter, ObjectWriterFactory, StoredHeaders } from './ports';
import { listPage, pagesAhead } from './objectBrowser';
import { contentTypeOf } from './transfer/contentTypes';
import { assertWritable } from './storeRules';
import {
  Claims,
  type ConflictChoice,
  type DownloadContext,
  type DownloadRequest,
  type DownloadReport,
  type RangeReader,
  type ReadResult,
  type TransferProgress,
  type TransferSettings,
  type UploadReport,
  type WholeFiles,
  downloadObjects,
  readObjectBytes,
  sameEtag,
  uploadFiles,
} from './transfer';

/** S3's longest presigned URL (SigV4): 7 days. */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;
/** S3 deletes at most this many keys per request. */
const DELETE_BATCH = 1000;

/**
 * A save refused because the object is no longer the version opened: what
 * is there now, by its ETag (undefined once deleted, or when the server gave
 * none), which an Overwrite may replace, and only it.
 */
export class ObjectChangedError extends LogqsError {
  constructor(
    message: string,
    /** The version there now: its ETag, size and last-modified time (what an editor compares by). */
    readonly current: Pick<ObjectDetails, 'etag' | 'size' | 'lastModified'> | undefined,
    /** Known to be gone (not only unseen: a look that failed, a server that gives no ETag). */
    readonly deleted = false,
  ) {
    super('changed', message);
  }

  get currentEtag(): string | undefined {
    return this.current?.etag;
  }
}

/**
 * Storage classes a saved object keeps: those it can be read from at once. An archive's (GLACIER, DEEP_ARCHIVE) would
 * put each save out of reach until restored, and at its minimum charge; a class S3 doesn't name (MinIO's remote tier,
 * a radosgw placement) may be refused on a PUT. Those saves go to the bucket's default class.
 */
const KEPT_STORAGE_CLASSES = new Set(['STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER_IR', 'REDUCED_REDUNDANCY']);

/**
 * What a save sends again of what S3 keeps with an object: its headers, a storage class it can be read from at once, and
 * encryption with its own KMS key. Not SSE-S3 (AES256): AWS reports it of every object (its default encryption), and sent
 * back it would override a bucket since switched to KMS, or meet a policy that refuses it said outright.
 */
function keptOnSave(stored: StoredHeaders): StoredHeaders {
  const { storageClass, serverSideEncryption, sseKmsKeyId, ...headers } = stored;
  const kms = serverSideEncryption?.startsWith('aws:kms') === true;
  return {
    ...headers,
    ...(storageClass !== undefined && KEPT_STORAGE_CLASSES.has(storageClass) && { storageClass }),
    ...(kms && { serverSideEncryption, ...(sseKmsKeyId !== undefined && { sseKmsKeyId }) }),
  };
}

export interface ObjectServiceDeps {
  writers: ObjectWriterFactory;
  http: RangeReader;
  files: WholeFiles;
  settings: () => TransferSettings;
  log: (message: string) => void;
}

/** Callbacks of a long job: cancel, progress, and what to do with something that exists already. */
export interface JobCallbacks {
  signal: AbortSignal;
  onProgress: (progress: TransferProgress) => void;
  onConflict: (existing: string) => Promise<ConflictChoice>;
}

/**
 * Everything done with objects, for any source: reads through the source's
 * gateway and presigned URLs, writes through an ObjectWriter. This is where
 * the store rules hold for every operation, before any request: disabled
 * stores refuse everything (the source checks), read-only stores refuse
 * every write, and every key is scoped by key_prefix.
 */
export class ObjectService {
  /** Keep-both keys of uploads on their way, by bucket (see UploadContext.keysInFlight). */
  private readonly keysInFlight = new Map<string, Claims>();

  constructor(private readonly deps: ObjectServiceDeps) {}

  /** Metadata and a presigned URL for one object ("fetching an object", as the seed says). */
  async fetchObject(source: ObjectStoreSource, storeId: string, key: string, signal?: AbortSignal): Promise<FetchedObject & { store: ObjectStore }> {
    return this.fetchWithExpiry(source, storeId, key, this.deps.settings().presignExpirySeconds, signal);
  }

  /** A presigned GET URL that lives `expiresInSeconds` (1 s to 7 days). */
  async presignedUrl(source: ObjectStoreSource, storeId: string, key: string, expiresInSeconds: number): Promise<FetchedObject & { store: ObjectStore }> {
    if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > MAX_PRESIGN_SECONDS) {
      throw new LogqsError('invalid-input', `A presigned URL lives from 1 second to 7 days (${MAX_PRESIGN_SECONDS} seconds)`);
    }
    return this.fetchWithExpiry(source, storeId, key, expiresInSeconds, undefined, true);
  }

  /** One object's bytes in memory, for an editor tab; refused above maxBytes. */
  async readObject(source: ObjectStoreSource, storeId: string, key: string, maxBytes: number, signal: AbortSignal): Promise<ReadResult> {
    const { store, objects } = await source.objectsOf(storeId);
    return readObjectBytes(this.downloadContext(store, objects), scopeKey(store.key_prefix, key), maxBytes, signal);
  }

  /**
   * Writes an object's new content (Save from an editor tab). With
   * `expectedEtag`, refuses with a 'changed' error when the object on the
   * server is no longer the one that was opened.
   */
  async saveObject(
    source: ObjectStoreSource,
    storeId: string,
    key: string,
    bytes: Uint8Array,
    options: { expectedEtag?: string; contentType?: string; signal?: AbortSignal } = {},
  ): Promise<{ etag?: string; created: boolean }> {
    const { store, writer } = await this.writable(source, storeId);
    const fullKey = scopeKey(store.key_prefix, key);
    const current = await this.currentForSave(source, storeId, writer, fullKey, options.signal);
    const changedSinceOpened = (now: ObjectDetails | undefined, deleted: boolean) =>
      new ObjectChangedError(`"${fullKey}" ${deleted ? 'was deleted from' : 'changed in'} "${store.name}" since it was opened`, now, deleted);
    // Compared without quotes or case: an API may pass on the ETag S3 quoted when the save stored it.
    if (options.expectedEtag !== undefined && (current?.etag === undefined || !sameEtag(current.etag, options.expectedEtag))) {
      // A HEAD's 404 can't tell a deleted object from a deleted bucket: the gateway's fetch asks (and throws the missing
      // bucket), so that no one is offered to overwrite an object in a bucket that is gone. Any other failure of that
      // second look leaves what the first one found: the object is gone, and an Overwrite may make it again.
      const now = current ?? (await this.bucketMissingOr(source, storeId, fullKey, options.signal));
      throw changedSinceOpened(now, now === undefined);
    }
    // A PUT replaces the object whole: what isn't sent again (its type, its x-amz-meta-*, its Cache-Control…) is lost. It is made on the
    // condition that the object is still the one just checked: a write by someone else in between is not lost either.
    const result = await writer
      .putObject(fullKey, bytes, {
        // A new object (Save As) is typed by its name, as an upload is.
        contentType: options.contentType ?? current?.contentType ?? contentTypeOf(fullKey.slice(fullKey.lastIndexOf('/') + 1)),
        metadata: current?.metadata,
        stored: current?.stored && keptOnSave(current.stored),
        ifMatch: options.expectedEtag === undefined ? undefined : current?.etag,
        signal: options.signal,
      })
      .catch(async (error: unknown) => {
        if (!LogqsError.is(error, 'changed')) {
          throw error;
        }
        // Written or deleted in between: what is there now is asked for, so that an Overwrite replaces that version and no other.
        // Said deleted only when the second look found nothing, not when it failed.
        const look = await this.currentForSave(source, storeId, writer, fullKey, options.signal).then((now) => ({ now }), () => undefined);
        throw changedSinceOpened(look?.now, look !== undefined && look.now === undefined);
      });
    this.deps.log(`Saved ${bytes.byteLength} bytes to "${fullKey}" in "${store.name}"`);
    // Created: no object was there (a Save As, or one deleted since it was opened), so its folders may be new too.
    return { ...result, created: current === undefined };
  }

  /** Makes a folder: the zero-byte "name/" marker object S3 consoles create. Returns its prefix. */
  async createFolder(source: ObjectStoreSource, storeId: string, parentPrefix: string, name: string): Promise<string> {
    const problem = folderNameProblem(name);
    if (problem) {
      throw new LogqsError('invalid-input', `The folder name ${problem}`);
    }
    const { store, writer } = await this.writable(source, storeId);
    const parent = listingPrefix(store.key_prefix, parentPrefix);
    // The name as given: a person's typed one comes trimmed (New Folder); the editor's (a Save As path's folders) are exact.
    const prefix = scopeKey(store.key_prefix, `${parent}${name}/`);
    await writer.putObject(prefix, new Uint8Array(0));
    this.deps.log(`Created folder "${prefix}" in "${store.name}"`);
    return prefix;
  }

  /** Counts the objects in a folder, or those its filter shows (for a confirmation that says how many). */
  async countUnder(source: ObjectStoreSource, storeId: string, folder: ShownFolder, signal?: AbortSignal): Promise<number> {
    let count = 0;
    await this.eachPageUnder(source, storeId, folder, signal, async (keys) => {
      count += keys.length;
    });
    return count;
  }

  /** Deletes objects by key; returns how many went and which could not. */
  async deleteObjects(source: ObjectStoreSource, storeId: string, keys: readonly string[], signal?: AbortSignal, onDeleted?: (count: number) => void) {
    const { store, writer } = await this.writable(source, storeId);
    const fullKeys = keys.map((key) => scopeKey(store.key_prefix, key));
    const failed: { key: string; reason: string }[] = [];
    for (let start = 0; start < fullKeys.length; start += DELETE_BATCH) {
      const batch = fullKeys.slice(start, start + DELETE_BATCH);
      failed.push(...(await writer.deleteObjects(batch, signal)).failed);
      onDeleted?.(start + batch.length - failed.length);
    }
    this.deps.log(`Deleted ${fullKeys.length - failed.length} objects from "${store.name}"${failed.length ? `; ${failed.length} failed` : ''}`);
    return { deleted: fullKeys.length - failed.length, failed };
  }

  /**
   * Deletes everything in a folder, or only what its filter shows, page by
   * page as it is listed; never a whole store, filtered or not.
   */
  async deleteFolder(source: ObjectStoreSource, storeId: string, folder: ShownFolder, signal?: AbortSignal, onDeleted?: (count: number) => void) {
    const { store, writer } = await this.writable(source, storeId);
    const { prefix, listed } = shownListing(store.key_prefix, folder);
    if (prefix === (store.key_prefix ?? '')) {
      throw new LogqsError('invalid-input', `Delete works on objects and folders, not on a whole store ("${store.name}")`);
    }
    let deleted = 0;
    const failed: { key: string; reason: string }[] = [];
    await this.eachPageUnder(source, storeId, folder, signal, async (keys) => {
      const result = await writer.deleteObjects(keys, signal);
      failed.push(...result.failed);
      deleted += keys.length - result.failed.length;
      onDeleted?.(deleted);
    });
    this.deps.log(`Deleted ${deleted} objects under "${listed}${listed === prefix ? '' : '*'}" from "${store.name}"${failed.length ? `; ${failed.length} failed` : ''}`);
    return { deleted, failed };
  }

  /** Downloads objects (by key) and folders (by prefix) into a local folder. */
  async download(
    source: ObjectStoreSource,
    storeId: string,
    items: { keys: readonly string[]; prefixes: readonly string[] } & Pick<DownloadRequest, 'listedAs'>,
    targetDir: string,
    callbacks: JobCallbacks & Pick<DownloadRequest, 'claims'>,
  ): Promise<DownloadReport> {
    const { store, objects } = await source.objectsOf(storeId);
    const keys = items.keys.map((key) => scopeKey(store.key_prefix, key));
    const prefixes = items.prefixes.map((prefix) => listingPrefix(store.key_prefix, prefix));
    // A filtered folder's listing is its own prefix made longer, within the folder: never another folder's, nor one outside it.
    const listedAs = new Map([...(items.listedAs ?? [])].map(([prefix, listedAs]) => {
      const shown = shownListing(store.key_prefix, { prefix, listedAs });
      return [shown.prefix, shown.listed] as const;
    }));
    const filtered = listedAs.size > 0 ? ` (${listedAs.size} filtered: ${[...listedAs.values()].map((listed) => `"${listed}*"`).join(', ')})` : '';
    this.deps.log(`Download from "${store.name}" to ${targetDir}: ${keys.length} objects, ${prefixes.length} folders${filtered}`);
    return downloadObjects(this.downloadContext(store, objects), { keys, prefixes, listedAs, targetDir, ...callbacks });
  }

  /** Uploads local files and folders under a prefix of a writable store. */
  async upload(
    source: ObjectStoreSource,
    storeId: string,
    paths: readonly string[],
    destinationPrefix: string,
    callbacks: JobCallbacks,
  ): Promise<UploadReport> {
    const { store, writer } = await this.writable(source, storeId);
    const { objects } = await source.objectsOf(storeId);
    const prefix = listingPrefix(store.key_prefix, destinationPrefix);
    // A script's "/" or "logs//": its keys would hold an empty segment, which downloads refuse to take back.
    // Below the key_prefix's last "/": a key_prefix may end inside a name ("reports/2024."), whose folder is "2024./".
    const below = prefix.slice((store.key_prefix ?? '').lastIndexOf('/') + 1);
    if (below.split('/').slice(0, -1).includes('')) {
      throw new LogqsError('invalid-input', `The destination folder "${prefix}" holds an empty name (a leading "/" or "//"): its keys could not be downloaded again`);
    }
    this.deps.log(`Upload to "${store.name}" under "${prefix}": ${paths.length} local paths`);
    return uploadFiles(
      {
        writer,
        head: (key, signal) => headOrUndefined(objects, key, signal),
        list: pageUnder(objects),
        scopeKey: (key) => scopeKey(store.key_prefix, key),
        keysInFlight: this.keysInFlightOf(store),
        files: this.deps.files,
        settings: this.deps.settings(),
        log: this.deps.log,
      },
      { paths, destinationPrefix: prefix, ...callbacks },
    );
  }

  /** One set for all the stores of a bucket: two stores may share it, with overlapping key prefixes. */
  private keysInFlightOf(store: ObjectStore): Claims {
    const bucket = JSON.stringify([store.endpoint_url ?? '', store.bucket_name]);
    let claims = this.keysInFlight.get(bucket);
    if (!claims) {
      claims = new Claims();
      this.keysInFlight.set(bucket, claims);
    }
    return claims;
  }

  /** `forSharing`: the URL is one a person copies (see FetchOptions). */
  private async fetchWithExpiry(source: ObjectStoreSource, storeId: string, key: string, expiresInSeconds: number, signal?: AbortSignal, forSharing?: boolean) {
    const { store, objects } = await source.objectsOf(storeId);
    const fetched = await objects.fetchObject(scopeKey(store.key_prefix, key), { expiresInSeconds, signal, forSharing });
    return { ...fetched, store };
  }

  private async writable(source: ObjectStoreSource, storeId: string): Promise<{ store: ObjectStore; writer: ObjectWriter }> {
    // The credentials are a lazy provider: nothing is requested before read_only is checked.
    const { store, credentials } = await source.credentialsFor(storeId);
    assertWritable(store);
    return { store, writer: this.deps.writers(store, credentials) };
  }

  /** The object after a HEAD found none, throwing only a missing bucket (or a cancel); undefined otherwise. */
  private async bucketMissingOr(source: ObjectStoreSource, storeId: string, fullKey: string, signal?: AbortSignal) {
    try {
      return await headOrUndefined((await source.objectsOf(storeId)).objects, fullKey, signal);
    } catch (error) {
      if (LogqsError.is(error, 'no-such-bucket') || LogqsError.is(error, 'cancelled')) {
        throw error;
      }
      return undefined;
    }
  }

  /**
   * The object a save replaces, asked of S3 with the writer's credentials:
   * only S3 knows the type and user metadata the PUT must keep. Credentials
   * that may write but not read (a write-only policy) get the store's own
   * lookup instead, which still gives the ETag to check.
   */
  private async currentForSave(source: ObjectStoreSource, storeId: string, writer: ObjectWriter, fullKey: string, signal?: AbortSignal) {
    try {
      return await writer.headObject(fullKey, signal);
    } catch (error) {
      if (!LogqsError.is(error, 'forbidden')) {
        throw error;
      }
      return headOrUndefined((await source.objectsOf(storeId)).objects, fullKey, signal);
    }
  }

  /** Calls `each` with every page of keys in a folder, or of those its filter shows (no delimiter), in scope only. */
  private async eachPageUnder(
    source: ObjectStoreSource,
    storeId: string,
    folder: ShownFolder,
    signal: AbortSignal | undefined,
    each: (keys: string[]) => Promise<void>,
  ): Promise<void> {
    const { store, objects } = await source.objectsOf(storeId);
    const scoped = shownListing(store.key_prefix, folder).listed;
    const list = pageUnder(objects);
    for await (const page of pagesAhead((continuationToken, listSignal) => list(scoped, continuationToken, listSignal), signal)) {
      const keys = page.objects.map((object) => object.key).filter((key) => isInScope(store.key_prefix, key));
      if (keys.length > 0) {
        await each(keys);
      }
    }
  }

  private downloadContext(store: ObjectStore, objects: ObjectGateway): DownloadContext {
    const settings = this.deps.settings();
    return {
      fetch: (key, signal, listed) => objects.fetchObject(key, { expiresInSeconds: settings.presignExpirySeconds, signal, listed }),
      // Keys with "." or ".." segments are kept: the engine reports them as not downloaded, and says why.
      list: pageUnder(objects),
      http: this.deps.http,
      files: this.deps.files,
      settings,
      log: this.deps.log,
    };
  }
}

/** A folder (by prefix) as the tree shows it: filtered (Filter…), it is listed with the longer prefix `listedAs` instead. */
export interface ShownFolder {
  prefix: string;
  listedAs?: string;
}

/**
 * A folder's listing prefix (scoped), and the prefix that lists what it
 * shows: its filter's, which must stay inside the folder and on its level
 * (never another folder's, nor one outside it), or its own.
 */
function shownListing(keyPrefix: string | null, folder: ShownFolder): { prefix: string; listed: string } {
  const prefix = listingPrefix(keyPrefix, folder.prefix);
  const listed = folder.listedAs ?? prefix;
  if (!listed.startsWith(prefix) || listed.slice(prefix.length).includes('/')) {
    throw new LogqsError('invalid-input', `"${listed}" is not a filter of the folder "${prefix}"`);
  }
  return { prefix, listed };
}

/** One page of every key under a prefix (no delimiter, the largest pages), only keys that really start with it. */
function pageUnder(objects: ObjectGateway) {
  return async (prefix: string, continuationToken: string | undefined, signal?: AbortSignal): Promise<ListPage> => {
    const page = await listPage(objects, { prefix, maxKeys: DELETE_BATCH, continuationToken }, signal);
    return { ...page, objects: page.objects.filter((object) => object.key.startsWith(prefix)) };
  };
}

/** An object's metadata, or undefined when there is no such object. */
async function headOrUndefined(objects: ObjectGateway, key: string, signal?: AbortSignal) {
  try {
    // The URL is not used; a short lifetime keeps it harmless.
    return (await objects.fetchObject(key, { expiresInSeconds: 60, signal })).details;
  } catch (error) {
    if (LogqsError.is(error, 'not-found')) {
      return undefined;
    }
    throw error;
  }
}

/** Why a name can't be a folder's name, or undefined when it can. */
export function folderNameProblem(name: string): string | undefined {
  const trimmed = name.trim();
  if (trimmed === '') {
    return 'is empty';
  }
  if (trimmed.includes('/')) {
    return 'must not contain "/" (make one folder at a time)';
  }
  if (trimmed === '.' || trimmed === '..') {
    return 'must not be "." or ".."';
  }
  if (hasControlChars(trimmed)) {
    return 'must not contain control characters';
  }
  return undefined;
}
