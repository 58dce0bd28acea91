import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { LogqsError } from '../../../../src/core/errors';
import type { CompletedPart, ObjectWriter } from '../../../../src/core/ports';
import { Claims, uploadFiles } from '../../../../src/core/transfer';
import { multipartEtag } from '../../../../src/core/transfer/upload';
import type { UploadContext } from '../../../../src/core/transfer/types';
import { code } from '../../../support/assertions';
import { noFiles } from '../../../support/memoryPorts';
import { engineScratch, patternBytes } from '../../../support/transfers';

const KIB = 1024;

/** A writer that keeps a copy of each part (its body is only lent) and notes the memory each one came in. */
function partRecordingWriter() {
  const parts = new Map<number, Buffer>();
  const memories = new Set<ArrayBufferLike>();
  let assembled: Buffer | undefined;
  const refused = () => Promise.reject(new Error('not expected in this test'));
  const writer: ObjectWriter = {
    headObject: refused,
    putObject: refused,
    createMultipartUpload: async () => ({ uploadId: 'upload-1' }),
    uploadPart: async (_key, _uploadId, partNumber, body): Promise<CompletedPart> => {
      memories.add(body.buffer);
      // Read the body only after the other parts in flight had their turn, as a request sends it over time.
      await new Promise((resolve) => setImmediate(resolve));
      parts.set(partNumber, Buffer.from(body));
      // As S3 does: a part's ETag is its MD5.
      return { partNumber, etag: `"${createHash('md5').update(body).digest('hex')}"` };
    },
    completeMultipartUpload: async (_key, _uploadId, completed) => {
      assembled = Buffer.concat(completed.map((part) => parts.get(part.partNumber)!));
      return {};
    },
    abortMultipartUpload: async () => undefined,
    deleteObjects: refused,
  };
  return { writer, memories, assembled: () => assembled };
}

const PART = 64 * KIB;

/** An upload of `file` (or files, one at a time) in parts of PART bytes, two at a time, through `writer` (retries without waiting). */
function uploadThrough(
  writer: ObjectWriter,
  file: string | string[],
  signal = new AbortController().signal,
  log: (line: string) => void = () => undefined,
  head: UploadContext['head'] = async () => undefined,
) {
  const context: UploadContext = {
    writer,
    head,
    list: async () => ({ folders: [], objects: [] }),
    scopeKey: (key) => key,
    keysInFlight: new Claims(),
    files: noFiles,
    settings: { partSizeBytes: PART, partConcurrency: 2, loopbackPartConcurrency: 2, fileConcurrency: 1, presignExpirySeconds: 3600, retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 } },
    log,
  };
  return uploadFiles(context, { paths: Array.isArray(file) ? file : [file], destinationPrefix: 'up/', signal, onProgress: () => undefined, onConflict: async () => 'overwrite' });
}

describe('upload parts', () => {
  const scratch = engineScratch('logqs-upload-parts-');
  /** `bytes` as a local file to upload, in the scratch folder. */
  const localFile = async (bytes: Uint8Array, name = 'large.bin') => {
    const file = path.join(scratch.dir, name);
    await fs.writeFile(file, bytes);
    return file;
  };

  it('fills the same few buffers again for later parts, and every part still carries its own bytes', async () => {
    const bytes = patternBytes(10 * PART + 123, 5);
    const file = await localFile(bytes);
    const { writer, memories, assembled } = partRecordingWriter();
    const report = await uploadThrough(writer, file);

    assert.deepEqual(report.keys, ['up/large.bin']);
    assert.ok(assembled()?.equals(bytes), 'the parts, in order, are the file');
    assert.ok(memories.size <= 2, `11 parts came in ${memories.size} buffers, not at most the 2 in flight`);
  });

  it('makes its parts larger for a file of more than 10,000 parts of the set size, as S3 takes no part number above 10,000', async function () {
    this.timeout(20_000);
    // 10,000 parts of 1 KiB and 1 byte more: at the set size the last part would be part 10,001 (at the default 16 MiB,
    // a file of more than 156 GiB), refused by S3 after every other byte had been sent.
    const partSize = KIB;
    const bytes = patternBytes(10_000 * partSize + 1, 7);
    const file = await localFile(bytes, 'huge.bin');
    const { writer, assembled } = partRecordingWriter();
    const uploadPart = writer.uploadPart.bind(writer);
    writer.uploadPart = async (key, uploadId, partNumber, body, signal) =>
      partNumber > 10_000
        ? Promise.reject(new LogqsError('remote', `The object store answered with an error: InvalidArgument: Part number must be an integer between 1 and 10000, inclusive (part ${partNumber})`, { status: 400 }))
        : uploadPart(key, uploadId, partNumber, body, signal);
    const context: UploadContext = {
      writer,
      head: async () => undefined,
      list: async () => ({ folders: [], objects: [] }),
      scopeKey: (key) => key,
      keysInFlight: new Claims(),
      files: noFiles,
      settings: { partSizeBytes: partSize, partConcurrency: 4, loopbackPartConcurrency: 4, fileConcurrency: 1, presignExpirySeconds: 3600 },
      log: () => undefined,
    };
    const report = await uploadFiles(context, { paths: [file], destinationPrefix: 'up/', signal: new AbortController().signal, onProgress: () => undefined, onConflict: async () => 'overwrite' });
    assert.deepEqual(report.keys, ['up/huge.bin']);
    assert.ok(assembled()?.equals(bytes), 'the parts, in order, are the file');
  });

  it('cancels at once while the upload is being started, and aborts the upload the server made after all', async () => {
    const file = await localFile(patternBytes(3 * PART, 2));
    const { writer } = partRecordingWriter();
    let made: (started: { uploadId: string }) => void = () => undefined;
    writer.createMultipartUpload = () => new Promise((resolve) => (made = resolve));
    const aborted: string[] = [];
    // Its abort fails once (a passing 503), and is tried again as the other aborts are.
    let abortTries = 0;
    writer.abortMultipartUpload = async (_key, uploadId) => {
      if (++abortTries === 1) {
        throw new LogqsError('unreachable', 'The server answered 503', { status: 503 });
      }
      aborted.push(uploadId);
    };
    const controller = new AbortController();
    const uploading = uploadThrough(writer, file, controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    await assert.rejects(uploading, code('cancelled'));

    made({ uploadId: 'made-late' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual([abortTries, aborted], [2, ['made-late']]);
  });

  it('lets a Cancel that comes while the parts are being put together leave the object whole, and says it was uploaded', async () => {
    const bytes = patternBytes(3 * PART, 4);
    const file = await localFile(bytes);
    const { writer, assembled } = partRecordingWriter();
    const complete = writer.completeMultipartUpload.bind(writer);
    const controller = new AbortController();
    writer.completeMultipartUpload = async (key, uploadId, parts, signal) => {
      controller.abort();
      // As a real request would: a slow answer, refused if its signal is aborted meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 10));
      signal?.throwIfAborted();
      return complete(key, uploadId, parts, signal);
    };
    const aborted: string[] = [];
    writer.abortMultipartUpload = async (_key, uploadId) => void aborted.push(uploadId);
    const log: string[] = [];
    await uploadThrough(writer, file, controller.signal, (line) => log.push(line)).catch((error: unknown) => assert.ok(code('cancelled')(error), String(error)));
    assert.ok(assembled()?.equals(bytes), 'the object was put together');
    assert.deepEqual(aborted, [], 'not aborted after all its parts were sent');
    assert.ok(log.some((line) => line.startsWith('Uploaded')), log.join('\n'));
  });

  for (const [route, server] of [['has the ETag its parts make', 'same'], ['is another object', 'other']] as const) {
    it(`after a completion whose answer was lost, is uploaded only if the object found ${route}`, async () => {
      const bytes = patternBytes(3 * PART, 6);
      const file = await localFile(bytes);
      const { writer } = partRecordingWriter();
      const complete = writer.completeMultipartUpload.bind(writer);
      let made: CompletedPart[] = [];
      let tries = 0;
      writer.completeMultipartUpload = async (key, uploadId, parts, signal) => {
        if (++tries > 1) {
          // The first try completed it: the upload is gone.
          throw new LogqsError('remote', 'The object store answered with an error: NoSuchUpload', { status: 404 });
        }
        made = [...parts];
        await complete(key, uploadId, parts, signal);
        throw new LogqsError('unreachable', 'the connection broke before the answer');
      };
      // What the server says of the key then: the ETag S3 makes of these parts, or another object's.
      const head: UploadContext['head'] = async (key) => ({ key, size: bytes.length, etag: server === 'same' ? `"${multipartEtag(made)}"` : '"0123456789abcdef0123456789abcdef-3"', metadata: {} });
      const uploading = uploadThrough(writer, file, undefined, () => undefined, head);
      if (server === 'same') {
        assert.deepEqual((await uploading).keys, ['up/large.bin']);
      } else {
        await assert.rejects(uploading, /NoSuchUpload/);
      }
      assert.equal(tries, 2);
    });
  }

  it('is uploaded when the completion\'s lost answer was retried by the S3 client itself, which then found no upload', async () => {
    const bytes = patternBytes(3 * PART, 7);
    const file = await localFile(bytes);
    const { writer, assembled } = partRecordingWriter();
    const complete = writer.completeMultipartUpload.bind(writer);
    let made: CompletedPart[] = [];
    let calls = 0;
    writer.completeMultipartUpload = async (key, uploadId, parts, signal) => {
      calls++;
      made = [...parts];
      await complete(key, uploadId, parts, signal);
      // One call here: the client's hidden second try is what answered, and a 404 is not retried.
      throw new LogqsError('not-found', 'The object store answered with an error: NoSuchUpload', { status: 404 });
    };
    const head: UploadContext['head'] = async (key) => ({ key, size: bytes.length, etag: `"${multipartEtag(made)}"`, metadata: {} });
    const report = await uploadThrough(writer, file, undefined, () => undefined, head);
    assert.deepEqual(report.keys, ['up/large.bin']);
    assert.equal(calls, 1);
    assert.ok(assembled()?.equals(bytes));
  });

  it('is uploaded when every try failed but the object there has these parts\' ETag (the same file, uploaded before), and aborts the upload left open', async () => {
    const bytes = patternBytes(3 * PART, 10);
    const file = await localFile(bytes);
    const { writer } = partRecordingWriter();
    const aborted: string[] = [];
    writer.abortMultipartUpload = async (_key, uploadId) => void aborted.push(uploadId);
    let made: CompletedPart[] = [];
    let tries = 0;
    writer.completeMultipartUpload = async (_key, _uploadId, parts) => {
      tries++;
      made = [...parts];
      // Failing on each try, whose parts were never put together: the upload stays open on the server.
      throw new LogqsError('remote', 'The object store is busy or failing (HTTP 503); try again', { status: 503 });
    };
    const head: UploadContext['head'] = async (key) => ({ key, size: bytes.length, etag: `"${multipartEtag(made)}"`, metadata: {} });
    const report = await uploadThrough(writer, file, undefined, () => undefined, head);
    assert.deepEqual(report.keys, ['up/large.bin'], 'the bytes are there under the key');
    assert.ok(tries > 1);
    assert.deepEqual(aborted, ['upload-1'], 'no part stays behind');
  });

  it('fails a completion refused for real, though the object there has these parts\' ETag (the same file, uploaded before)', async () => {
    const bytes = patternBytes(3 * PART, 9);
    const file = await localFile(bytes);
    const { writer } = partRecordingWriter();
    let made: CompletedPart[] = [];
    writer.completeMultipartUpload = async (_key, _uploadId, parts) => {
      made = [...parts];
      throw new LogqsError('forbidden', 'Access denied to bucket "robot-logs"', { status: 403 });
    };
    // The same parts' ETag, there since an earlier upload of this file; looked at after the completion failed, or not.
    const etag = `"${multipartEtag(Array.from({ length: 3 }, (_, index) => ({ partNumber: index + 1, etag: `"${createHash('md5').update(bytes.subarray(index * PART, (index + 1) * PART)).digest('hex')}"` })))}"`;
    let heads = 0;
    const head: UploadContext['head'] = async (key) => (made.length > 0 && heads++, { key, size: bytes.length, etag, metadata: {} });
    await assert.rejects(uploadThrough(writer, file, undefined, () => undefined, head), code('forbidden'));
    assert.equal(heads, 0, 'a completion tried once and refused can\'t have completed');
  });

  it('makes the multipart ETag S3 makes: the MD5 of the parts\' MD5s, then their count', () => {
    // The parts' MD5s as S3 returns them, quoted; this answer is Ceph's for three parts of these bytes.
    const md5 = (fill: number, length: number) => `"${createHash('md5').update(Buffer.alloc(length, fill)).digest('hex')}"`;
    const parts = [1, 2, 3].map((n) => ({ partNumber: n, etag: md5(n, n < 3 ? 5 * 1024 * 1024 : 1234) }));
    assert.equal(multipartEtag(parts), '462da51c216d8eacc46037763d7d12d4-3');
    assert.equal(multipartEtag([{ partNumber: 1, etag: '"not-an-md5"' }]), undefined);
  });

  it('skips, saying why, a file that grows while its parts are sent (a bag still being recorded), at the next part, and aborts its upload', async () => {
    const file = await localFile(patternBytes(8 * PART, 3), 'growing.bag');
    const { writer } = partRecordingWriter();
    const send = writer.uploadPart.bind(writer);
    let sent = 0;
    writer.uploadPart = async (key, uploadId, partNumber, body, signal) => {
      sent++;
      await fs.appendFile(file, 'more');
      return send(key, uploadId, partNumber, body, signal);
    };
    const aborted: string[] = [];
    writer.abortMultipartUpload = async (_key, uploadId) => void aborted.push(uploadId);
    const report = await uploadThrough(writer, file);
    assert.deepEqual(report.keys, []);
    assert.deepEqual(report.skipped, [{ path: file, reason: 'changed size while it was being uploaded (is it still being written?)' }]);
    assert.deepEqual(aborted, ['upload-1']);
    // Two parts at a time: found at the parts read after the first ones went, not after all 8.
    assert.ok(sent <= 3, `${sent} parts sent`);
  });

  it('says, skipping a file that grew, that its parts may stay when its upload can\'t be aborted; and logs no abort of an upload never made', async () => {
    const file = await localFile(patternBytes(4 * PART, 3), 'growing.bag');
    const { writer } = partRecordingWriter();
    const send = writer.uploadPart.bind(writer);
    writer.uploadPart = async (key, uploadId, partNumber, body, signal) => {
      await fs.appendFile(file, 'more');
      return send(key, uploadId, partNumber, body, signal);
    };
    writer.abortMultipartUpload = async () => {
      throw new LogqsError('forbidden', 'Access denied', { status: 403 });
    };
    const report = await uploadThrough(writer, file);
    assert.match(report.skipped[0]?.reason ?? '', /^changed size while it was being uploaded \(is it still being written\?\); the parts sent may stay on the server/);

    // A start that fails after a Cancel made no upload: nothing to abort, nothing said of one.
    const lines: string[] = [];
    let fail: (error: Error) => void = () => undefined;
    writer.createMultipartUpload = () => new Promise((_, reject) => (fail = reject));
    const controller = new AbortController();
    const uploading = uploadThrough(writer, file, controller.signal, (line) => lines.push(line));
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    await assert.rejects(uploading, code('cancelled'));
    fail(new LogqsError('unreachable', 'The connection was reset'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(!lines.some((line) => /Couldn't abort/.test(line)), lines.join('\n'));
  });

  it('skips a file grown since it was listed before starting anything on the server for it, and uploads the rest', async () => {
    const growing = await localFile(patternBytes(3 * PART, 3), 'growing.bag');
    const done = await localFile(patternBytes(3 * PART, 4), 'done.bag');
    const { writer } = partRecordingWriter();
    const started: string[] = [];
    const create = writer.createMultipartUpload.bind(writer);
    writer.createMultipartUpload = async (key, options) => {
      started.push(key);
      return create(key, options);
    };
    // Listed, then grown before its turn: the first file's upload makes it grow.
    const send = writer.uploadPart.bind(writer);
    writer.uploadPart = async (key, uploadId, partNumber, body, signal) => {
      await fs.appendFile(growing, 'more');
      return send(key, uploadId, partNumber, body, signal);
    };
    const report = await uploadThrough(writer, [done, growing]);
    assert.deepEqual(report.keys, ['up/done.bag']);
    assert.deepEqual(report.skipped.map((entry) => entry.path), [growing]);
    assert.deepEqual(started, ['up/done.bag'], 'no upload started for the grown file');
  });

  it('skips a file written to in place while its parts were sent (same size: two versions in one object), and aborts its upload', async () => {
    const file = await localFile(patternBytes(3 * PART, 3), 'recording.db3');
    const { writer } = partRecordingWriter();
    const send = writer.uploadPart.bind(writer);
    writer.uploadPart = async (key, uploadId, partNumber, body, signal) => {
      if (partNumber === 1) {
        // Pages rewritten where they are, as a database or a recorder into a file made full size first does.
        const handle = await fs.open(file, 'r+');
        await handle.write(Buffer.from('rewritten'), 0, 9, 2 * PART);
        await handle.close();
        await fs.utimes(file, new Date(), new Date(Date.now() + 5000));
      }
      return send(key, uploadId, partNumber, body, signal);
    };
    const aborted: string[] = [];
    writer.abortMultipartUpload = async (_key, uploadId) => void aborted.push(uploadId);
    const report = await uploadThrough(writer, file);
    assert.deepEqual(report.skipped, [{ path: file, reason: 'was written to while it was being uploaded (is it still being written?)' }]);
    assert.deepEqual(aborted, ['upload-1']);
  });

  it('says a read that fails midway (a disk pulled out) as the file system\'s refusal, naming the file, not as a bug', async () => {
    const file = await localFile(patternBytes(3 * PART, 4), 'on-usb.bag');
    // An open file's reads fail as a vanished device's do: EIO, and no path in the error.
    const probe = await fs.open(file, 'r');
    const handles = Object.getPrototypeOf(probe) as { read: (...args: unknown[]) => Promise<unknown> };
    await probe.close();
    const read = handles.read;
    let reads = 0;
    handles.read = function (this: unknown, ...args: unknown[]) {
      return ++reads > 1 ? Promise.reject(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO', errno: -5, syscall: 'read' })) : read.apply(this, args);
    };
    try {
      const { writer } = partRecordingWriter();
      await assert.rejects(uploadThrough(writer, file), (error: unknown) => code('storage')(error) && (error as Error).message.includes(file) && /i\/o error/.test((error as Error).message));
    } finally {
      handles.read = read;
    }
  });

  it('tries the abort of a failed upload again, and says when its parts may stay on the server', async () => {
    const file = await localFile(patternBytes(3 * PART, 6), 'refused.bag');
    const unreachable = () => new LogqsError('unreachable', 'the connection was reset');
    const { writer } = partRecordingWriter();
    writer.uploadPart = async () => {
      throw new LogqsError('forbidden', 'Access denied');
    };
    let aborts = 0;
    writer.abortMultipartUpload = async () => {
      if (++aborts === 1) {
        throw unreachable();
      }
    };
    await assert.rejects(uploadThrough(writer, file), (error: unknown) => code('forbidden')(error) && !/may stay on the server/.test((error as Error).message));
    assert.equal(aborts, 2, 'aborted on the second try');

    aborts = 0;
    writer.abortMultipartUpload = async () => {
      aborts++;
      throw unreachable();
    };
    const log: string[] = [];
    await assert.rejects(uploadThrough(writer, file, undefined, (line) => log.push(line)), (error: unknown) => code('forbidden')(error) && /parts sent may stay on the server/.test((error as Error).message));
    assert.equal(aborts, 3, 'as many tries as a part gets');
    assert.ok(log.some((line) => /Couldn't abort the multipart upload of "up\/refused.bag"/.test(line)), log.join('\n'));

    // No such upload: aborted already, by a lifecycle rule or another client, and no part of it stays.
    writer.abortMultipartUpload = async () => {
      throw new LogqsError('not-found', 'The multipart upload on the server no longer exists (completed, or aborted elsewhere)');
    };
    await assert.rejects(uploadThrough(writer, file), (error: unknown) => code('forbidden')(error) && !/may stay on the server/.test((error as Error).message));
  });

  it('starts no upload on the server for a file whose job failed while it was being opened', async () => {
    const file = await localFile(patternBytes(3 * PART, 7), 'late.bag');
    const { writer } = partRecordingWriter();
    let started = 0;
    writer.createMultipartUpload = async () => {
      started++;
      return { uploadId: 'upload-late' };
    };
    const job = new AbortController();
    const realOpen = fs.open;
    // The job fails elsewhere (another file refused) while this one opens.
    (fs as { open: unknown }).open = async (...args: Parameters<typeof fs.open>) => {
      const handle = await realOpen(...args);
      job.abort();
      return handle;
    };
    try {
      await assert.rejects(uploadThrough(writer, file, job.signal), code('cancelled'));
    } finally {
      (fs as { open: unknown }).open = realOpen;
    }
    assert.equal(started, 0);
  });
});
