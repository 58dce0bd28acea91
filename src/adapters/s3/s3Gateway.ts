import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ObjectStore } from '../../core/objectStore';
import type { FetchedObject, ListPage, ListPageRequest, ObjectDetails, ObjectGateway, ObjectGatewayFactory, ObjectSummary } from '../../core/ports';
import { KeyPresigner } from './keyPresigner';
import type { S3ClientCache } from './s3Client';
import { describeS3Error } from './s3Errors';

/** A store's objects reached with S3 calls signed by the store's own credentials. */
export class S3ObjectGateway implements ObjectGateway {
  constructor(
    private readonly store: ObjectStore,
    private readonly s3: S3Client,
    private readonly presigner: KeyPresigner,
  ) {}

  async listPage(request: ListPageRequest, signal?: AbortSignal): Promise<ListPage> {
    try {
      const response = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.store.bucket_name,
          Prefix: request.prefix || undefined,
          Delimiter: request.delimiter,
          MaxKeys: request.maxKeys,
          ContinuationToken: request.continuationToken,
        }),
        { abortSignal: signal },
      );
      return {
        folders: (response.CommonPrefixes ?? []).flatMap((entry) => (entry.Prefix ? [entry.Prefix] : [])),
        objects: (response.Contents ?? []).flatMap((entry) =>
          entry.Key === undefined
            ? []
            : [{ key: entry.Key, size: entry.Size ?? 0, lastModified: entry.LastModified, etag: entry.ETag }],
        ),
        nextContinuationToken: response.IsTruncated ? response.NextContinuationToken : undefined,
      };
    } catch (error) {
      throw describeS3Error(error, this.store);
    }
  }

  /**
   * HEAD for the metadata, then a URL signed here, without a request, for the
   * bytes. An object a listing described (one of a folder's many) skips the
   * HEAD and is signed by the lean presigner; a single one (a URL a user may
   * copy) by the SDK's own.
   */
  async fetchObject(key: string, options: { expiresInSeconds: number; signal?: AbortSignal; listed?: ObjectSummary }): Promise<FetchedObject> {
    try {
      const details = options.listed ? { ...options.listed, key, metadata: {} } : await this.head(key, options.signal);
      const signedAt = Date.now();
      const presignedUrl = options.listed
        ? await this.presigner.presign(key, options.expiresInSeconds)
        : await getSignedUrl(this.s3, new GetObjectCommand({ Bucket: this.store.bucket_name, Key: key }), { expiresIn: options.expiresInSeconds });
      return { details, presignedUrl, expiresAt: new Date(signedAt + options.expiresInSeconds * 1000) };
    } catch (error) {
      throw describeS3Error(error, this.store);
    }
  }

  private async head(key: string, signal?: AbortSignal): Promise<ObjectDetails> {
    const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.store.bucket_name, Key: key }), { abortSignal: signal });
    return {
      key,
      size: head.ContentLength ?? 0,
      etag: head.ETag,
      lastModified: head.LastModified,
      contentType: head.ContentType,
      metadata: head.Metadata ?? {},
    };
  }
}

/** Gateways over the cache's clients: building one per request is free, the client (and its presigner) is shared. */
export function s3Gateways(cache: S3ClientCache): ObjectGatewayFactory {
  // A new client (the store changed) gets a new presigner; a dropped client takes its presigner with it.
  const presigners = new WeakMap<S3Client, KeyPresigner>();
  return (store, credentials) => {
    const s3 = cache.get(store, credentials);
    let presigner = presigners.get(s3);
    if (!presigner) {
      presigner = new KeyPresigner(s3, store.bucket_name, store.region_name, credentials);
      presigners.set(s3, presigner);
    }
    return new S3ObjectGateway(store, s3, presigner);
  };
}
