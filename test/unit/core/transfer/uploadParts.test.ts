import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { CompletedPart, ObjectWriter } from '../../../../src/core/ports';
import { uploadFiles } from '../../../../src/core/transfer';
import type { UploadContext } from '../../../../src/core/transfer/types';
import { code } from '../../../support/assertions';
import { engineScratch, patternBytes } from '../../../support/transfers';

const KIB = 1024;

/** A writer that keeps a copy of each part (its body is only lent) and notes the memory each one came in. */
function partRecordingWriter() {
  const parts = new Map<number, Buffer>();
  const memories = new Set<ArrayBufferLike>();
  let assembled: Buffer | undefined;
  const refused = () => Promise.reject(new Error('not expected in this test'));
  const writer: ObjectWriter = {
    putObject: refused,
    createMultipartUpload: async () => ({ uploadId: 'upload-1' }),
    uploadPart: async (_key, _uploadId, partNumber, body): Promise<CompletedPart> => {
      memories.add(body.buffer);
      // Read the body only after the other parts in flight had their turn, as a request sends it over time.
      await new Promise((resolve) => setImmediate(resolve));
      parts.set(partNumber, Buffer.from(body));
      return { partNumber, etag: `"${partNumber}"` };
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

/** An upload of `file` in parts of PART bytes, two at a time, through `writer`. */
function uploadThrough(writer: ObjectWriter, file: string, signal = new AbortController().signal, log: (line: string) => void = () => undefined) {
  const context: UploadContext = {
    writer,
    head: async () => undefined,
    list: async () => ({ folders: [], objects: [] }),
    scopeKey: (key) => key,
    files: { commit: () => Promise.reject(new Error('not expected')), read: () => Promise.reject(new Error('not expected')) },
    settings: { partSizeBytes: PART, partConcurrency: 2, fileConcurrency: 1, presignExpirySeconds: 3600 },
    log,
  };
  return uploadFiles(context, { paths: [file], destinationPrefix: 'up/', signal, onProgress: () => undefined, onConflict: async () => 'overwrite' });
}

describe('upload parts', () => {
  const scratch = engineScratch('logqs-upload-parts-');

  it('fills the same few buffers again for later parts, and every part still carries its own bytes', async () => {
    const bytes = patternBytes(10 * PART + 123, 5);
    const file = path.join(scratch.dir, 'large.bin');
    await fs.writeFile(file, bytes);
    const { writer, memories, assembled } = partRecordingWriter();
    const report = await uploadThrough(writer, file);

    assert.deepEqual(report.keys, ['up/large.bin']);
    assert.ok(assembled()?.equals(bytes), 'the parts, in order, are the file');
    assert.ok(memories.size <= 2, `11 parts came in ${memories.size} buffers, not at most the 2 in flight`);
  });

  it('cancels at once while the upload is being started, and aborts the upload the server made after all', async () => {
    const file = path.join(scratch.dir, 'large.bin');
    await fs.writeFile(file, patternBytes(3 * PART, 2));
    const { writer } = partRecordingWriter();
    let made: (started: { uploadId: string }) => void = () => undefined;
    writer.createMultipartUpload = () => new Promise((resolve) => (made = resolve));
    const aborted: string[] = [];
    writer.abortMultipartUpload = async (_key, uploadId) => void aborted.push(uploadId);
    const controller = new AbortController();
    const uploading = uploadThrough(writer, file, controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    await assert.rejects(uploading, code('cancelled'));

    made({ uploadId: 'made-late' });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(aborted, ['made-late']);
  });

  it('lets a Cancel that comes while the parts are being put together leave the object whole, and says it was uploaded', async () => {
    const bytes = patternBytes(3 * PART, 4);
    const file = path.join(scratch.dir, 'large.bin');
    await fs.writeFile(file, bytes);
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

  it('refuses a file that grew while its parts were sent (a log still being written), and aborts its upload', async () => {
    const file = path.join(scratch.dir, 'growing.bag');
    await fs.writeFile(file, patternBytes(3 * PART, 3));
    const { writer } = partRecordingWriter();
    const send = writer.uploadPart.bind(writer);
    writer.uploadPart = async (key, uploadId, partNumber, body, signal) => {
      await fs.appendFile(file, 'more');
      return send(key, uploadId, partNumber, body, signal);
    };
    const aborted: string[] = [];
    writer.abortMultipartUpload = async (_key, uploadId) => void aborted.push(uploadId);
    await assert.rejects(uploadThrough(writer, file), (error: unknown) => code('changed')(error) && /changed size while it was being uploaded/.test((error as Error).message));
    assert.deepEqual(aborted, ['upload-1']);
  });
});
