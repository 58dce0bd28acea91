import type { Claims } from './conflicts';
import type { RetryPolicy } from './retry';
import type { FetchedObject, ListPage, ObjectDetails, ObjectSummary, ObjectWriter } from '../ports';

/**
 * The contract of the transfer engine (downloads through presigned URLs,
 * uploads through an ObjectWriter). The engine has no `vscode` import and no
 * store rules: ObjectService checks disabled, read_only and key_prefix first
 * and hands the engine only keys that are in scope.
 */

export interface TransferSettings {
  /** Size of one ranged GET or one multipart part. */
  partSizeBytes: number;
  /** Parts of one object in flight at once. */
  partConcurrency: number;
  /**
   * Parts of one object downloaded at once from a server on this machine
   * (isLoopbackUrl), in place of partConcurrency: such a server shares the
   * CPU, and a loopback connection has no latency for parallel ranges to hide.
   */
  loopbackPartConcurrency: number;
  /** Objects of one folder job in flight at once. */
  fileConcurrency: number;
  /** Lifetime asked for presigned URLs the engine fetches. */
  presignExpirySeconds: number;
  /** How retries back off; the engine's default when absent. */
  retry?: RetryPolicy;
}

export interface TransferProgress {
  filesDone: number;
  /** Unknown while a folder is still being listed. */
  filesTotal?: number;
  bytesDone: number;
  bytesTotal?: number;
  /** Bytes per second, averaged over the last seconds. */
  bytesPerSecond?: number;
}

/** What to do with a file (or object) that exists already; asked once per job, the answer stands for the rest of it. */
export type ConflictChoice = 'overwrite' | 'skip' | 'keepBoth';

/** The bytes of an answer, in order. A chunk is valid only until the next is asked for (a reader may read into its buffer again): copy or write it first. */
export type ChunkedBody = AsyncIterable<Uint8Array>;

/**
 * The bytes of an answer that the reader writes into a file itself (on a
 * thread of its own, say), for bytes that go into a file anyway.
 */
export interface FileWritingBody {
  /**
   * Writes the bytes into the open file `fd` from `position` on, calling
   * `onWritten` as they land. Resolves once no more will be written, to the
   * bytes written and the error that stopped it, if one did (the file may be
   * closed then). Cancelled through the signal the GET was asked with.
   */
  writeTo(fd: number, position: number, onWritten: (bytes: number) => void): Promise<{ kept: number; error?: unknown }>;
}

/** A ranged GET of a presigned URL. */
export interface RangeResponse<Body = ChunkedBody> {
  /** 200 or 206; anything else is thrown by the reader as a LogqsError. */
  status: number;
  etag?: string;
  /**
   * Closes an answer the caller turns down after its head (another version
   * of the object, bytes from elsewhere): its connection can carry nothing
   * else until its body is read, so it is closed now, not when it times out.
   */
  discard?(): void;
  /** The whole object's size (from Content-Range, or Content-Length of a 200). */
  totalSize?: number;
  /** Where a 206's bytes start in the object (from Content-Range). */
  start?: number;
  /** Where they end (inclusive, from Content-Range). */
  end?: number;
  /** The object's ETag is no MD5 of its bytes, plain as it may look (see etagHidesMd5). */
  md5Hidden?: boolean;
  body: Body;
}

/** Reads bytes from a presigned URL; `end` inclusive, omitted for "to the end". */
export interface RangeReader {
  /** The bytes of `range`; `{ start: 0 }` (no end) asks for the whole object, without a Range header, and a server answers 200. */
  get(url: string, range: { start: number; end?: number }, signal: AbortSignal): Promise<RangeResponse>;
  /** For bytes that go into a file: the reader may answer with a body that writes itself there. */
  get(url: string, range: { start: number; end?: number }, signal: AbortSignal, into: 'file'): Promise<RangeResponse<ChunkedBody | FileWritingBody>>;
  /** Said when GETs into files are likely soon: the reader may get ready for them (start a thread) meanwhile. */
  prepareForFiles?(): void;
  /**
   * A whole small object fetched and put in place in one step, where the
   * reader can (on its range thread): unless `place.replace`, a file or
   * folder at the target is answered at once, with no GET; then the object
   * is written to `place.temporary`, its MD5 checked, and the temporary
   * renamed onto the target. Undefined, with nothing left on disk, when the
   * reader can't (no direct route to the server: none learned yet, or a
   * proxy; one a GET is learning is waited for) or the answer
   * was not the object expected or broke off: the caller then fetches it the
   * ordinary way, with its retries and renewals. A refusal of the file
   * system, or a cancel, rejects.
   */
  fetchIntoPlace?(url: string, expected: ExpectedObject, place: Omit<WholeFileCommit, 'bytes' | 'md5'>, signal: AbortSignal): Promise<CommitResult | undefined>;
}

/** What a whole object fetched must be: its size and ETag, and its MD5 where the ETag is one. */
export interface ExpectedObject {
  size: number;
  etag: string;
  /** Checked unless the answer's headers say the ETag is no MD5 (an encrypted object: see etagHidesMd5). */
  md5?: string;
}

/** A small file to put in place: `bytes` written to `temporary` (made anew beside `target`), then renamed onto `target`. */
export interface WholeFileCommit {
  target: string;
  temporary: string;
  bytes: Uint8Array;
  /** Whether an existing file at `target` may be replaced; when not, it is left alone and 'exists' answered. */
  replace: boolean;
  /** The MD5 (hex) the bytes must have, checked before anything is written. */
  md5?: string;
}

/**
 * What a commit did: wrote the file, or left the target alone (a file or a folder is there, the file there can't be
 * replaced, or the bytes are not the ones expected).
 */
export type CommitResult = 'written' | 'exists' | 'folder' | 'in-use' | 'damaged';

/**
 * Whole small files, each in one step (off the caller's thread): for a
 * folder of small files the per-call overhead of the file system, not the
 * bytes, is the cost. Failures reject like fs.promises calls (with `code`).
 */
export interface WholeFiles {
  /** `signal`: a commit still waiting its turn when it is aborted writes nothing (one begun ends, whole). */
  commit(commit: WholeFileCommit, signal?: AbortSignal): Promise<CommitResult>;
  /** The file's `size` bytes; a LogqsError 'changed' when it is no longer that size. */
  read(file: string, size: number): Promise<Uint8Array>;
  /** Said when commits are likely soon (a folder's small files): the threads start meanwhile, not at the first. */
  prepare?(): void;
}

/** What a download needs from the store, already scoped by ObjectService. */
export interface DownloadContext {
  /**
   * Metadata and a fresh presigned URL (called again when a URL expires
   * mid-transfer). `listed`: what a listing said of the object, which a
   * gateway may use instead of asking again.
   */
  fetch(key: string, signal: AbortSignal, listed?: ObjectSummary): Promise<FetchedObject>;
  /** One page of every key under a prefix (no delimiter). */
  list(prefix: string, continuationToken: string | undefined, signal: AbortSignal): Promise<ListPage>;
  http: RangeReader;
  files: WholeFiles;
  settings: TransferSettings;
  log: (message: string) => void;
}

export interface DownloadRequest {
  /** Objects by full key: each lands as `targetDir/<its name>`. */
  keys: readonly string[];
  /** Folders by full prefix ending in "/": each lands as `targetDir/<folder name>/…`, keys kept relative. */
  prefixes: readonly string[];
  /**
   * Folders shown filtered (Filter…): per folder prefix, the longer prefix it is listed with instead, so that only
   * the names the filter shows come, still kept relative to the folder.
   */
  listedAs?: ReadonlyMap<string, string>;
  targetDir: string;
  signal: AbortSignal;
  onProgress: (progress: TransferProgress) => void;
  onConflict: (localPath: string) => Promise<ConflictChoice>;
  /**
   * The local files taken by the download this job is part of (one job per
   * store, see downloadClaims): a key of another store that lands on one of
   * them is skipped, not written over it (nor asked about as if it had been there).
   */
  claims?: Claims;
}

export interface DownloadReport {
  files: { key: string; path: string; size: number }[];
  skipped: { key: string; reason: string }[];
  bytes: number;
}

/** What an upload needs from the store, already checked writable by ObjectService. */
export interface UploadContext {
  writer: ObjectWriter;
  /** Whether a key exists (for conflicts), with its metadata. */
  head(key: string, signal: AbortSignal): Promise<ObjectDetails | undefined>;
  /** One page of every key under a prefix (no delimiter): a folder's existing keys, in one listing rather than a HEAD each. */
  list(prefix: string, continuationToken: string | undefined, signal: AbortSignal): Promise<ListPage>;
  /** Maps a key built from a local path into the store's scope (prefix prepended, dot segments refused). */
  scopeKey(key: string): string;
  /**
   * Keys that Keep both gave to files of any job into this bucket that are
   * still on their way: two jobs into one folder, each answering Keep both,
   * would otherwise both find "name (1)" free on the server and one would
   * write over the other.
   */
  keysInFlight: Claims;
  files: WholeFiles;
  settings: TransferSettings;
  log: (message: string) => void;
}

export interface UploadRequest {
  /** Local files and folders; a folder's files keep their paths relative to the folder's parent, "\\" becoming "/". */
  paths: readonly string[];
  /** Full prefix the files go under ("" or ending in "/"). */
  destinationPrefix: string;
  signal: AbortSignal;
  onProgress: (progress: TransferProgress) => void;
  onConflict: (key: string) => Promise<ConflictChoice>;
}

export interface UploadReport {
  keys: string[];
  skipped: { path: string; reason: string }[];
  bytes: number;
  /** The empty folders made (their zero-byte "name/" markers), for folders uploaded that held no file. */
  folders?: string[];
}

export interface ReadResult {
  bytes: Uint8Array;
  details: ObjectDetails;
}
