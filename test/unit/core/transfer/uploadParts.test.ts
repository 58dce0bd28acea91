import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CompletedPart, ObjectWriter } from '../../../../src/core/ports';
import { uploadFiles } from '../../../../src/core/transfer';
import type { UploadContext } from '../../../../src/core/transfer/types';
import { patternBytes } from '../../../support/transfers';

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

describe('upload parts', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'logqs-upload-parts-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('fills the same few buffers again for later parts, and every part still carries its own bytes', async () => {
    const partSize = 64 * KIB;
    const bytes = patternBytes(10 * partSize + 123, 5);
    const file = path.join(dir, 'large.bin');
    await fs.writeFile(file, bytes);
    const { writer, memories, assembled } = partRecordingWriter();
    const context: UploadContext = {
      writer,
      head: async () => undefined,
      list: async () => ({ folders: [], objects: [] }),
      scopeKey: (key) => key,
      files: { commit: () => Promise.reject(new Error('not expected')), read: () => Promise.reject(new Error('not expected')) },
      settings: { partSizeBytes: partSize, partConcurrency: 2, fileConcurrency: 1, presignExpirySeconds: 3600 },
      log: () => undefined,
    };
    const report = await uploadFiles(context, {
      paths: [file],
      destinationPrefix: 'up/',
      signal: new AbortController().signal,
      onProgress: () => undefined,
      onConflict: async () => 'overwrite',
    });

    assert.deepEqual(report.keys, ['up/large.bin']);
    assert.ok(assembled()?.equals(bytes), 'the parts, in order, are the file');
    assert.ok(memories.size <= 2, `11 parts came in ${memories.size} buffers, not at most the 2 in flight`);
  });
});
