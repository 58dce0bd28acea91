import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createWholeFileThreads } from '../../src/adapters/files/wholeFileThreads';
import { createRangeReader } from '../../src/adapters/http/rangeReader';
import { S3ClientCache } from '../../src/adapters/s3/s3Client';
import { s3Gateways } from '../../src/adapters/s3/s3Gateway';
import { s3Writers } from '../../src/adapters/s3/s3Writer';
import { ObjectService } from '../../src/core/objectService';
import type { ObjectGatewayFactory, ObjectWriterFactory } from '../../src/core/ports';
import type { DownloadContext, RangeReader, RangeResponse, TransferProgress, TransferSettings, WholeFiles } from '../../src/core/transfer';
import { SMALL_OBJECT_BYTES } from '../../src/core/transfer/download';
import type { RetryPolicy } from '../../src/core/transfer/retry';
import { Readable } from 'node:stream';
import { memorySource } from './memoryPorts';
import { testStoreFields } from './s3Server';

export const MIB = 1024 * 1024;

/**
 * Small parts, so part-size edge cases need only a few MiB. The test server is on this machine, but what
 * is tested is the remote case: large objects in parallel ranges there too.
 */
export const TEST_SETTINGS: TransferSettings = { partSizeBytes: 5 * MIB, partConcurrency: 4, loopbackPartConcurrency: 4, fileConcurrency: 8, presignExpirySeconds: 3600 };

/**
 * The real data plane for tests: the embedded source over memory ports, the
 * real S3 adapters and range reader against the real S3 server, and a log
 * the test can read. `gateways`/`writers`/`reader` can wrap the real ones to watch them.
 */
export function transferRig(
  options: { settings?: Partial<TransferSettings>; wrapGateways?: (real: ObjectGatewayFactory) => ObjectGatewayFactory; wrapWriters?: (real: ObjectWriterFactory) => ObjectWriterFactory; wrapReader?: (real: RangeReader) => RangeReader } = {},
) {
  const clients = new S3ClientCache(() => ({ timeoutMs: 10_000 }));
  const http = createRangeReader({ timeoutMs: () => 10_000 });
  const files = createWholeFileThreads();
  const gateways = (options.wrapGateways ?? ((real) => real))(s3Gateways(clients, http));
  const writers = (options.wrapWriters ?? ((real) => real))(s3Writers(clients));
  const { source } = memorySource({ gateways });
  const log: string[] = [];
  const settings = { ...TEST_SETTINGS, ...options.settings };
  const objects = new ObjectService({ writers, http: (options.wrapReader ?? ((real) => real))(http), files, settings: () => settings, log: (message) => log.push(message) });
  const addStore = (bucket: string, overrides: Record<string, unknown> = {}) =>
    source.create(testStoreFields(bucket, overrides));
  const dispose = () => {
    clients.dispose();
    http.dispose();
    files.dispose();
  };
  return { source, objects, log, settings, addStore, dispose };
}

/** Callbacks of a job that record progress and answer conflicts with `choice`, counting the questions. */
export function jobCallbacks(signal: AbortSignal = new AbortController().signal, choice: 'overwrite' | 'skip' | 'keepBoth' = 'overwrite') {
  const progress: TransferProgress[] = [];
  const conflicts: string[] = [];
  return {
    progress,
    conflicts,
    callbacks: {
      signal,
      onProgress: (update: TransferProgress) => progress.push(update),
      onConflict: async (existing: string) => {
        conflicts.push(existing);
        return choice;
      },
    },
  };
}

/** Deterministic bytes that differ at every offset a part boundary could be. */
export function patternBytes(size: number, seed = 1): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  let state = seed >>> 0 || 1;
  for (let index = 0; index < size; index++) {
    state = (state * 1103515245 + 12345) >>> 0;
    bytes[index] = state >>> 24;
  }
  return bytes;
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export async function sha256OfFile(file: string): Promise<string> {
  return sha256(await fs.readFile(file));
}

/**
 * For a describe block of the engine's unit tests: one file thread for the
 * block, and a fresh temporary folder for each test (`scratch.dir`).
 */
export function engineScratch(prefix: string): { readonly dir: string; readonly files: ReturnType<typeof createWholeFileThreads> } {
  const scratch = { dir: '', files: createWholeFileThreads({ threads: 1 }) };
  after(() => scratch.files.dispose());
  beforeEach(async () => {
    scratch.dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  });
  afterEach(() => fs.rm(scratch.dir, { recursive: true, force: true }));
  return scratch;
}

/**
 * A download's store in memory: objects by key, fetched as `mem:<key>` URLs
 * and served by ranges. `answer` may replace the reader's answer for a key
 * (an error, a body that breaks); `delayMs` makes each GET slow enough that
 * the files of a job overlap, as they do on a network.
 */
export function memoryDownloadContext(
  objects: Record<string, Buffer>,
  files: WholeFiles,
  options: { answer?: (key: string, start: number, end: number) => RangeResponse | Error | undefined; delayMs?: number; retry?: RetryPolicy } = {},
): DownloadContext {
  const etagOf = (bytes: Buffer) => `"${createHash('md5').update(bytes).digest('hex')}"`;
  return {
    fetch: async (key) => ({ details: { key, size: objects[key].length, etag: etagOf(objects[key]), metadata: {} }, presignedUrl: `mem:${key}` }),
    list: async (prefix) => ({
      folders: [],
      objects: Object.keys(objects)
        .filter((key) => key.startsWith(prefix))
        .map((key) => ({ key, size: objects[key].length, etag: etagOf(objects[key]) })),
    }),
    files,
    http: {
      get: (async (url: string, range: { start: number; end?: number }): Promise<RangeResponse> => {
        const key = url.slice('mem:'.length);
        const bytes = objects[key];
        const end = range.end ?? bytes.length - 1;
        if (options.delayMs) {
          await new Promise((resolve) => setTimeout(resolve, options.delayMs));
        }
        const scripted = options.answer?.(key, range.start, end);
        if (scripted instanceof Error) {
          throw scripted;
        }
        return scripted ?? { status: 206, start: range.start, etag: etagOf(bytes), totalSize: bytes.length, body: Readable.from([bytes.subarray(range.start, end + 1)]) };
      }) as DownloadContext['http']['get'],
    },
    settings: { partSizeBytes: 8 * SMALL_OBJECT_BYTES, partConcurrency: 2, loopbackPartConcurrency: 2, fileConcurrency: 4, presignExpirySeconds: 60, retry: options.retry },
    log: () => undefined,
  };
}

/** A fresh temporary folder, removed by the returned function. */
export async function temporaryFolder(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'logqs-transfer-'));
  return { dir, remove: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** Every file under a folder, as relative paths with "/", sorted. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}
