import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs, writeSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { LogqsError, localFileError } from '../../../../src/core/errors';
import { SMALL_OBJECT_BYTES, downloadObjects, readObjectBytes } from '../../../../src/core/transfer/download';
import type { ChunkedBody, DownloadContext, FileWritingBody, RangeResponse } from '../../../../src/core/transfer';
import { code } from '../../../support/assertions';
import { engineScratch } from '../../../support/transfers';

/**
 * The download loop's decisions, with a range reader that answers from a
 * script: what a real server rarely does on demand (SlowDown, 500s, a
 * response that stops short). Real transfers are in the integration suite.
 */
// Small objects are read into memory, large ones written to the file as they come: both paths, the same decisions.
for (const [route, size] of [['through memory', 20], ['straight to the file', SMALL_OBJECT_BYTES + 20]] as const) describe(`download retries (${route})`, () => {
  const object = Buffer.from(Array.from({ length: size }, (_, i) => 'abcdefghijklmnopqrstuvwxyz0123456789'.charCodeAt(i % 36)));
  const etag = `"${createHash('md5').update(object).digest('hex')}"`;
  const scratch = engineScratch('logqs-unit-');
  const { files } = scratch;

  function context(
    script: ((start: number, end: number) => RangeResponse<ChunkedBody | FileWritingBody> | Error)[],
    urls: string[] = [],
    ranges: { start: number; end?: number }[] = [],
  ): DownloadContext & { log: (m: string) => void; lines: string[] } {
    const lines: string[] = [];
    let fetches = 0;
    return {
      lines,
      fetch: async (key) => {
        fetches++;
        return { details: { key, size: object.length, etag, metadata: {} }, presignedUrl: `https://s3/url-${fetches}` };
      },
      list: async () => ({ folders: [], objects: [] }),
      files,
      http: {
        // A script may answer with a body that writes itself, as the real reader does only for a GET asked with 'file'.
        get: (async (url: string, range: { start: number; end?: number }) => {
          urls.push(url);
          ranges.push(range);
          const step = script.shift();
          if (!step) {
            throw new Error('the script ran out');
          }
          const answer = step(range.start, range.end ?? object.length - 1);
          if (answer instanceof Error) {
            throw answer;
          }
          return answer;
        }) as DownloadContext['http']['get'],
      },
      settings: { partSizeBytes: object.length, partConcurrency: 1, loopbackPartConcurrency: 1, fileConcurrency: 1, presignExpirySeconds: 60, retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 } },
      log: (message) => lines.push(message),
    };
  }

  const serve = (bytes: Buffer = object, tag = etag) => (start: number, end: number): RangeResponse => ({
    status: 206,
    start,
    etag: tag,
    totalSize: bytes.length,
    body: Readable.from([bytes.subarray(start, end + 1)]),
  });
  const stopAt = (count: number) => (start: number): RangeResponse => ({ status: 206, start, etag, totalSize: object.length, body: Readable.from([object.subarray(start, start + count)]) });
  const request = (signal = new AbortController().signal) => ({
    keys: ['logs/a.bin'],
    prefixes: [],
    targetDir: scratch.dir,
    signal,
    onProgress: () => undefined,
    onConflict: async () => 'overwrite' as const,
  });

  it('retries SlowDown and 500s with back-off, then completes byte for byte', async () => {
    const ctx = context([
      () => new LogqsError('remote', 'SlowDown', { status: 503 }),
      () => new LogqsError('remote', 'InternalError', { status: 500 }),
      serve(),
    ]);
    const report = await downloadObjects(ctx, request());
    assert.deepEqual(await fs.readFile(report.files[0].path), object);
    assert.equal(ctx.lines.filter((line) => line.startsWith('Retrying')).length, 2);
  });

  it('asks only for the missing bytes after a response that stops short', async () => {
    const urls: string[] = [];
    const asked: number[] = [];
    const ranges: { start: number; end?: number }[] = [];
    const ctx = context([(start) => (asked.push(start), stopAt(7)(start)), (start, end) => (asked.push(start), serve()(start, end))], urls, ranges);
    const report = await downloadObjects(ctx, request());
    assert.deepEqual(asked, [0, 7]);
    // A small object is asked whole at first (no Range: cheaper for the server); a large one's parts are ranges; then the range still missing.
    assert.deepEqual(ranges, [route === 'through memory' ? { start: 0 } : { start: 0, end: object.length - 1 }, { start: 7, end: object.length - 1 }]);
    assert.deepEqual(await fs.readFile(report.files[0].path), object);
  });

  it('renews the URL on a 403, and gives up on a 403 that renewal doesn\'t cure', async () => {
    const urls: string[] = [];
    const ctx = context([() => new LogqsError('forbidden', 'expired', { status: 403 }), serve()], urls);
    await downloadObjects(ctx, request());
    assert.deepEqual(urls, ['https://s3/url-1', 'https://s3/url-2']);

    const denied = () => new LogqsError('forbidden', 'AccessDenied', { status: 403 });
    await assert.rejects(downloadObjects(context([denied, denied, denied]), request()), code('forbidden'));
    assert.deepEqual(await fs.readdir(scratch.dir), ['a.bin']);
  });

  it('gives up after the attempts without progress, leaving no partial file', async () => {
    const reset = () => new LogqsError('unreachable', 'ECONNRESET');
    const script = Array.from({ length: 10 }, () => reset);
    await assert.rejects(downloadObjects(context(script), request()), code('unreachable'));
    assert.equal(script.length, 6, 'four attempts, then it gave up');
    assert.deepEqual(await fs.readdir(scratch.dir), []);
  });

  it('stops at a response from another version of the object', async () => {
    const other = Buffer.from('ZZZZZZZZZZZZZZZZZZZZ');
    await assert.rejects(downloadObjects(context([stopAt(5), serve(other, '"other"')]), request()), code('changed'));
    assert.deepEqual(await fs.readdir(scratch.dir), []);
  });

  if (size > SMALL_OBJECT_BYTES) {
    // As the range thread answers: the reader writes the bytes into the file itself.
    const writing = (bytes: Buffer = object, fails?: Error) => (start: number, end: number): RangeResponse<FileWritingBody> => ({
      status: 206,
      start,
      etag,
      totalSize: bytes.length,
      body: {
        writeTo: async (fd, position, onWritten) => {
          if (fails) {
            return { kept: 0, error: fails };
          }
          const written = writeSync(fd, bytes.subarray(start, end + 1), 0, end + 1 - start, position);
          onWritten(written);
          return { kept: written };
        },
      },
    });

    it('reads in one request from a server that answers a part with the whole object (it ignored Range); stops, saying why, when that request breaks off', async () => {
      const whole = (): RangeResponse => ({ status: 200, etag, totalSize: object.length, body: Readable.from([object]) });
      const ctx = context(Array.from({ length: 4 }, () => whole));
      // Two lanes: one lane would ask for the whole object in one range, which a 200 answers rightly.
      ctx.settings = { ...ctx.settings, partSizeBytes: 512 * 1024, partConcurrency: 2 };
      const report = await downloadObjects(ctx, request());
      assert.deepEqual(await fs.readFile(report.files[0].path), object);
      assert.ok(ctx.lines.some((line) => /ignores byte ranges/.test(line)), ctx.lines.join('\n'));
      await fs.rm(report.files[0].path);

      // The one request breaks off: the rest can't be asked for (a range again), and the download stops, saying why.
      let broken = false;
      const breaksOnce = (start: number, end: number): RangeResponse => {
        const whole = start === 0 && end === object.length - 1;
        const body = whole && !broken ? object.subarray(0, 5) : object;
        broken ||= whole;
        return { status: 200, etag, totalSize: object.length, body: Readable.from([body]) };
      };
      const again = context(Array.from({ length: 6 }, () => breaksOnce));
      again.settings = { ...again.settings, partSizeBytes: 512 * 1024, partConcurrency: 2 };
      await assert.rejects(downloadObjects(again, request()), (error: unknown) => code('remote')(error) && /ignored the byte range/.test((error as Error).message));
      assert.deepEqual(await fs.readdir(scratch.dir), []);
    });

    it('takes bytes the reader writes itself, and checks the finished file against the ETag', async () => {
      const report = await downloadObjects(context([writing()]), request());
      assert.deepEqual(await fs.readFile(report.files[0].path), object);
      const damaged = Buffer.from(object);
      damaged[3] ^= 0xff;
      await assert.rejects(downloadObjects(context([writing(damaged)]), { ...request(), targetDir: path.join(scratch.dir, 'again') }), (error: unknown) => code('changed')(error) && /damaged/.test((error as Error).message));
    });

    it('gives up at once, saying so, when the file refuses a write (a full disk)', async () => {
      const full = localFileError(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
      const script = [writing(object, full), writing()];
      await assert.rejects(downloadObjects(context(script), request()), (error: unknown) => code('storage')(error) && /no space left/.test((error as Error).message));
      assert.equal(script.length, 1, 'not retried');
      assert.deepEqual(await fs.readdir(scratch.dir), []);
    });
  }

  it('takes bytes whose ETag is no MD5 of theirs where the answer says the object is encrypted with KMS', async () => {
    const otherMd5 = `"${'0'.repeat(32)}"`;
    const kms = (start: number, end: number): RangeResponse => ({ ...serve(object, otherMd5)(start, end), md5Hidden: true });
    const fetch: DownloadContext['fetch'] = async (key) => ({ details: { key, size: object.length, etag: otherMd5, metadata: {} }, presignedUrl: 'https://s3/url' });
    const report = await downloadObjects({ ...context([kms]), fetch }, request());
    assert.deepEqual(await fs.readFile(report.files[0].path), object);
    // Without that header, the same ETag is the MD5 the bytes must have.
    const plain = { ...context([serve(object, otherMd5)]), fetch };
    await assert.rejects(downloadObjects(plain, { ...request(), targetDir: path.join(scratch.dir, 'again') }), /damaged/);
  });

  it('opens an object whose details have no ETag with the one its GET answered, for the check at save', async () => {
    const fetch: DownloadContext['fetch'] = async (key) => ({ details: { key, size: object.length, metadata: {} }, presignedUrl: 'https://s3/url' });
    const read = await readObjectBytes({ ...context([serve()]), fetch }, 'logs/a.bin', object.length, new AbortController().signal);
    assert.deepEqual(Buffer.from(read.bytes), object);
    assert.equal(read.details.etag, etag);
  });

  it('puts no file in place once cancelled, however far its bytes came', async () => {
    const controller = new AbortController();
    // The last byte arrives, then the person cancels: before the file is checked and put in place.
    const thenCancel = (start: number, end: number): RangeResponse => ({
      status: 206,
      start,
      etag,
      totalSize: object.length,
      body: Readable.from(
        (function* () {
          yield object.subarray(start, end + 1);
          controller.abort();
        })(),
      ),
    });
    await assert.rejects(downloadObjects(context([thenCancel]), request(controller.signal)), code('cancelled'));
    assert.deepEqual(await fs.readdir(scratch.dir), []);
  });

  it('refuses bytes whose MD5 is not the ETag', async () => {
    const damaged = Buffer.from(object);
    damaged[3] ^= 0xff;
    await assert.rejects(downloadObjects(context([serve(damaged)]), request()), (error: unknown) => code('changed')(error) && /damaged/.test((error as Error).message));
    assert.deepEqual(await fs.readdir(scratch.dir), []);
  });
});
