import type { ObjectDetails } from '../../core/ports';
import type { S3Client } from '../vendor/awsSdk';
import type { AwsSdk } from '../vendor/loaders';

/** An object's metadata as S3's HEAD gives it (SDK errors pass through: callers name the store). */
export async function headObject(sdk: AwsSdk, s3: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<ObjectDetails> {
  const head = await s3.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
  return {
    key,
    size: head.ContentLength ?? 0,
    etag: head.ETag,
    lastModified: head.LastModified,
    contentType: head.ContentType,
    metadata: head.Metadata ?? {},
  };
}
