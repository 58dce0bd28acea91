import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { forEachConcurrently } from '../../src/core/transfer/concurrency';
import { decodeListedKey } from '../../src/adapters/s3/s3Gateway';

/** The real S3-compatible server the integration tests use (started by scripts/s3-server.sh). */
export const S3_ENDPOINT = process.env.LOGQS_S3_ENDPOINT ?? 'http://127.0.0.1:7480';
export const S3_ACCESS_KEY = process.env.LOGQS_S3_ACCESS_KEY ?? 'TESTACCESSKEY';
export const S3_SECRET_KEY = process.env.LOGQS_S3_SECRET_KEY ?? 'TESTSECRETKEY123';

/** A store record on this server with the test user's keys, under a fresh name; `overrides` win. */
export const testStoreFields = (bucket: string, overrides: Record<string, unknown> = {}) => ({
  name: `store-${Math.random().toString(36).slice(2, 8)}`,
  bucket_name: bucket,
  region_name: 'us-east-1',
  access_key_id: S3_ACCESS_KEY,
  secret_access_key: S3_SECRET_KEY,
  endpoint_url: S3_ENDPOINT,
  ...overrides,
});

export const adminClient = () =>
  new S3Client({
    region: 'us-east-1',
    endpoint: S3_ENDPOINT,
    forcePathStyle: true,
    credentials: { accessKeyId: S3_ACCESS_KEY, secretAccessKey: S3_SECRET_KEY },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });

/** A fresh bucket per test file, so runs never see each other's objects. */
export async function createBucketWith(name: string, keys: Record<string, string | Buffer>): Promise<string> {
  const bucket = `${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const s3 = adminClient();
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await Promise.all(Object.entries(keys).map(([Key, Body]) => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body }))));
  s3.destroy();
  return bucket;
}

/**
 * Empties and deletes a test bucket: the server keeps objects in memory, and
 * a full server refuses every request (deletes too).
 */
export async function deleteBucket(bucket: string): Promise<void> {
  const s3 = adminClient();
  try {
    let token: string | undefined;
    do {
      // URL-encoded, as the extension lists: a key such as "\n" would read back as "" otherwise.
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token, EncodingType: 'url' }));
      const keys = (page.Contents ?? []).map((object) => ({ Key: page.EncodingType === 'url' ? decodeListedKey(object.Key ?? '') : object.Key }));
      if (keys.length > 0) {
        await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
      }
      token = page.NextContinuationToken;
    } while (token);
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    for (const upload of uploads.Uploads ?? []) {
      await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }));
    }
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  } finally {
    s3.destroy();
  }
}

const EMPTY = new Uint8Array(0);

/**
 * Puts many empty objects into a bucket, `concurrency` requests at a time
 * (a prefix of tens of thousands of keys in a minute or two on this server).
 */
export async function putEmptyObjects(bucket: string, keys: readonly string[], concurrency = 32): Promise<void> {
  const s3 = adminClient();
  try {
    await forEachConcurrently(keys, concurrency, new AbortController().signal, async (Key) => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: EMPTY, ContentLength: 0 }));
    });
  } finally {
    s3.destroy();
  }
}
