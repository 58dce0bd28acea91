import { createHash } from 'node:crypto';
import { type Stats, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { LogqsError, cancelledError, failureOf, isAbort, localFileError, toLogqsError } from '../errors';
import { MAX_KEY_BYTES, byteLength, hasControlChars, hasLoneSurrogate } from '../keyPrefix';
import type { CompletedPart } from '../ports';
import { forEachConcurrently, withJobCancel } from './concurrency';
import { Claims, askOnce, firstFreeName } from './conflicts';
import { contentTypeOf } from './contentTypes';
import { planRanges } from './download';
import { plainMd5, sameEtag } from './etags';
import { isOutside } from './localPaths';
import { ProgressMeter } from './progress';
import { backoffMs, isRetryable, retryPolicy, sleep, throwIfAborted, untilAborted } from './retry';
import type { UploadContext, UploadReport, UploadRequest } from './types';

/** A local file and the key it goes to. */
interface UploadItem {
  path: string;
  key: string;
  size: number;
  /** The file or folder picked that holds it: gone, it takes every file with it (a drive removed). */
  picked: string;
}

/**
 * Bytes read from disk and not yet sent, across every file of a job: memory
 * stays about partConcurrency × partSize whatever the files' sizes.
 */
class ByteBudget {
  private used = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async acquire(bytes: number, signal: AbortSignal): Promise<() => void> {
    // A request larger than the whole budget runs alone rather than never.
    while (this.used > 0 && this.used + bytes > this.limit) {
      throwIfAborted(signal);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.used += bytes;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        this.used -= bytes;
        this.waiting.splice(0).forEach((wake) => wake());
      }
    };
  }
}

/** Runs a request again while it fails in a way that may pass (network, 5xx, SlowDown). */
async function withRetries<T>(what: string, context: UploadContext, signal: AbortSignal, request: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (isAbort(error) || signal.aborted) {
        throw cancelledError();
      }
      if (!isRetryable(error) || attempt >= retryPolicy(context.settings).attempts) {
        throw error;
      }
      context.log(`Retrying ${what} after: ${(error as Error).message}`);
      await sleep(backoffMs(attempt, retryPolicy(context.settings)), signal);
    }
  }
}

/**
 * The ETag S3 gives an object made of `parts`: the MD5 of their MD5s, then
 * "-" and their count. Undefined when a part's ETag is no MD5 (encrypted
 * with KMS, say), and nothing can be told from it.
 */
export function multipartEtag(parts: readonly CompletedPart[]): string | undefined {
  const md5s = parts.map((part) => plainMd5(part.etag));
  if (parts.length === 0 || md5s.includes(undefined)) {
    return undefined;
  }
  return `${createHash('md5').update(Buffer.from(md5s.join(''), 'hex')).digest('hex')}-${parts.length}`;
}

/** S3's most parts in one multipart upload: part numbers go from 1 to 10,000. */
export const MAX_PARTS = 10_000;

/** The part size for a file: the set size, or larger for a file that would need more than MAX_PARTS parts of it. */
export function partSizeFor(fileSize: number, partSizeBytes: number): number {
  return Math.max(partSizeBytes, Math.ceil(fileSize / MAX_PARTS));
}

/**
 * A file whose size changed between being listed and being read, or that
 * was written to while its parts were read (a bag still being recorded):
 * what was read would be stored as a file it never was. That file is
 * skipped, saying so; the rest of the job goes on.
 */
export class FileChangedError extends LogqsError {
  /** Its multipart upload couldn't be aborted: the parts sent may stay on the server. */
  partsLeft = false;
  /** What happened to the file, without its name: a skip's reason. */
  readonly reason: string;

  constructor(file: string, what: 'size' | 'content') {
    const reason = `${what === 'size' ? 'changed size' : 'was written to'} while it was being uploaded (is it still being written?)`;
    super('changed', `${file} ${reason}; upload it again once it is complete`);
    this.reason = reason;
  }
}

export function fileChangedError(file: string, what: 'size' | 'content' = 'size'): LogqsError {
  return new FileChangedError(file, what);
}

/**
 * A call on an open local file, whose error carries no path (a read, a stat)
 * and would pass for a bug: said as the file system's (a disk pulled out, a
 * network share gone).
 */
async function onLocalFile<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw LogqsError.is(error) || !(error instanceof Error) ? error : localFileError(error);
  }
}

/**
 * Part-sized buffers, each filled again for a later part once the part it
 * held is sent: a fresh 16 MiB buffer page-faults as it is filled and a
 * dropped one waits for the garbage collector, which cost a 1 GiB upload
 * about 1.2 CPU-seconds more and 100 MB more memory.
 */
class PartBuffers {
  private readonly spare: Buffer[] = [];

  constructor(private readonly partSize: number) {}

  /** A buffer of at least `size` bytes (a file of more than MAX_PARTS parts has larger ones). */
  take(size = this.partSize): Buffer {
    const spare = this.spare.pop();
    return spare && spare.length >= size ? spare : Buffer.allocUnsafe(Math.max(size, this.partSize));
  }

  give(buffer: Buffer): void {
    this.spare.push(buffer);
  }
}

/** Reads `length` bytes at `offset` into `into`, refusing a file that changed size since it was listed. */
async function readPart(file: fs.FileHandle, item: UploadItem, into: Buffer, offset: number, length: number): Promise<Buffer> {
  const buffer = into.subarray(0, length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await onLocalFile(file.read(buffer, filled, length - filled, offset + filled));
    if (bytesRead === 0) {
      throw fileChangedError(item.path);
    }
    filled += bytesRead;
  }
  return buffer;
}

/**
 * A file opened for reading, and what it was when opened (its size and
 * modified time, which the upload holds it to). A folder there now (a file
 * replaced by one since it was listed) is refused as EISDIR, as Windows
 * refuses it at the open: Linux and macOS open a folder, and fail only its
 * first read.
 */
async function openFile(file: string): Promise<{ handle: fs.FileHandle; opened: Stats }> {
  const handle = await fs.open(file, 'r');
  try {
    const opened = await onLocalFile(handle.stat());
    if (opened.isDirectory()) {
      throw Object.assign(new Error(`EISDIR: illegal operation on a directory, open '${file}'`), { code: 'EISDIR', path: file });
    }
    return { handle, opened };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** S3's largest object: a larger file would be refused only when its upload is put together, after all of it was sent. */
const MAX_OBJECT_BYTES = 5 * 1024 ** 4;

/**
 * Why a local path, split into the segments of its key, can't make one, or
 * undefined when it can. A "\\" separates folders on every platform (a folder
 * uploaded from Windows gets the same keys): a name on Linux or macOS that
 * ends in one, or holds two in a row, would make a folder's key or an empty
 * segment, which downloads refuse.
 */
function localPathProblem(segments: readonly string[]): string | undefined {
  const joined = segments.join('/');
  if (segments.some((segment) => segment === '')) {
    return 'its name begins or ends with "\\", or holds "\\\\", which would make an empty folder name in its key';
  }
  if (hasControlChars(joined)) {
    return 'its name holds a control character, which keys made here never hold';
  }
  if (hasLoneSurrogate(joined)) {
    return 'its name holds half of a character (an unpaired surrogate), which no key can hold';
  }
  return undefined;
}

/**
 * The files under the given paths and their keys: a file goes to
 * prefix/name, a folder's files to prefix/folder/relative/path ("\\"
 * becoming "/"), an empty folder to its folder marker. Links to files are
 * followed; links to folders are not (they can loop), and are reported,
 * unless picked themselves.
 */
async function collect(paths: readonly string[], context: UploadContext, prefix: string, skip: (path: string, reason: string) => void, signal: AbortSignal) {
  const items: UploadItem[] = [];
  const folders: string[] = [];
  const markers: string[] = [];
  /** Keys taken by a file of this job: two files picked from different folders may share a name. */
  const taken = new Claims();
  /** The key of a file, or of a folder's marker (ending in "/"), at `relative`. */
  const keyOf = (relative: string, folder = false) => {
    const segments = relative.split(/[\\/]/);
    const problem = localPathProblem(segments);
    if (problem) {
      throw new LogqsError('invalid-input', problem);
    }
    return context.scopeKey(prefix + segments.join('/') + (folder ? '/' : ''));
  };
  let picked = '';
  const add = (file: string, relative: string, size: number) => {
    try {
      if (size > MAX_OBJECT_BYTES) {
        skip(file, 'larger than the 5 TiB an object may hold');
        return;
      }
      const key = keyOf(relative);
      if (!taken.claim(key)) {
        skip(file, `another file of this upload goes to "${key}"`);
        return;
      }
      items.push({ path: file, key, size, picked });
    } catch (error) {
      skip(file, (error as Error).message);
    }
  };
  // An entry that vanished, or a folder that can't be read, since it was picked: the rest still goes.
  const unreadable = (entry: string, error: unknown): undefined => {
    if (toLogqsError(error).code !== 'storage') {
      throw error;
    }
    skip(entry, `can't be read (${(error as Error).message})`);
    return undefined;
  };
  const walk = async (entry: string, relative: string, picked = false): Promise<void> => {
    // A Cancel stops the walk too: a tree of a million files takes minutes to look through.
    throwIfAborted(signal);
    const link = await fs.lstat(entry).catch((error: unknown) => unreadable(entry, error));
    if (!link) {
      return;
    }
    const stat = link.isSymbolicLink() ? await fs.stat(entry).catch(() => undefined) : link;
    if (!stat) {
      skip(entry, 'a link to nothing');
    } else if (stat.isFile()) {
      add(entry, relative, stat.size);
    } else if (stat.isDirectory() && link.isSymbolicLink() && !picked) {
      skip(entry, 'a link to a folder (not followed)');
    } else if (stat.isDirectory()) {
      const names = (await fs.readdir(entry).catch((error: unknown) => unreadable(entry, error)))?.sort();
      if (!names) {
        return;
      }
      if (names.length === 0 && relative !== '') {
        try {
          markers.push(keyOf(relative, true));
        } catch (error) {
          skip(entry, (error as Error).message);
        }
      }
      for (const name of names) {
        await walk(path.join(entry, name), relative === '' ? name : `${relative}/${name}`);
      }
    } else {
      skip(entry, 'not a regular file');
    }
  };
  for (const entry of outermostPaths(paths)) {
    picked = entry;
    const name = pickedName(entry);
    const stat = await fs.stat(entry).catch(() => undefined);
    if (stat?.isDirectory()) {
      try {
        // A root's files go straight under the destination, whose prefix is scoped already (and may be "", a store's root).
        folders.push(name === '' ? prefix : keyOf(name, true));
      } catch (error) {
        // A folder whose name makes no key (too long for the destination, say): skipped, saying why, as its files would be.
        skip(entry, (error as Error).message);
        continue;
      }
    }
    await walk(entry, name, true);
  }
  return { items, folders, markers, taken };
}

/**
 * The folder a picked path's files go under at the destination: its name. A
 * drive or a file system's root (`E:\\`, `/`) has none, so its files go
 * straight under the destination (not under "/", which would make keys with "//").
 */
export function pickedName(entry: string, paths: Pick<typeof path, 'basename' | 'resolve'> = path): string {
  return paths.basename(paths.resolve(entry));
}

/**
 * Picked paths without those inside another picked (a folder and a file in it), nor one picked twice ("/a/dir" and
 * "/a/dir/"): each file goes once, under its folder.
 */
function outermostPaths(paths: readonly string[]): string[] {
  const resolved = paths.map((entry) => path.resolve(entry));
  // Compared as the platform compares paths (Windows: "C:\\a\\Dir" and "c:\\a\\dir" are one folder).
  const isInside = (entry: string, folder: string) => {
    const relative = path.relative(folder, entry);
    return relative !== '' && !isOutside(relative);
  };
  const sameAsEarlier = (index: number) => resolved.slice(0, index).some((earlier) => path.relative(earlier, resolved[index]) === '');
  return paths.filter((_, index) => !sameAsEarlier(index) && !resolved.some((other, at) => at !== index && isInside(resolved[index], other)));
}

/** Pages of a destination folder listed at least before its files' keys are asked one by one instead. */
const MIN_LISTED_PAGES = 10;

/**
 * The keys that exist already under the folders being uploaded (a listing
 * each) and at the other files' keys (a HEAD each). A folder that holds far
 * more than is uploaded into it (the day's 20 bags into a folder of
 * millions) is not listed whole before the first byte goes: past as many
 * pages as its files' HEADs would take (they go several at once), its
 * files are asked about one by one.
 */
async function existingKeys(context: UploadContext, folders: readonly string[], items: readonly UploadItem[], signal: AbortSignal): Promise<Set<string>> {
  const existing = new Set<string>();
  const listedWhole: string[] = [];
  for (const folder of folders) {
    const files = items.filter((item) => item.key.startsWith(folder)).length;
    const maxPages = Math.max(MIN_LISTED_PAGES, Math.ceil(files / context.settings.fileConcurrency));
    let continuationToken: string | undefined;
    let pages = 0;
    do {
      const page = await context.list(folder, continuationToken, signal);
      page.objects.forEach((object) => existing.add(object.key));
      continuationToken = page.nextContinuationToken;
    } while (continuationToken && ++pages < maxPages);
    if (!continuationToken) {
      listedWhole.push(folder);
    } else {
      context.log(`"${folder}" holds more than ${pages} pages of keys: each file uploaded into it is looked for by itself`);
    }
  }
  const loose = items.filter((item) => !listedWhole.some((folder) => item.key.startsWith(folder)));
  await forEachConcurrently(loose, context.settings.fileConcurrency, signal, async (item, headSignal) => {
    if (await context.head(item.key, headSignal)) {
      existing.add(item.key);
    }
  });
  return existing;
}

/** Uploads local files and folders under a prefix: PutObject for small files, parallel multipart for large ones. */
export function uploadFiles(context: UploadContext, request: UploadRequest): Promise<UploadReport> {
  // The job's cancel is the caller's, and also a Cancel given as the answer to the question about an existing key:
  // either stops every file in flight at once (and aborts its multipart upload).
  return withJobCancel(request.signal, (job) => uploadJob(context, request, job));
}

async function uploadJob(context: UploadContext, request: UploadRequest, job: AbortController): Promise<UploadReport> {
  const { destinationPrefix } = request;
  const signal = job.signal;
  const conflict = askOnce(request.onConflict, job);
  const { settings, writer } = context;
  const meter = new ProgressMeter(request.onProgress);
  const report: UploadReport = { keys: [], skipped: [], bytes: 0, folders: [] };
  const budget = new ByteBudget(settings.partConcurrency * settings.partSizeBytes);
  const partBuffers = new PartBuffers(settings.partSizeBytes);
  const skip = (file: string, reason: string) => {
    report.skipped.push({ path: file, reason });
    context.log(`Skipped ${file}: ${reason}`);
  };
  /** A file counted in the job's totals and skipped after all: out of the totals, so the bar ends full. */
  const skipItem = (item: UploadItem, reason: string) => {
    skip(item.path, reason);
    meter.removeTotal(1, item.size);
  };

  const { items, folders, markers, taken } = await collect(request.paths, context, destinationPrefix, skip, signal);
  meter.addTotal(items.length, items.reduce((sum, item) => sum + item.size, 0));
  const existing = await existingKeys(context, folders, items, signal);
  // An empty folder is kept as the zero-byte marker New Folder makes, else it would vanish.
  for (const marker of markers.filter((key) => !existing.has(key))) {
    await withRetries(`"${marker}"`, context, signal, () => writer.putObject(marker, new Uint8Array(0), { signal }));
    report.folders?.push(marker);
    context.log(`Made the empty folder "${marker}"`);
  }

  /**
   * A file listed but refused when opened (no permission, held by another program on Windows), or gone since (a
   * recorder renames "x.bag.active" to "x.bag" when it ends): skipped with the reason, as a folder that can't be read
   * is, before anything of it is sent (one that changes while it is read is skipped too, see uploadTo). The job fails
   * when what was picked is gone (a drive removed, the folder moved): every file after would be "no longer there".
   */
  const unreadableFile = async (item: UploadItem, error: unknown): Promise<undefined> => {
    const { code } = (error ?? {}) as { code?: unknown };
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
      // A file picked by itself: the folder it was in.
      const holder = item.picked === item.path ? path.dirname(item.path) : item.picked;
      if (!(await fs.stat(holder).then(() => true, () => false))) {
        throw new LogqsError('storage', `"${holder}" is no longer there (a drive removed, or the folder moved or deleted while it was uploaded)`);
      }
      skipItem(item, 'is no longer there: removed, renamed or replaced by a folder since it was listed');
    } else if (code === 'EACCES' || code === 'EPERM' || code === 'EBUSY') {
      skipItem(item, `can't be read (${(error as Error).message})`);
    } else {
      throw error;
    }
    return undefined;
  };

  /** False when the file was skipped as unreadable. */
  const putSmall = async (item: UploadItem, signal: AbortSignal): Promise<boolean> => {
    const release = await budget.acquire(item.size, signal);
    try {
      // One step on a file thread (open, read, close), not three hand-offs to the thread pool.
      const body = await context.files.read(item.path, item.size).catch((error: unknown) => unreadableFile(item, error));
      if (!body) {
        return false;
      }
      await withRetries(`"${item.key}"`, context, signal, () => writer.putObject(item.key, body, { contentType: contentTypeOf(path.basename(item.path)), signal }));
      meter.addBytes(item.size);
      return true;
    } finally {
      release();
    }
  };

  /**
   * Aborts a multipart upload so that no part stays behind on the server (they cost storage and are invisible in
   * listings): tried as a part is, even after a Cancel (the job's signal is aborted then), since the failure may be a
   * passing one too. True when it could not be, and its parts may stay (said in the log).
   */
  const abortUpload = (key: string, uploadId: string): Promise<boolean> =>
    withRetries(`aborting the upload of "${key}"`, context, new AbortController().signal, () => writer.abortMultipartUpload(key, uploadId)).then(
      () => false,
      (abortError: unknown) => {
        // No such upload: aborted already (by a lifecycle rule, another client), and its parts with it.
        if (LogqsError.is(abortError, 'not-found')) {
          return false;
        }
        context.log(`Couldn't abort the multipart upload of "${key}" (${(abortError as Error).message}); its parts may remain until the bucket's lifecycle rules remove them`);
        return true;
      },
    );

  const putLarge = async (item: UploadItem, file: fs.FileHandle, opened: Stats, signal: AbortSignal) => {
    // Nothing is started on the server for a job cancelled meanwhile (a failure elsewhere, a Cancel while the file opened).
    throwIfAborted(signal);
    // The request that starts it is not aborted by Cancel: the server may have made the upload already, and only its
    // id lets it be aborted. Cancel still answers at once; an upload that arrives after it is aborted then.
    const starting = withRetries(`starting "${item.key}"`, context, signal, () => writer.createMultipartUpload(item.key, { contentType: contentTypeOf(path.basename(item.path)) }));
    const { uploadId } = await untilAborted(starting, signal).catch((error: unknown) => {
      if (signal.aborted) {
        // Aborted as any other (its failure said in the log); no upload made (its start failed): nothing to abort.
        void starting.then(
          ({ uploadId: late }) => abortUpload(item.key, late),
          () => undefined,
        );
      }
      throw error;
    });
    const parts: CompletedPart[] = [];
    let sent = 0;
    try {
      // Parts of the set size, unless that would take more than S3's 10,000: part 10,001 is refused after the rest is sent.
      const partSize = partSizeFor(item.size, settings.partSizeBytes);
      const ranges = planRanges(item.size, partSize).map((range, index) => ({ ...range, partNumber: index + 1 }));
      await forEachConcurrently(ranges, settings.partConcurrency, signal, async (range, partSignal) => {
        const length = range.end - range.start + 1;
        const release = await budget.acquire(length, partSignal);
        const buffer = partBuffers.take(length);
        try {
          const body = await readPart(file, item, buffer, range.start, length);
          // Growing (a bag still being recorded): found at the next part, not after every byte of it is sent.
          if ((await onLocalFile(file.stat())).size !== item.size) {
            throw fileChangedError(item.path);
          }
          parts.push(await withRetries(`part ${range.partNumber} of "${item.key}"`, context, partSignal, () => writer.uploadPart(item.key, uploadId, range.partNumber, body, partSignal)));
          sent += length;
          meter.addBytes(length);
        } finally {
          partBuffers.give(buffer);
          release();
        }
      });
      // Longer now (a log still being written): its first bytes alone would be stored as if they were the file.
      const read = await onLocalFile(file.stat());
      if (read.size !== item.size) {
        throw fileChangedError(item.path);
      }
      // Written to in place (a recording into a file made full size first, a database's pages): parts read minutes
      // apart would put two versions together.
      if (read.mtimeMs !== opened.mtimeMs) {
        throw fileChangedError(item.path, 'content');
      }
      parts.sort((a, b) => a.partNumber - b.partNumber);
      // Every byte is sent: a Cancel now doesn't stop the request that puts them together. Stopped, it may have
      // completed the object on the server all the same, and the job would say cancelled of a file that is there.
      const completing = new AbortController().signal;
      let tries = 0;
      try {
        await withRetries(`completing "${item.key}"`, context, completing, () => (tries++, writer.completeMultipartUpload(item.key, uploadId, parts, completing)));
      } catch (error) {
        // A try whose answer was lost may have completed the object: the next, ours or the S3 client's own, then finds
        // no upload (NoSuchUpload, not-found). The object is these parts if it has the ETag they make; anything else is
        // the failure it says it is (an identical object there before doesn't make a real failure a success).
        const mayHaveLanded = tries > 1 || LogqsError.is(error, 'not-found');
        const made = mayHaveLanded && (await context.head(item.key, completing).catch(() => undefined));
        const expected = multipartEtag(parts);
        if (!made || !made.etag || !expected || !sameEtag(made.etag, expected)) {
          throw error;
        }
        // Or every try failed and these bytes were there already (the same file, uploaded before): the upload is then
        // still open, and its parts would stay. Aborting a completed one finds nothing, and changes nothing.
        context.log(`"${item.key}" holds these parts (put together on an earlier try whose answer was lost, or there already)`);
        await writer.abortMultipartUpload(item.key, uploadId).catch(() => undefined);
      }
    } catch (error) {
      meter.removeBytes(sent);
      const left = await abortUpload(item.key, uploadId);
      if (error instanceof FileChangedError) {
        // Skipped (see uploadTo), saying its parts may stay.
        error.partsLeft = left;
        throw error;
      }
      const failure = toLogqsError(error);
      // A failure says so too (a cancel says nothing: the log does).
      throw left && failure.code !== 'cancelled'
        ? new LogqsError(failure.code, `${failure.message}; the parts sent may stay on the server until the bucket's lifecycle rules remove them (see the LogQS log)`, { cause: error })
        : error;
    }
  };

  /**
   * A key beside `key` that no file goes to: not on the server, nor taken by another file of this job, nor given by
   * Keep both to a file of another job still on its way. Claimed once free on the server too (looked at again after
   * the wait). Numbered after the destination prefix only: a key prefix may end inside a name ("reports/2024."), and
   * a number put before that name's last dot would take the key outside it.
   */
  const keepBothKey = async (key: string, signal: AbortSignal) => {
    const base = key.startsWith(destinationPrefix) ? destinationPrefix : '';
    const rest = key.slice(base.length);
    // The name is shortened before its number where the numbered key would pass S3's limit on a whole key.
    const maxNameBytes = MAX_KEY_BYTES - byteLength(key.slice(0, base.length + rest.lastIndexOf('/') + 1));
    const unclaimed = (candidate: string) => !existing.has(candidate) && !taken.has(candidate) && !context.keysInFlight.has(candidate);
    const free = async (candidate: string) => {
      if (!unclaimed(candidate) || (await context.head(candidate, signal)) || !unclaimed(candidate)) {
        return false;
      }
      taken.claim(candidate);
      context.keysInFlight.claim(candidate);
      return true;
    };
    return base + (await firstFreeName(rest, (candidate) => free(base + candidate), { maxNameBytes, separators: ['/'] }));
  };

  /** One file, its work stopped by `signal` (the job's, or aborted when another file fails the job). */
  const uploadItem = async (item: UploadItem, signal: AbortSignal) => {
    const choice = existing.has(item.key) ? await conflict(item.key) : 'overwrite';
    if (choice === 'skip') {
      skipItem(item, `"${item.key}" exists already`);
    } else if (choice === 'keepBoth') {
      const key = await keepBothKey(item.key, signal);
      try {
        await uploadTo({ ...item, key }, signal);
      } finally {
        // Uploaded, the key is on the server for the next job to see; failed, it is free again.
        context.keysInFlight.release(key);
      }
    } else {
      await uploadTo(item, signal);
    }
  };

  const uploadTo = async (item: UploadItem, signal: AbortSignal) => {
    // The question about an existing key may be answered after the job failed or was cancelled: nothing more is sent then.
    throwIfAborted(signal);
    try {
      if (item.size > settings.partSizeBytes) {
        const file = await openFile(item.path).catch((error: unknown) => unreadableFile(item, error));
        if (!file) {
          return;
        }
        try {
          // Grown since it was listed: nothing is started on the server for it.
          if (file.opened.size !== item.size) {
            skipItem(item, 'changed size since it was listed (is it still being written?)');
            return;
          }
          await putLarge(item, file.handle, file.opened, signal);
        } finally {
          await file.handle.close();
        }
      } else if (!(await putSmall(item, signal))) {
        return;
      }
    } catch (error) {
      // That file alone (its multipart upload aborted already): the others still go, and the reason is said.
      if (!(error instanceof FileChangedError) || signal.aborted) {
        throw error;
      }
      const partsLeft = error.partsLeft ? '; the parts sent may stay on the server until the bucket\'s lifecycle rules remove them' : '';
      skipItem(item, `${error.reason}${partsLeft}`);
      return;
    }
    existing.add(item.key);
    report.keys.push(item.key);
    report.bytes += item.size;
    meter.fileDone();
    context.log(`Uploaded ${item.path} (${item.size} bytes) to "${item.key}"`);
  };
  try {
    // Of many files, a failure says which one (a refused part or a reset connection doesn't name it itself).
    await forEachConcurrently(items, settings.fileConcurrency, signal, (item, fileSignal) =>
      uploadItem(item, fileSignal).catch((error: unknown) => {
        throw failureOf(item.path, error);
      }),
    );
  } finally {
    // The final counts however it ends: a job cancelled or failed part way says what it had done.
    meter.finish();
  }
  return report;
}
