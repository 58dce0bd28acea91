import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** The real S3-compatible server the integration tests use (started by scripts/s3-server.sh). */
export const S3_ENDPOINT = process.env.LOGQS_S3_ENDPOINT ?? 'http://127.0.0.1:7480';
export const S3_ACCESS_KEY = process.env.LOGQS_S3_ACCESS_KEY ?? 'TESTACCESSKEY';
export const S3_SECRET_KEY = process.env.LOGQS_S3_SECRET_KEY ?? 'TESTSECRETKEY123';

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
