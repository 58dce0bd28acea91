import type { ObjectDetails, StoredHeaders } from '../../core/ports';
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
    // By field, each named as the SDK names it: a field StoredHeaders gains is one the compiler asks for here too.
    ...storedHeaders({
      cacheControl: head.CacheControl,
      contentDisposition: head.ContentDisposition,
      contentEncoding: head.ContentEncoding,
      contentLanguage: head.ContentLanguage,
      storageClass: head.StorageClass,
      serverSideEncryption: head.ServerSideEncryption,
      sseKmsKeyId: head.SSEKMSKeyId,
    }),
  };
}

/** The same metadata read from a HEAD's headers (lower-case names), as the SDK reads them. */
export function detailsFromHeaders(key: string, headers: Readonly<Record<string, string>>): ObjectDetails {
  const lastModified = headers['last-modified'] === undefined ? undefined : new Date(headers['last-modified']);
  return {
    key,
    size: Number(headers['content-length'] ?? 0),
    etag: headers.etag,
    lastModified: lastModified && !Number.isNaN(lastModified.getTime()) ? lastModified : undefined,
    contentType: headers['content-type'],
    metadata: Object.fromEntries(Object.entries(headers).flatMap(([name, value]) => (name.startsWith(META) ? [[name.slice(META.length), value]] : []))),
    ...storedHeaders(Object.fromEntries(Object.entries(STORED).map(([field, header]) => [field, headers[header]])) as Record<keyof StoredHeaders, string | undefined>),
  };
}

/** The headers S3 keeps with an object (see StoredHeaders), by their names in a response. */
const STORED: Record<keyof StoredHeaders, string> = {
  cacheControl: 'cache-control',
  contentDisposition: 'content-disposition',
  contentEncoding: 'content-encoding',
  contentLanguage: 'content-language',
  storageClass: 'x-amz-storage-class',
  serverSideEncryption: 'x-amz-server-side-encryption',
  sseKmsKeyId: 'x-amz-server-side-encryption-aws-kms-key-id',
};

/** `{ stored }` with those an object has, or nothing when it has none: details read either way are the same. */
function storedHeaders(values: Record<keyof StoredHeaders, string | undefined>): { stored?: StoredHeaders } {
  const present = Object.entries(values).filter(([, value]) => value !== undefined && value !== '');
  return present.length > 0 ? { stored: Object.fromEntries(present) } : {};
}

/** Where S3 says a user metadata entry: `x-amz-meta-<name>`. */
const META = 'x-amz-meta-';
