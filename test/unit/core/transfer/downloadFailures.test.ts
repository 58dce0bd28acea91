import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { statusError } from '../../../../src/adapters/http/answers';
import { LogqsError } from '../../../../src/core/errors';
import { SMALL_OBJECT_BYTES, downloadObjects } from '../../../../src/core/transfer/download';
import type { ConflictChoice, DownloadContext, RangeResponse, TransferProgress } from '../../../../src/core/transfer';
import { code } from '../../../support/assertions';
import { engineScratch, memoryDownloadContext } from '../../../support/transfers';

/** What a user sees when a download goes wrong: progress that adds up, errors that name the key, no endless loops. */
describe('download failures', () => {
  const scratch = engineScratch('logqs-failures-');
  const { files } = scratch;
  const etagOf = (bytes: Buffer) => `"${createHash('md5').update(bytes).digest('hex')}"`;

  const context = (objects: Record<string, Buffer>, answer?: (key: string, start: number, end: number) => RangeResponse | Error | undefined) =>
    memoryDownloadContext(objects, files, { answer, retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 } });

  const request = (keys: string[], prefixes: string[], progress: TransferProgress[] = [], choice: ConflictChoice = 'overwrite') => ({
    keys,
    prefixes,
    targetDir: scratch.dir,
    signal: new AbortController().signal,
    onProgress: (update: TransferProgress) => progress.push(update),
    onConflict: async () => choice,
  });

  for (const [route, size] of [['small', 10], ['large', SMALL_OBJECT_BYTES + 10]] as const) {
    it(`takes a skipped file out of the totals, so the bar ends full (${route})`, async () => {
      await fs.mkdir(path.join(scratch.dir, 'f'));
      await fs.writeFile(path.join(scratch.dir, 'f', 'a.bin'), 'mine');
      const objects = { 'f/a.bin': Buffer.alloc(size, 'a'), 'f/b.bin': Buffer.alloc(size, 'b') };
      const progress: TransferProgress[] = [];
      const report = await downloadObjects(context(objects), request([], ['f/'], progress, 'skip'));
      assert.equal(report.skipped.length, 1);
      const last = progress[progress.length - 1];
      assert.equal(last.filesDone, last.filesTotal, JSON.stringify(last));
      assert.equal(last.bytesDone, last.bytesTotal, JSON.stringify(last));
    });
  }

  it('stops the files in flight when Cancel is the answer to the question about an existing file, and writes none of them', async () => {
    await fs.writeFile(path.join(scratch.dir, 'a.txt'), 'mine');
    const objects = { 'k/a.txt': Buffer.from('theirs'), 'k/b.bin': Buffer.alloc(SMALL_OBJECT_BYTES + 10, 'b') };
    const ctx = context(objects);
    const get = ctx.http.get.bind(ctx.http);
    let started!: () => void;
    const bStarted = new Promise<void>((resolve) => (started = resolve));
    // b.bin never comes unless its GET is cancelled, which ends it at once: a job that waited for it would not end.
    let bCancelled = false;
    ctx.http.get = (async (url: string, range: { start: number; end?: number }, signal: AbortSignal) => {
      if (url.endsWith('b.bin')) {
        started();
        await new Promise<void>((_resolve, reject) => {
          signal.addEventListener('abort', () => ((bCancelled = true), reject(new LogqsError('cancelled', 'Cancelled'))), { once: true });
        });
      }
      return get(url, range, signal);
    }) as typeof get;
    // The modal question's Cancel (the vscode UI throws a cancel), asked while b.bin is on its way.
    const onConflict = async (): Promise<ConflictChoice> => {
      await bStarted;
      throw new LogqsError('cancelled', 'Cancelled');
    };
    await assert.rejects(downloadObjects(ctx, { ...request(['k/a.txt', 'k/b.bin'], []), onConflict }), code('cancelled'));
    assert.deepEqual(await fs.readdir(scratch.dir), ['a.txt'], 'no file of the cancelled job, nor a temporary one');
    assert.ok(bCancelled, 'the GET in flight was cancelled');
  });

  it('counts the bytes of a body that broke off once, however many of them were not yet written', async () => {
    const object = Buffer.alloc(SMALL_OBJECT_BYTES + 10, 'x');
    let broken = false;
    // As node:http answers (a stream): chunks arrive, then the connection resets before they are all written.
    const breakOnce = (_key: string, start: number): RangeResponse | undefined => {
      if (broken) {
        return undefined;
      }
      broken = true;
      const chunks = [object.subarray(start, start + 1000), object.subarray(start + 1000, start + 2000), object.subarray(start + 2000, start + 3000)];
      async function* body() {
        yield* chunks;
        throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
      }
      return { status: 206, start, etag: etagOf(object), totalSize: object.length, body: Readable.from(body()) };
    };
    const progress: TransferProgress[] = [];
    const report = await downloadObjects(context({ 'a.bin': object }, breakOnce), request(['a.bin'], [], progress));
    assert.deepEqual(await fs.readFile(report.files[0].path), object);
    const most = Math.max(...progress.map((update) => update.bytesDone));
    assert.ok(most <= object.length, `${most} bytes shown done of ${object.length}`);
    assert.equal(progress[progress.length - 1].bytesDone, object.length);
  });

  it('gives up on a server that keeps answering with no bytes, instead of asking forever', async () => {
    const object = Buffer.alloc(100, 'x');
    let asked = 0;
    const empty = (_key: string, start: number): RangeResponse | Error => (++asked > 50 ? new Error('asked 50 times') : { status: 206, start, etag: etagOf(object), totalSize: object.length, body: Readable.from([]) });
    await assert.rejects(downloadObjects(context({ 'a.bin': object }, empty), request(['a.bin'], [])), (error: unknown) => LogqsError.is(error) && error.code !== 'bug');
    assert.ok(asked <= 4, `asked ${asked} times`);
  });

  it('names the key that failed in a folder job, and leaves no partial file of the others', async () => {
    const objects = { 'f/a.bin': Buffer.alloc(SMALL_OBJECT_BYTES + 10, 'a'), 'f/gone.bin': Buffer.alloc(10, 'g'), 'f/c.bin': Buffer.alloc(SMALL_OBJECT_BYTES + 10, 'c') };
    const gone = (key: string) => (key === 'f/gone.bin' ? new LogqsError('not-found', 'The object is no longer at s3 (NoSuchKey (HTTP 404)); refresh the list', { status: 404 }) : undefined);
    await assert.rejects(downloadObjects(context(objects, gone), request([], ['f/'])), (error: unknown) => code('not-found')(error) && (error as Error).message.includes('f/gone.bin'));
    // The folder it made goes too when no file of it was placed before the failure.
    const left = await fs.readdir(path.join(scratch.dir, 'f')).catch(() => []);
    assert.deepEqual(left.filter((name) => name.endsWith('.logqs-partial')), []);
  });

  it('renews a URL whose signing session expired first (S3 answers 400 ExpiredToken), as it does an expired URL', async () => {
    const object = Buffer.alloc(100, 'x');
    const urls: string[] = [];
    const ctx = context({ 'a.bin': object });
    let fetches = 0;
    const fetch = ctx.fetch.bind(ctx);
    ctx.fetch = async (key, signal, listed) => ({ ...(await fetch(key, signal, listed)), presignedUrl: `mem:${key}?v=${++fetches}` });
    const get = ctx.http.get.bind(ctx.http);
    ctx.http.get = (async (url: string, range: { start: number; end?: number }, signal: AbortSignal) => {
      urls.push(url);
      if (urls.length === 1) {
        throw statusError(400, new URL('https://bucket.s3.amazonaws.com/a.bin'), '<Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>');
      }
      return get(url.replace(/\?.*/, ''), range, signal);
    }) as DownloadContext['http']['get'];
    const report = await downloadObjects(ctx, request(['a.bin'], []));
    assert.deepEqual(await fs.readFile(report.files[0].path), object);
    assert.deepEqual(urls, ['mem:a.bin?v=1', 'mem:a.bin?v=2']);
  });

  it('fails, saying why, when it may not make a folder in the download folder, rather than skip every file as if a file stood there', async () => {
    const objects = { 'f/a.bin': Buffer.alloc(10, 'a'), 'f/b.bin': Buffer.alloc(10, 'b') };
    // As a folder without write permission answers (the tests run as root, whom chmod doesn't stop).
    const mkdir = fs.mkdir;
    fs.mkdir = (async (folder: string, options?: unknown) => {
      if (path.basename(folder) === 'f') {
        throw Object.assign(new Error(`EACCES: permission denied, mkdir '${folder}'`), { code: 'EACCES', path: folder });
      }
      return mkdir(folder, options as Parameters<typeof mkdir>[1]);
    }) as typeof fs.mkdir;
    try {
      await assert.rejects(downloadObjects(context(objects), request([], ['f/'])), (error: unknown) => code('storage')(error) && /permission denied/.test((error as Error).message));
    } finally {
      fs.mkdir = mkdir;
    }
  });

  it('shows the total of a download of many keys as all of them, not those started so far', async () => {
    const objects = Object.fromEntries(Array.from({ length: 12 }, (_, index) => [`k${index}.bin`, Buffer.alloc(10 + index, 'k')]));
    const ctx = context(objects);
    ctx.settings = { ...ctx.settings, fileConcurrency: 2 };
    const progress: TransferProgress[] = [];
    await downloadObjects(ctx, request(Object.keys(objects), [], progress));
    const shown = progress.filter((update) => update.filesTotal !== undefined);
    assert.ok(shown.length > 0);
    for (const update of shown) {
      assert.equal(update.filesTotal, 12, JSON.stringify(update));
    }
    // An object gone by the time it is fetched is named too.
    ctx.fetch = async () => Promise.reject(new LogqsError('not-found', 'The object no longer exists in "store"; refresh the list'));
    await assert.rejects(downloadObjects(ctx, request(['k3.bin'], [])), (error: unknown) => code('not-found')(error) && (error as Error).message.includes('"k3.bin"'));
  });

  it('refuses bytes that start elsewhere than asked (Content-Range), and leaves no file', async () => {
    const object = Buffer.alloc(SMALL_OBJECT_BYTES + 10, 'x');
    // A server (or a cache before it) that answers a later range from one byte too far on.
    const shifted = (key: string, start: number, end: number): RangeResponse | undefined =>
      start > 0 ? { status: 206, etag: etagOf(object), totalSize: object.length, start: start + 1, body: Readable.from([object.subarray(start + 1, end + 1)]) } : undefined;
    const ctx = context({ 'big.bin': object }, shifted);
    ctx.settings = { ...ctx.settings, partSizeBytes: SMALL_OBJECT_BYTES / 2 };
    await assert.rejects(downloadObjects(ctx, request(['big.bin'], [])), (error: unknown) => code('remote')(error) && /sent bytes from \d+ when asked for bytes from \d+/.test((error as Error).message));
    assert.deepEqual(await fs.readdir(scratch.dir), []);
  });

  it('refuses bytes past the end of the range asked for (Content-Range), rather than count them twice', async () => {
    const object = Buffer.alloc(SMALL_OBJECT_BYTES + 10, 'x');
    // A server that answers a part with the rest of the object from where it was asked.
    const tooFar = (key: string, start: number): RangeResponse => ({ status: 206, etag: etagOf(object), totalSize: object.length, start, end: object.length - 1, body: Readable.from([object.subarray(start)]) });
    const ctx = context({ 'big.bin': object }, tooFar);
    ctx.settings = { ...ctx.settings, partSizeBytes: SMALL_OBJECT_BYTES / 2, partConcurrency: 2, loopbackPartConcurrency: 2 };
    await assert.rejects(downloadObjects(ctx, request(['big.bin'], [])), (error: unknown) => code('remote')(error) && /sent bytes up to \d+ when asked for bytes up to \d+/.test((error as Error).message));
    assert.deepEqual(await fs.readdir(scratch.dir), []);
  });

  it('refuses part of an object sent without saying which (a 206 without Content-Range), and leaves no file', async () => {
    const object = Buffer.alloc(SMALL_OBJECT_BYTES + 10, 'x');
    // Bytes from one byte too far on, and nothing to tell: no Content-Range, so no start or total size.
    const unsaid = (key: string, start: number, end: number): RangeResponse | undefined =>
      start > 0 ? { status: 206, etag: etagOf(object), totalSize: undefined, start: undefined, body: Readable.from([object.subarray(start + 1, end + 2)]) } : undefined;
    const ctx = context({ 'big.bin': object }, unsaid);
    ctx.settings = { ...ctx.settings, partSizeBytes: SMALL_OBJECT_BYTES / 2 };
    await assert.rejects(downloadObjects(ctx, request(['big.bin'], [])), (error: unknown) => code('remote')(error) && /without saying which/.test((error as Error).message));
    assert.deepEqual(await fs.readdir(scratch.dir), []);
  });

  it('stops a download of an object whose details carry no ETag (a LogQS API) when its parts come from two versions', async () => {
    const [before, after] = [Buffer.alloc(SMALL_OBJECT_BYTES + 10, 'a'), Buffer.alloc(SMALL_OBJECT_BYTES + 10, 'b')];
    // Replaced at the same size after the first part was answered: each answer says its own version's ETag.
    let answers = 0;
    const replacedMidway = (_key: string, start: number, end: number): RangeResponse => {
      const version = answers++ === 0 ? before : after;
      return { status: 206, etag: etagOf(version), totalSize: version.length, start, body: Readable.from([version.subarray(start, end + 1)]) };
    };
    const ctx = context({ 'run.bag': before }, replacedMidway);
    const fetch = ctx.fetch.bind(ctx);
    ctx.fetch = async (key, signal) => {
      const fetched = await fetch(key, signal);
      return { ...fetched, details: { ...fetched.details, etag: undefined } };
    };
    ctx.settings = { ...ctx.settings, partSizeBytes: SMALL_OBJECT_BYTES / 2, partConcurrency: 2, loopbackPartConcurrency: 2 };
    await assert.rejects(downloadObjects(ctx, request(['run.bag'], [])), (error: unknown) => code('changed')(error) && /was replaced on the server during the download/.test((error as Error).message));
    assert.deepEqual(await fs.readdir(scratch.dir), []);
  });

  it('downloads an empty object whose ETag is no MD5 (encrypted with SSE-KMS), instead of calling it damaged', async () => {
    const ctx = context({ 'logs/_SUCCESS': Buffer.alloc(0) });
    const fetch = ctx.fetch.bind(ctx);
    ctx.fetch = async (key, signal) => {
      const fetched = await fetch(key, signal);
      return { ...fetched, details: { ...fetched.details, etag: '"6e1f2a3b4c5d6e7f8091a2b3c4d5e6f7"' } };
    };
    const report = await downloadObjects(ctx, request(['logs/_SUCCESS'], []));
    assert.equal((await fs.readFile(report.files[0].path)).length, 0);
  });

  it('reads an object in one request from a server that ignores byte ranges (a proxy, a CDN), instead of failing', async () => {
    const object = Buffer.from(Array.from({ length: SMALL_OBJECT_BYTES * 2 + 10 }, (_, index) => index % 251));
    // Every GET answered with the whole object, whatever range it asked for.
    const rangesIgnored = (): RangeResponse => ({ status: 200, etag: etagOf(object), totalSize: object.length, body: Readable.from([object]) });
    const ctx = context({ 'big.bin': object }, rangesIgnored);
    ctx.settings = { ...ctx.settings, partSizeBytes: SMALL_OBJECT_BYTES / 2, partConcurrency: 4, loopbackPartConcurrency: 4 };
    const logged: string[] = [];
    ctx.log = (line) => logged.push(line);
    const progress: TransferProgress[] = [];
    const report = await downloadObjects(ctx, request(['big.bin'], [], progress));
    assert.deepEqual(await fs.readFile(report.files[0].path), object);
    assert.equal(progress.at(-1)?.bytesDone, object.length, 'the bytes of the parts refused are not counted twice');
    assert.ok(logged.some((line) => /ignores byte ranges: the object is read again in one request/.test(line)), logged.join('\n'));
    assert.deepEqual(await fs.readdir(scratch.dir), ['big.bin']);
  });

  it('takes an ETag passed on without quotes, or in capitals, for the same version of the object', async () => {
    const object = Buffer.alloc(SMALL_OBJECT_BYTES + 10, 'y');
    const bare = etagOf(object).replace(/"/g, '').toUpperCase();
    const unquoted = (_key: string, start: number, end: number): RangeResponse => ({ status: 206, etag: bare, totalSize: object.length, start, body: Readable.from([object.subarray(start, end + 1)]) });
    const report = await downloadObjects(context({ 'big.bin': object }, unquoted), request(['big.bin'], []));
    assert.deepEqual(await fs.readFile(report.files[0].path), object);
  });
});
