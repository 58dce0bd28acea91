import * as assert from 'node:assert/strict';
import { detailsFromHeaders, headObject } from '../../../src/adapters/s3/headObject';
import type { S3Client } from '../../../src/adapters/vendor/awsSdk';
import { loadAwsSdk } from '../../../src/adapters/vendor/loaders';

describe('an object\'s HEAD', () => {
  const kmsKey = 'arn:aws:kms:eu-west-1:111122223333:key/robots';
  const stored = { cacheControl: 'no-cache', storageClass: 'STANDARD_IA', serverSideEncryption: 'aws:kms', sseKmsKeyId: kmsKey };

  it('reads the storage class and the encryption S3 keeps with an object, from its headers as from the SDK, so a save back keeps them', async () => {
    const fromHeaders = detailsFromHeaders('k', {
      'content-length': '3',
      'cache-control': 'no-cache',
      'x-amz-storage-class': 'STANDARD_IA',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': kmsKey,
    });
    assert.deepEqual(fromHeaders.stored, stored);
    const sdk = await loadAwsSdk();
    const s3 = { send: async () => ({ ContentLength: 3, CacheControl: 'no-cache', StorageClass: 'STANDARD_IA', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKey }) } as unknown as S3Client;
    assert.deepEqual((await headObject(sdk, s3, 'bucket', 'k')).stored, stored);
  });

  it('says nothing stored of an object that has none of those (a STANDARD object, not encrypted)', () => {
    assert.equal(detailsFromHeaders('k', { 'content-length': '3' }).stored, undefined);
  });
});
