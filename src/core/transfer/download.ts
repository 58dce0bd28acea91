import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LogqsError, cancelledError, failureOf, isAbort, systemErrorCode, toLogqsError } from '../errors';
import { formatBytes } from '../format';
import { pagesAhead } from '../objectBrowser';
import type { FetchedObject, ObjectSummary } from '../ports';
import { forEachConcurrently, withJobCancel } from './concurrency';
import { moveToFreeName, promiseNamingCalls, replaceWith } from './freeName';
import { Claims, askOnce, firstFreeName } from './conflicts';
import { md5Of, plainMd5, sameEtag } from './etags';
import { isLoopbackUrl } from './loopback';
import { MAX_NAME_BYTES, type LocalSegments, keyBelow, localFileIdentity, localSegments, nameLength, parentPreparer, pathUnder } from './localPaths';
import { PositionalWriter, WriteQueue } from './positionalWriter';
import { ProgressMeter } from './progress';
import { backoffMs, isRetryable, retryPolicy, sleep, throwIfAborted } from './retry';
import type { ChunkedBody, CommitResult, DownloadContext, DownloadReport, DownloadRequest, RangeResponse, ReadResult } from './types';

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/** The ranged GETs of an object: parts of `partSize`, the last one shorter. */
export function planRanges(size: number, partSize: number): ByteRange[] {
  const ranges: ByteRange[] = [];
  for (let start = 0; start < size; start += partSize) {
    ranges.push({ start, end: Math.min(size, start + partSize) - 1 });
  }
  return ranges;
}

/** One object being fetched: its metadata and a presigned URL, renewed when it expires. */
class RemoteObject {
  private renewal?: Promise<void>;
  /** An answer said the ETag is no MD5 of the bytes (an encrypted object: see etagHidesMd5). */
  private md5Hidden = false;
  /** The ETag answers gave, where the object's details had none (an API may not say it). */
  answeredEtag?: string;

  constructor(
    private readonly context: DownloadContext,
    private fetched: FetchedObject,
    private readonly signal: AbortSignal,
  ) {}

  get key(): string {
    return this.fetched.details.key;
  }

  get size(): number {
    return this.fetched.details.size;
  }

  /** The details' ETag; where they have none (an API may not say it), the one the first answer gave, which every later answer must give too. */
  get etag(): string | undefined {
    return this.fetched.details.etag ?? this.answeredEtag;
  }

  get url(): string {
    return this.fetched.presignedUrl;
  }

  /**
   * The MD5 its bytes must have, where its ETag is one; known for sure once an answer's headers came. None for an
   * empty object, which is fetched by no request: whether its ETag is an MD5 (it isn't, encrypted with SSE-KMS) can't
   * be known, and its size says all there is.
   */
  get md5(): string | undefined {
    return this.md5Hidden || this.size === 0 ? undefined : plainMd5(this.etag);
  }

  /** Takes in what an answer says of the object's ETag. */
  heard(response: RangeResponse<unknown>): void {
    this.md5Hidden ||= response.md5Hidden === true;
    this.answeredEtag ??= response.etag;
  }

  /** A fresh URL (one request however many parts ask at once); the object must still be the same one. */
  renewUrl(): Promise<void> {
    this.renewal ??= (async () => {
      try {
        const fresh = await this.context.fetch(this.key, this.signal);
        this.assertSame(fresh.details.etag, fresh.details.size);
        this.fetched = fresh;
        this.context.log(`Renewed the presigned URL of "${this.key}"`);
      } finally {
        this.renewal = undefined;
      }
    })();
    return this.renewal;
  }

  /** Throws 'changed' when a response shows another version of the object than the one being downloaded. */
  assertSame(etag: string | undefined, totalSize: number | undefined): void {
    if ((etag !== undefined && this.etag !== undefined && !sameEtag(etag, this.etag)) || (totalSize !== undefined && totalSize !== this.size)) {
      throw new LogqsError('changed', `"${this.key}" was replaced on the server during the download; try again`);
    }
  }
}

/** The whole object sent where a part of it was asked for: a server (a proxy, a CDN) that ignores byte ranges. */
class RangeIgnoredError extends LogqsError {}

/** Refuses an answer whose bytes don't belong at `position` of this object: another version, the whole object, bytes from elsewhere. */
function acceptable(response: RangeResponse<unknown>, object: RemoteObject, position: number, range: ByteRange): void {
  object.assertSame(response.etag, response.totalSize);
  object.heard(response);
  if (response.status === 200 && (position > 0 || range.end < object.size - 1)) {
    // The whole object where a part was asked for: written at this part's place it would spoil the file.
    throw new RangeIgnoredError('remote', `The server of "${object.key}" ignored the byte range it was asked for (it sent the whole object), which this download needs`);
  }
  if (response.status === 206 && response.end !== undefined && response.end > range.end) {
    // Past the range, its bytes would be written over the next range's, and counted twice: the file would seem too long.
    throw new LogqsError('remote', `The server of "${object.key}" sent bytes up to ${response.end} when asked for bytes up to ${range.end}`);
  }
  if (response.status === 206 && response.start !== position) {
    // Written where they were asked for, bytes from elsewhere (or from nobody knows where) would spoil the file; a multipart ETag has no MD5 to catch it.
    throw new LogqsError(
      'remote',
      response.start === undefined
        ? `The server of "${object.key}" sent part of the object without saying which (no Content-Range)`
        : `The server of "${object.key}" sent bytes from ${response.start} when asked for bytes from ${position}`,
    );
  }
}

/**
 * Fetches one byte range, retrying what may succeed again and fetching only
 * the bytes still missing each time. `get` asks the reader for the bytes
 * from `position` on; `consume` stores them and returns how many it kept.
 */
async function fetchRange<Body>(
  object: RemoteObject,
  range: ByteRange,
  context: DownloadContext,
  signal: AbortSignal,
  get: (url: string, range: { start: number; end: number }) => Promise<RangeResponse<Body>>,
  consume: (response: RangeResponse<Body>, position: number) => Promise<{ kept: number; error?: unknown }>,
): Promise<void> {
  let position = range.start;
  let failures = 0;
  let renewals = 0;
  while (position <= range.end) {
    throwIfAborted(signal);
    let failure: unknown;
    try {
      const response = await get(object.url, { start: position, end: range.end });
      try {
        acceptable(response, object, position, range);
      } catch (refusal) {
        response.discard?.();
        throw refusal;
      }
      const { kept, error } = await consume(response, position);
      position += kept;
      if (kept > 0) {
        failures = 0;
        renewals = 0;
      }
      // An answer with no bytes and no error would be asked again at once, forever: it counts as a failed try.
      failure = error ?? (kept === 0 ? new LogqsError('unreachable', `The server sent no bytes of "${object.key}" from byte ${position}`) : undefined);
    } catch (error) {
      failure = error;
    }
    if (failure === undefined) {
      // A response that ended early without an error: ask again for the rest.
      continue;
    }
    if (isAbort(failure) || signal.aborted) {
      throw cancelledError();
    }
    if (LogqsError.is(failure, 'forbidden') && renewals < 2) {
      // A presigned URL that expired during a long transfer (or whose signing session did) is refused: get a new one.
      renewals++;
      await object.renewUrl();
      continue;
    }
    if (!isRetryable(failure) || ++failures >= retryPolicy(context.settings).attempts) {
      throw toLogqsError(failure);
    }
    context.log(`Retrying "${object.key}" from byte ${position} after: ${toLogqsError(failure).message}`);
    await sleep(backoffMs(failures, retryPolicy(context.settings)), signal);
  }
}

/** Writes a body into an open file from `position` on; reports the bytes written even when it fails midway. */
async function writeBodyAt(
  body: ChunkedBody,
  file: fs.FileHandle,
  position: number,
  writes: WriteQueue,
  onChunk: (chunk: Uint8Array) => void,
): Promise<{ kept: number; error?: unknown }> {
  const out = new PositionalWriter(file.fd, position, writes);
  try {
    if (body instanceof Readable) {
      // A stream is counted by listening beside the pipe: no extra step (and promise) per chunk.
      body.on('data', onChunk);
      await pipeline(body, out);
    } else {
      // Chunks valid only until the next is asked for (see ChunkedBody): each is written before the next is asked for.
      for await (const chunk of body) {
        onChunk(chunk);
        await out.writeChunk(chunk);
      }
    }
    return { kept: out.bytesWritten };
  } catch (error) {
    return { kept: out.bytesWritten, error: keptError(error) };
  }
}

/** What stopped a body: kept as it is when it says why itself (a LogqsError, a cancel), else a network failure. */
function keptError(error: unknown): unknown {
  return error instanceof LogqsError || isAbort(error) ? error : networkFailure(error);
}

/** A body that broke off mid-transfer (reset, timeout) is a network failure, which is retried. */
function networkFailure(error: unknown): LogqsError {
  return new LogqsError('unreachable', `The connection broke during the download (${(error as Error).message})`, { cause: error });
}

async function md5OfFile(file: string, signal: AbortSignal): Promise<string> {
  const hash = createHash('md5');
  await pipeline(createReadStream(file, { highWaterMark: 1024 * 1024, signal }), hash);
  return hash.digest('hex');
}

/**
 * Objects up to this size are read into memory and written with one call:
 * for a folder of small files the per-file work (a file handle, a stream
 * pipeline) costs more than the bytes. Memory stays at file concurrency × this.
 */
export const SMALL_OBJECT_BYTES = 1024 * 1024;

/** Why a key's folder (`folder`, in the download folder) can't be made, where that is the key's alone: not a full disk's, say. */
function unplaceableReason(error: unknown, folder: string): string | undefined {
  if (LogqsError.is(error, 'outside-prefix')) {
    return `a link in the download folder leads its folder ${folder} outside it`;
  }
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOTDIR':
    case 'EEXIST':
      // Keys "a" and "a/b", or "a" and "a/c/f": the file may stand where a folder above it would go.
      return `a file stands where its folder ${folder}, or one above it, would go`;
    case 'ENAMETOOLONG':
      // A key nested deeper than the file system's paths go.
      return 'its path would be longer than this file system allows';
    case 'ELOOP':
      return `its folder ${folder} goes through a loop of links`;
    default:
      return undefined;
  }
}

/** A download that did not bring every byte replaces nothing. */
function incompleteError(object: RemoteObject, written: number): LogqsError {
  return new LogqsError('changed', `"${object.key}" arrived with ${written} bytes instead of ${object.size}; try again`);
}

/** Nor does one whose MD5 is not its ETag's. */
function damagedError(object: RemoteObject): LogqsError {
  return new LogqsError('changed', `"${object.key}" arrived damaged (its MD5 differs from its ETag); try again`);
}

/** Checks what arrived before it replaces anything: every byte, and the MD5 where the ETag is one. */
async function verifyArrival(object: RemoteObject, written: number, md5: () => Promise<string> | string): Promise<void> {
  if (written !== object.size) {
    throw incompleteError(object, written);
  }
  const expectedMd5 = object.md5;
  if (expectedMd5 && (await md5()) !== expectedMd5) {
    throw damagedError(object);
  }
}

/** A large object in parallel ranges written at their offsets into `temporary`; returns the bytes written and how to get their MD5. */
async function fetchRangesToFile(
  object: RemoteObject,
  temporary: string,
  context: DownloadContext,
  signal: AbortSignal,
  onBytes: (count: number) => void,
  oneRequest = false,
): Promise<{ written: number; md5: () => Promise<string> | string }> {
  const file = await fs.open(temporary, 'wx');
  const writes = new WriteQueue();
  /** Bytes written to the file: every range's, each counted once, so a gap can't pass for a whole file. */
  let written = 0;
  try {
    // Parts are for lanes to share: one lane asks for the whole object at once (a request a part would cost a
    // round trip and the server's start of a GET each, for nothing).
    const { partSizeBytes } = context.settings;
    const lanes = oneRequest ? 1 : isLoopbackUrl(object.url) ? context.settings.loopbackPartConcurrency : context.settings.partConcurrency;
    const ranges = planRanges(object.size, lanes > 1 ? partSizeBytes : object.size);
    // A single range arrives in order and is hashed as it comes; after a failed attempt (bytes received but
    // not kept) or with several ranges, the finished file is hashed instead.
    let streamingHash = object.md5 && ranges.length === 1 ? createHash('md5') : undefined;
    await forEachConcurrently(ranges, lanes, signal, (range, rangeSignal) =>
      fetchRange(
        object,
        range,
        context,
        rangeSignal,
        (url, part) => context.http.get(url, part, rangeSignal, 'file'),
        async ({ body }, position) => {
          let result: { kept: number; error?: unknown };
          if ('writeTo' in body) {
            // Bytes the reader writes itself are not seen here: the finished file is hashed instead.
            streamingHash = undefined;
            const { kept, error } = await body.writeTo(file.fd, position, onBytes);
            result = { kept, error: error === undefined ? undefined : keptError(error) };
          } else {
            const hash = streamingHash;
            let received = 0;
            result = await writeBodyAt(body, file, position, writes, (chunk) => {
              received += chunk.byteLength;
              onBytes(chunk.byteLength);
              hash?.update(chunk);
            });
            // Bytes received but not written when the body broke off are fetched again: counted then, not twice.
            if (result.kept < received) {
              onBytes(result.kept - received);
            }
          }
          if (result.error !== undefined) {
            streamingHash = undefined;
          }
          written += result.kept;
          return result;
        },
      ),
    );
    const hash = streamingHash;
    return { written, md5: () => (hash ? hash.digest('hex') : md5OfFile(temporary, signal)) };
  } finally {
    // A range that failed may leave writes queued: they end before the descriptor is closed (and reused).
    await writes.idle();
    await file.close();
  }
}

/** A whole object into one buffer (retried from where it broke off); refused if the server sends more than its size. */
async function fetchIntoBuffer(object: RemoteObject, context: DownloadContext, signal: AbortSignal, onBytes: (count: number) => void): Promise<Buffer> {
  const size = object.size;
  const bytes = Buffer.allocUnsafe(size);
  if (size > 0) {
    // Asked whole at first (no Range: cheaper for the server), then for the bytes still missing; a 200 is the whole object either way.
    const get = (url: string, range: { start: number; end: number }) => context.http.get(url, range.start === 0 ? { start: 0 } : range, signal);
    await fetchRange(object, { start: 0, end: size - 1 }, context, signal, get, async (response, position) => {
      let kept = 0;
      try {
        for await (const chunk of response.body) {
          if (position + kept + chunk.byteLength > size) {
            throw new LogqsError('changed', `"${object.key}" grew on the server while it was read; try again`);
          }
          bytes.set(chunk, position + kept);
          kept += chunk.byteLength;
          onBytes(chunk.byteLength);
        }
        return { kept };
      } catch (error) {
        return { kept, error: keptError(error) };
      }
    });
  }
  return bytes;
}

/**
 * A file's bytes written to disk before it is renamed over an existing one:
 * after a crash, some file systems (XFS; ext4 mounted without auto_da_alloc)
 * could otherwise show the rename and not the bytes, an empty file where the
 * old one was. New files skip it (nothing is lost by them), as curl and the
 * AWS CLI do for all.
 */
async function onDiskBeforeReplacing(file: string): Promise<void> {
  const handle = await fs.open(file, 'r+');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** Where a file lands, and whether it may replace a file there; or why it is skipped. */
type Placement = { target: string; replace: boolean } | { skip: string };

/**
 * Temporary names: random once per process (another window may download
 * into the same folder), then counted: random bytes for each file cost about
 * 40 µs of CPU apiece here, 75 ms for a folder of 2000 files.
 */
const temporaryNames = { prefix: randomBytes(4).toString('hex'), count: 0 };

/** A name for the file being written beside `target`, renamed onto it once complete and verified. */
function temporaryBeside(target: string): string {
  const unique = `${temporaryNames.prefix}${(temporaryNames.count++).toString(36)}`;
  // A name may have 255 bytes, and the target's may use most of them: a long one is cut (50 characters are at most 200 bytes).
  const name = path.basename(target);
  const shown = Buffer.byteLength(name) > 200 ? [...name].slice(0, 50).join('') : name;
  return path.join(path.dirname(target), `.${shown}.${unique}.logqs-partial`);
}

/**
 * Fetches an object and puts it where `placement` says, asking `place`
 * again when a file is found there: the place it took, or why it was skipped.
 */
type PutInPlace = (
  object: RemoteObject,
  placement: { target: string; replace: boolean },
  context: DownloadContext,
  signal: AbortSignal,
  onBytes: (count: number) => void,
  place: (target: string) => Promise<Placement>,
) => Promise<Placement>;

/**
 * A large object to `target`: parallel ranges written at their offsets into
 * a temporary file beside it, verified (size, and MD5 where the ETag is
 * one), then renamed. On any failure or cancel the temporary file is removed
 * and `target` is untouched. Unless `placement` says otherwise, it goes in
 * only if the name is still free: a file that came there while the bytes did
 * (another download, say) is not replaced unasked; `place` is asked then,
 * and its answer tried in turn (as downloadSmall does).
 */
const downloadLarge: PutInPlace = async (object, placement, context, signal, onBytes, place) => {
  const temporary = temporaryBeside(placement.target);
  try {
    let counted = 0;
    const fetched = await fetchRangesToFile(object, temporary, context, signal, (count) => {
      counted += count;
      onBytes(count);
    }).catch(async (error: unknown) => {
      if (!(error instanceof RangeIgnoredError)) {
        throw error;
      }
      // A server that answers a part with the whole object can still send it in one request (its bytes in order).
      context.log(`The server of "${object.key}" ignores byte ranges: the object is read again in one request`);
      await fs.rm(temporary, { force: true });
      onBytes(-counted);
      return fetchRangesToFile(object, temporary, context, signal, onBytes, true);
    });
    const { written, md5 } = fetched;
    await verifyArrival(object, written, md5);
    for (let current: Placement = placement; ; ) {
      if ('skip' in current) {
        await fs.rm(temporary, { force: true });
        return current;
      }
      if (current.replace) {
        await onDiskBeforeReplacing(temporary);
      }
      // No file of a cancelled job is put in place, however far its bytes came.
      throwIfAborted(signal);
      if (current.replace) {
        if ((await replaceWith(temporary, current.target, promiseNamingCalls, { cancelled: () => signal.aborted })) === 'written') {
          return current;
        }
        await fs.rm(temporary, { force: true });
        return { skip: IN_USE };
      }
      const moved = await moveToFreeName(temporary, current.target, promiseNamingCalls);
      if (moved === 'written') {
        return current;
      }
      current = moved === 'folder' ? { skip: FOLDER_THERE } : await place(current.target);
    }
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
};

/**
 * A small object put in place in one step: by the reader, which fetches it
 * straight into its file where it can (fetchIntoPlace); otherwise fetched
 * into memory and committed by the file threads (MD5 checked, temporary
 * written, renamed). Unless `placement` says otherwise an existing file is
 * not replaced: `place` is asked then, and its answer tried in turn.
 */
const downloadSmall: PutInPlace = async (object, placement, context, signal, onBytes, place) => {
  const { etag, size } = object;
  /** Fetched once the reader can't put the object in place itself; then kept for any other place tried. */
  let bytes: Buffer | undefined;
  const putInPlace = async (target: string, replace: boolean): Promise<CommitResult> => {
    const temporary = temporaryBeside(target);
    if (bytes === undefined && size > 0 && etag !== undefined && context.http.fetchIntoPlace) {
      // The reader checks the MD5 unless the answer's headers say the ETag is none (see etagHidesMd5).
      const result = await context.http.fetchIntoPlace(object.url, { size, etag, md5: object.md5 }, { target, temporary, replace }, signal);
      // Damaged bytes are fetched again, the ordinary way: damaged again, they are reported then.
      if (result !== undefined && result !== 'damaged') {
        if (result === 'written') {
          onBytes(size);
        }
        return result;
      }
    }
    if (bytes === undefined) {
      bytes = await fetchIntoBuffer(object, context, signal, onBytes);
      if (bytes.byteLength !== size) {
        throw incompleteError(object, bytes.byteLength);
      }
    }
    throwIfAborted(signal);
    return context.files.commit({ target, temporary, bytes, replace, md5: object.md5 }, signal);
  };
  for (let current: Placement = placement; ; ) {
    if ('skip' in current) {
      return current;
    }
    throwIfAborted(signal);
    const result = await putInPlace(current.target, current.replace);
    switch (result) {
      case 'written':
        return current;
      case 'damaged':
        throw damagedError(object);
      case 'folder':
        return { skip: FOLDER_THERE };
      case 'in-use':
        return { skip: IN_USE };
      case 'exists':
        current = await place(current.target);
    }
  }
};

const FOLDER_THERE = 'a folder of the same name exists (a key that is both a file and a folder)';
const IN_USE = 'the file there could not be replaced: it is open in another program, read-only, or in a folder that lets no file be replaced';
const SAME_FILE = 'another key of this download lands on the same file (the disk takes names that differ only in case for one, as macOS, Windows and such disks on Linux do, and on macOS names that differ in Unicode normalization)';
const SAME_NAME = 'another key of this download has the same name (keys of different folders or stores downloaded into one folder)';

/**
 * A file on disk by device and inode: two names of one file (two spellings on a disk that folds case, a link) are
 * one. None where the file system gives no inode (0: some network file systems, Windows' redirectors).
 */
const fileIdentity = (stat: { dev: bigint; ino: bigint }) => (stat.ino === 0n ? undefined : `${stat.dev}:${stat.ino}`);

/** The identities of files on disk (those gone since, or without one, left out). */
async function fileIdentities(paths: readonly string[]): Promise<Set<string>> {
  const stats = await Promise.all(paths.map((file) => fs.lstat(file, { bigint: true }).catch(() => undefined)));
  return new Set(stats.flatMap((stat) => (stat && fileIdentity(stat)) ?? []));
}

interface Candidate {
  key: string;
  /** Where it lands, below the download folder. */
  segments: LocalSegments;
  /** What the listing said of it (size, ETag), for a folder's objects. */
  listed?: ObjectSummary;
  /** Its size and URL, for an object asked for by key. */
  fetched?: FetchedObject;
}

/** The local files of one download, for every job it runs (see DownloadRequest.claims). */
export function downloadClaims(): Claims {
  return new Claims(localFileIdentity);
}

/** Downloads objects (by key) and folders (by prefix, listed page by page while the first files download). */
export function downloadObjects(context: DownloadContext, request: DownloadRequest): Promise<DownloadReport> {
  // The job's cancel is the caller's, and also a Cancel given as the answer to the question about an existing file:
  // either stops every request in flight at once, and no file of the job is written after it.
  return withJobCancel(request.signal, (job) => downloadJob(context, request, job));
}

async function downloadJob(context: DownloadContext, request: DownloadRequest, job: AbortController): Promise<DownloadReport> {
  const { targetDir } = request;
  const signal = job.signal;
  const meter = new ProgressMeter(request.onProgress);
  const report: DownloadReport = { files: [], skipped: [], bytes: 0 };
  const conflict = askOnce(request.onConflict, job);
  // Totals are shown once every folder has been listed; until then they are only what was listed so far.
  meter.setTotalsKnown(request.prefixes.length === 0);
  await fs.mkdir(targetDir, { recursive: true });
  const folders = parentPreparer(targetDir);
  const prepareParent = folders.prepare;
  // Objects asked for by key are fetched (size, URL) first, several at once: the job's totals are then all of them from
  // the start, not only those started so far (after the first of many keys the bar stood full).
  const keys: Candidate[] = request.keys.map((key) => ({ key, segments: localSegments(keyBelow(key, key)) }));
  // Every download writes files (a folder's small ones too, see downloadSmall): the reader gets ready while sizes are fetched or listed.
  context.http.prepareForFiles?.();
  if (request.prefixes.length > 0) {
    // A folder's first small file, whose GET learns the server's route, is written by the file threads (so are any
    // others the reader can't fetch into place): started now, during the listing, they are running by then (their
    // start took 100 ms on the first download of a session).
    context.files.prepare?.();
  }
  await forEachConcurrently(
    keys.filter((candidate) => candidate.segments.ok),
    context.settings.fileConcurrency,
    signal,
    async (candidate, fetchSignal) => {
      candidate.fetched = await context.fetch(candidate.key, fetchSignal).catch((error: unknown) => {
        throw failureOf(`"${candidate.key}"`, error);
      });
      meter.addTotal(1, candidate.fetched.details.size);
    },
  );

  async function* candidates(): AsyncGenerator<Candidate> {
    yield* keys;
    for (const prefix of request.prefixes) {
      const listedPrefix = request.listedAs?.get(prefix) ?? prefix;
      for await (const page of pagesAhead((continuationToken, listSignal) => context.list(listedPrefix, continuationToken, listSignal), signal)) {
        for (const listed of page.objects) {
          if (listed.key.endsWith('/') && listed.size === 0) {
            continue; // a folder marker: its folder is made by the files in it
          }
          meter.addTotal(1, listed.size);
          yield { key: listed.key, segments: localSegments(keyBelow(prefix, listed.key)), listed };
        }
      }
    }
    meter.setTotalsKnown(true);
  }

  const skipKey = (key: string, reason: string) => {
    report.skipped.push({ key, reason });
    context.log(`Skipped "${key}": ${reason}`);
  };
  /** The local files this job's keys (and those of the download's other jobs) go to, so that two never land on one (a file is asked about only when it was there before). */
  const claims = request.claims ?? downloadClaims();
  let conflictsMet = false;
  /**
   * The identities of the files this job put in place. The claims compare names as the platform does, but a disk may
   * fold case where the platform doesn't (WSL's /mnt/c, exFAT or SMB on Linux): "Data.csv" and "data.csv", two
   * claims, are one file there, and the second key finds the first's file, which it must not replace as one that was
   * there before. Taken only once an existing file is met (of the files placed so far, then of each placed after):
   * a download into a folder without such files stats nothing more.
   */
  let placedFiles: Promise<Set<string>> | undefined;
  /** Where a file goes given what is at `target` now: a folder is skipped, an existing file asked about (once a job). */
  const place = async (target: string): Promise<Placement> => {
    const existing = await fs.lstat(target, { bigint: true }).catch(() => undefined);
    if (existing?.isDirectory()) {
      return { skip: FOLDER_THERE };
    }
    if (!existing) {
      return { target, replace: false };
    }
    placedFiles ??= fileIdentities(report.files.map((file) => file.path));
    const identity = fileIdentity(existing);
    if (identity !== undefined && (await placedFiles).has(identity)) {
      return { skip: SAME_FILE };
    }
    conflictsMet = true;
    const choice = await conflict(target);
    if (choice === 'skip') {
      return { skip: 'a file of that name exists' };
    }
    if (choice === 'keepBoth') {
      // Claimed only once free on disk as well; the claim, being synchronous, can't be taken in between.
      const isFree = async (candidate: string) => !claims.has(candidate) && !(await fs.lstat(candidate).catch(() => undefined)) && claims.claim(candidate);
      // Only the platform's separator ends a folder: on Linux and macOS a "\\" is part of the name, and of its 255 bytes.
      const separators = path.sep === '\\' ? ['/', '\\'] : ['/'];
      return { target: await firstFreeName(target, isFree, { maxNameBytes: MAX_NAME_BYTES, separators, length: nameLength }), replace: false };
    }
    return { target, replace: true };
  };

  /** One file, its work stopped by `signal` (the job's, or aborted when another file fails the job). */
  const downloadCandidate = async (candidate: Candidate, signal: AbortSignal) => {
    /** What this file added to the job's totals, taken out again if it is skipped. */
    const counted = candidate.listed?.size ?? candidate.fetched?.details.size;
    const skip = (key: string, reason: string) => {
      skipKey(key, reason);
      if (counted !== undefined) {
        meter.removeTotal(1, counted);
      }
    };
    if (!candidate.segments.ok) {
      skip(candidate.key, candidate.segments.reason);
      return;
    }
    let target = pathUnder(targetDir, candidate.segments.segments);
    if (!claims.claim(target)) {
      skip(candidate.key, claims.hasExactly(target) ? SAME_NAME : SAME_FILE);
      return;
    }
    try {
      await prepareParent(target);
    } catch (error) {
      // A key the download folder can't take is skipped, saying why, and the rest of the folder still comes. Anything
      // else (a folder without write permission, a full disk) fails the job, saying so: not every file skipped for a wrong reason.
      const reason = unplaceableReason(error, path.relative(targetDir, path.dirname(target)));
      if (reason === undefined) {
        throw error;
      }
      skip(candidate.key, reason);
      return;
    }
    // Small objects of a folder are fetched first and not written over an existing file (one step on a file
    // thread, no check each); once a job has met an existing file, every file is checked before it is fetched.
    let checked: { target: string; replace: boolean } | undefined;
    if (!(candidate.listed && candidate.listed.size <= SMALL_OBJECT_BYTES) || conflictsMet) {
      const placement = await place(target);
      if ('skip' in placement) {
        skip(candidate.key, placement.skip);
        return;
      }
      checked = placement;
    }
    const fetched = candidate.fetched ?? (await context.fetch(candidate.key, signal, candidate.listed));
    const object = new RemoteObject(context, fetched, signal);
    if (candidate.listed) {
      object.assertSame(candidate.listed.etag, candidate.listed.size);
    }
    let received = 0;
    const onBytes = (count: number) => {
      received += count;
      meter.addBytes(count);
    };
    let placement: Placement;
    try {
      if (object.size <= SMALL_OBJECT_BYTES) {
        placement = await downloadSmall(object, checked ?? { target, replace: false }, context, signal, onBytes, place);
      } else {
        placement = checked ?? (await place(target));
        if (!('skip' in placement)) {
          placement = await downloadLarge(object, placement, context, signal, onBytes, place);
        }
      }
    } catch (error) {
      meter.removeBytes(received);
      switch (systemErrorCode(error)) {
        case 'EISDIR':
        case 'ENOTDIR':
          skip(candidate.key, 'a folder of the same name was made by another key of this download');
          return;
        case 'ENAMETOOLONG':
          // Its folder was made, so the name it is first written under, a few dozen bytes longer, went past the limit
          // (a path near PATH_MAX; a disk with shorter names, such as eCryptfs's 143 bytes).
          skip(candidate.key, 'its path, or the temporary name it is written under first, would be longer than this file system allows');
          return;
        default:
          throw error;
      }
    }
    if ('skip' in placement) {
      meter.removeBytes(received);
      skip(candidate.key, placement.skip);
      return;
    }
    target = placement.target;
    report.files.push({ key: candidate.key, path: target, size: object.size });
    // Once identities are taken (see placedFiles), each file placed adds its own.
    const identities = placedFiles;
    if (identities) {
      const [identity] = await fileIdentities([target]);
      if (identity !== undefined) {
        (await identities).add(identity);
      }
    }
    report.bytes += object.size;
    meter.fileDone();
    context.log(`Downloaded "${candidate.key}" (${object.size} bytes) to ${target}`);
  };
  try {
    // In a folder of many files a failure says which one (a 404, a full disk and a reset connection don't name it themselves).
    await forEachConcurrently(candidates(), context.settings.fileConcurrency, signal, (candidate, fileSignal) =>
      downloadCandidate(candidate, fileSignal).catch((error: unknown) => {
        throw failureOf(`"${candidate.key}"`, error);
      }),
    );
  } catch (error) {
    // The folders made for files that never came: a cancelled download leaves no empty tree behind.
    await folders.removeEmptyMade();
    throw error;
  } finally {
    folders.release();
    // The final counts however it ends: a job cancelled or failed part way says what it had done.
    meter.finish();
  }
  return report;
}

/** An object refused for an editor tab by its size: the size found, which may be more than the one listed (it grew since). */
export class TooLargeToOpenError extends LogqsError {
  constructor(
    message: string,
    readonly size: number,
  ) {
    super('too-large', message);
  }
}

/** One object into memory (for an editor tab), refused before any byte is fetched when it is larger than maxBytes. */
export async function readObjectBytes(context: DownloadContext, key: string, maxBytes: number, signal: AbortSignal): Promise<ReadResult> {
  const fetched = await context.fetch(key, signal);
  const { size } = fetched.details;
  if (size > maxBytes) {
    throw new TooLargeToOpenError(`"${key}" is ${formatBytes(size)}, more than the ${formatBytes(maxBytes)} that open in an editor; download it instead`, size);
  }
  const object = new RemoteObject(context, fetched, signal);
  const bytes = await fetchIntoBuffer(object, context, signal, () => undefined);
  await verifyArrival(object, bytes.byteLength, () => md5Of(bytes));
  // Without an ETag, a save back could not tell whether the object changed since: the one the GET answered with stands in.
  return { bytes, details: { ...fetched.details, etag: fetched.details.etag ?? object.answeredEtag } };
}
