import { createHash } from 'node:crypto';
import { type ObjectStore, dataPlaneKey } from '../../core/objectStore';
import type { CredentialProvider, Disposable } from '../../core/ports';
import type { S3Client } from '../vendor/awsSdk';
import { type AwsSdk, loadAwsSdk } from '../vendor/loaders';
import { KeyPresigner } from './keyPresigner';

export interface S3ClientOptions {
  /** How long to wait for a connection and for each response. */
  timeoutMs: number;
}

/** An S3 SDK client for a store: its region, its endpoint (path-style for S3-compatible servers). */
export function createS3Client(sdk: AwsSdk, store: ObjectStore, credentials: CredentialProvider, options: S3ClientOptions): S3Client {
  const client = new sdk.S3Client({
    region: store.region_name,
    credentials,
    ...(store.endpoint_url ? { endpoint: store.endpoint_url, forcePathStyle: true } : {}),
    // The store's record says where it is: an AWS_ENDPOINT_URL or a profile's endpoint_url (LocalStack's) must not
    // send an AWS store's requests, signed with its key, elsewhere.
    ignoreConfiguredEndpointUrls: true,
    // MinIO, Ceph and R2 don't all accept the SDK's newer default checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 2,
    requestHandler: { connectionTimeout: options.timeoutMs, requestTimeout: options.timeoutMs },
  });
  // AWS takes the SDK's checksums (and its directory buckets may want them): only other servers get the MD5.
  if (store.endpoint_url) {
    sendContentMd5OnDeleteObjects(client);
  }
  return client;
}

/**
 * DeleteObjects with the Content-MD5 header S3's API reference asks for, in
 * place of the CRC32 the SDK sends since 3.729: MinIO before its 2025
 * releases, and other S3-compatible servers, refuse a multi-object delete
 * without it (MissingContentMD5), so Delete failed on them. As the SDK's
 * own MD5 fallback does (supplemental-docs/MD5_FALLBACK.md), after its
 * checksum middleware (the same step, a lower priority) and before signing.
 */
function sendContentMd5OnDeleteObjects(client: S3Client): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown };
      if (context.commandName === 'DeleteObjectsCommand' && request.headers && (typeof request.body === 'string' || request.body instanceof Uint8Array)) {
        for (const name of Object.keys(request.headers)) {
          if (/^x-amz-(sdk-)?checksum-/i.test(name)) {
            delete request.headers[name];
          }
        }
        request.headers['content-md5'] = createHash('md5').update(request.body).digest('base64');
      }
      return next(args);
    },
    { step: 'build', priority: 'low', name: 'logqsDeleteObjectsContentMd5' },
  );
}

/**
 * One S3 client per store, reused for every request (each client holds a
 * connection pool). A client is replaced when what it depends on changes
 * (bucket, endpoint, region, key, the timeout) and destroyed when its store
 * changes or goes, and when the cache is disposed. The SDK is loaded with
 * the first client.
 */
export class S3ClientCache implements Disposable {
  private readonly clients = new Map<string, { key: string; client: S3Client }>();
  /** Each store's presigner, remade and dropped as its client is (without a client: signing needs none, see KeyPresigner). */
  private readonly presigners = new Map<string, { key: string; presigner: KeyPresigner }>();

  /** `options` is read for each new client, so a settings change applies to the next one. */
  constructor(private readonly options: () => S3ClientOptions) {}

  async get(store: ObjectStore, credentials: CredentialProvider): Promise<S3Client> {
    const sdk = await loadAwsSdk();
    // From here on synchronous: concurrent first requests of a store share one client.
    const options = this.options();
    const key = `${dataPlaneKey(store)}|${options.timeoutMs}`;
    const cached = this.clients.get(store.id);
    if (cached?.key === key) {
      return cached.client;
    }
    cached?.client.destroy();
    const client = createS3Client(sdk, store, credentials, options);
    this.clients.set(store.id, { key, client });
    return client;
  }

  /** The store's presigner; it asks for the store's client only if it needs one. */
  presigner(store: ObjectStore, credentials: CredentialProvider): KeyPresigner {
    const key = dataPlaneKey(store);
    const cached = this.presigners.get(store.id);
    if (cached?.key === key) {
      return cached.presigner;
    }
    const presigner = new KeyPresigner(store, credentials, () => this.get(store, credentials));
    this.presigners.set(store.id, { key, presigner });
    return presigner;
  }

  /** Drops the clients and presigners of stores that changed (their records or their secrets). */
  forget(storeIds: readonly string[]): void {
    for (const id of storeIds) {
      this.clients.get(id)?.client.destroy();
      this.clients.delete(id);
      this.presigners.delete(id);
    }
  }

  get size(): number {
    return this.clients.size;
  }

  dispose(): void {
    this.forget([...new Set([...this.clients.keys(), ...this.presigners.keys()])]);
  }
}
