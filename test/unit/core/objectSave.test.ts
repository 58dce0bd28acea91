import * as assert from 'node:assert/strict';
import type { ObjectDetails, ObjectWriter, StoredHeaders } from '../../../src/core/ports';
import { memoryGateway, memorySource, validInput, writingService } from '../../support/memoryPorts';

/** A save back (ObjectService.saveObject) over an object whose HEAD says `stored`: what its PUT sends again. */
async function storedSentFor(stored: StoredHeaders): Promise<StoredHeaders | undefined> {
  const { gateway } = memoryGateway(['notes.txt']);
  const { source } = memorySource({ gateways: () => gateway });
  const store = await source.create(validInput({ key_prefix: null }));
  const sent: (StoredHeaders | undefined)[] = [];
  const details: ObjectDetails = { key: 'notes.txt', size: 1, etag: '"e"', metadata: {}, stored };
  const writer = {
    headObject: async () => details,
    putObject: async (_key: string, _body: Uint8Array, options: { stored?: StoredHeaders }) => (sent.push(options.stored), {}),
  } as unknown as ObjectWriter;
  await writingService(writer).saveObject(source, store.id, 'notes.txt', new Uint8Array([1]), { expectedEtag: '"e"' });
  return sent[0];
}

describe('saving an object back', () => {
  it('keeps its headers, a storage class it can be read from at once, and encryption with its own KMS key', async () => {
    const kms = { serverSideEncryption: 'aws:kms', sseKmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/robots' };
    assert.deepEqual(await storedSentFor({ cacheControl: 'no-cache', storageClass: 'STANDARD_IA', ...kms }), { cacheControl: 'no-cache', storageClass: 'STANDARD_IA', ...kms });
    assert.deepEqual(await storedSentFor({ storageClass: 'INTELLIGENT_TIERING', serverSideEncryption: 'aws:kms:dsse' }), { storageClass: 'INTELLIGENT_TIERING', serverSideEncryption: 'aws:kms:dsse' });
  });

  it('leaves to the bucket an archive class (each save would be out of reach until restored), a class S3 does not name, and SSE-S3', async () => {
    // AWS reports AES256 of every object (its default encryption): sent back, it would override a bucket since switched to KMS.
    assert.deepEqual(await storedSentFor({ contentLanguage: 'en', storageClass: 'GLACIER', serverSideEncryption: 'AES256' }), { contentLanguage: 'en' });
    assert.deepEqual(await storedSentFor({ storageClass: 'DEEP_ARCHIVE' }), {});
    // MinIO reports a remote tier's name, which its PUT refuses.
    assert.deepEqual(await storedSentFor({ storageClass: 'WARM-TIER' }), {});
  });
});
