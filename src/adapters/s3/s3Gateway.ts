import type { ObjectStore } from '../../core/objectStore';
import type { FetchedObject, ListPage, ListPageRequest, ObjectDetails, ObjectGateway, ObjectGatewayFactory, ObjectSummary } from '../../core/ports';
import type { S3Client } from '../vendor/awsSdk';
import { type AwsSdk, loadAwsSdk } from '../vendor/loaders';
import { headObject } from './headObject';
import { KeyPresigner } from './keyPresigner';
import type { S3ClientCache } from './s3Client';
import { describeS3Error } from './s3Errors';

/** What a gateway's requests go through: the SDK, the store's client and its presigner. */
interface S3Connection {
  sdk: AwsSdk;
  s3: S3Client;
  presigner: KeyPresigner;
}

/**
 * A store's objects reached with S3 calls signed by the store's own
 * credentials. It connects at its first request: making a gateway loads
 * nothing.
 */
export class S3ObjectGateway implements ObjectGateway {
  constructor(
    private readonly store: ObjectStore,
    private readonly connect: () => Promise<S3Connection>,
  ) {}

  async listPage(request: ListPageRequest, signal?: AbortSignal): Promise<ListPage> {
    const { sdk, s3 } = await this.connect();
    try {
      const response = await s3.send(
        new sdk.ListObjectsV2Command({
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
    const connection = await this.connect();
    const { sdk, s3, presigner } = connection;
    try {
      const details = options.listed ? { ...options.listed, key } : await this.head(connection, key, options.signal);
      const signedAt = Date.now();
      const presignedUrl = options.listed
        ? await presigner.presign(key, options.expiresInSeconds)
        : await sdk.getSignedUrl(s3, new sdk.GetObjectCommand({ Bucket: this.store.bucket_name, Key: key }), { expiresIn: options.expiresInSeconds });
      return { details, presignedUrl, expiresAt: new Date(signedAt + options.expiresInSeconds * 1000) };
    } catch (error) {
      throw describeS3Error(error, this.store);
    }
  }

  private head({ sdk, s3 }: S3Connection, key: string, signal?: AbortSignal): Promise<ObjectDetails> {
    return headObject(sdk, s3, this.store.bucket_name, key, signal);
  }
}

/** Gateways over the cache's clients: building one per request is free, the client (and its presigner) is shared. */
export function s3Gateways(cache: S3ClientCache): ObjectGatewayFactory {
  // A new client (the store changed) gets a new presigner; a dropped client takes its presigner with it.
  const presigners = new WeakMap<S3Client, KeyPresigner>();
  return (store, credentials) =>
    new S3ObjectGateway(store, async () => {
      const [sdk, s3] = await Promise.all([loadAwsSdk(), cache.get(store, credentials)]);
      let presigner = presigners.get(s3);
      if (!presigner) {
        presigner = new KeyPresigner(s3, store.bucket_name, store.region_name, credentials);
        presigners.set(s3, presigner);
      }
      return { sdk, s3, presigner };
    });
}
