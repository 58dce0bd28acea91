import { ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { LogqsError } from '../core/errors';
import type { ObjectStore } from '../core/objectStore';
import type { Credentials, ListPage, ListPageRequest, ObjectClient, ObjectClientFactory } from '../core/ports';

export interface S3AdapterOptions {
  /** How long to wait for a connection and for each response. */
  timeoutMs?: number;
}

/** An S3 SDK client for a store: its region, its endpoint (path-style for S3-compatible servers). */
export function createS3Client(store: ObjectStore, credentials: Credentials, options: S3AdapterOptions = {}): S3Client {
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new S3Client({
    region: store.region_name,
    credentials,
    ...(store.endpoint_url ? { endpoint: store.endpoint_url, forcePathStyle: true } : {}),
    // MinIO, Ceph and R2 don't all accept the SDK's newer default checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 2,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
  });
}

export class S3ObjectClient implements ObjectClient {
  constructor(
    private readonly store: ObjectStore,
    private readonly s3: S3Client,
  ) {}

  async listPage(request: ListPageRequest): Promise<ListPage> {
    try {
      const response = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.store.bucket_name,
          Prefix: request.prefix || undefined,
          Delimiter: request.delimiter,
          MaxKeys: request.maxKeys,
          ContinuationToken: request.continuationToken,
        }),
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
}

/** Clients for the data plane; `options` is read for each new client, so a settings change applies to the next request. */
export function s3ObjectClientFactory(options: () => S3AdapterOptions = () => ({})): ObjectClientFactory {
  return (store, credentials) => new S3ObjectClient(store, createS3Client(store, credentials, options()));
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

function networkCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const candidate = current as { code?: unknown; name?: unknown; cause?: unknown; errors?: unknown[] };
    if (typeof candidate.code === 'string' && NETWORK_CODES.has(candidate.code)) {
      return candidate.code;
    }
    if (candidate.name === 'TimeoutError' || candidate.code === 'TimeoutError') {
      return 'TimeoutError';
    }
    // Node's happy-eyeballs connect reports one error per address.
    if (Array.isArray(candidate.errors) && candidate.errors.length > 0) {
      current = candidate.errors[0];
      continue;
    }
    current = candidate.cause;
  }
  return undefined;
}

/** Turns what the SDK throws into a LogqsError a person can act on. */
export function describeS3Error(error: unknown, store: ObjectStore): LogqsError {
  if (error instanceof LogqsError) {
    return error;
  }
  const where = store.endpoint_url ?? `AWS S3 (${store.region_name})`;
  const network = networkCode(error);
  if (network) {
    return new LogqsError('unreachable', `Can't reach the object store endpoint ${where} (${network})`, { cause: error });
  }
  const name = error instanceof S3ServiceException ? error.name : (error as { name?: string })?.name;
  const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
  const serverMessage = error instanceof Error ? error.message : String(error);
  const detail = `${name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}: ${serverMessage}`;
  switch (name) {
    case 'InvalidAccessKeyId':
      return new LogqsError('auth', `The access key ID of "${store.name}" was not recognised by ${where}`, { cause: error, detail });
    case 'SignatureDoesNotMatch':
      return new LogqsError('auth', `The secret access key of "${store.name}" was refused by ${where}`, { cause: error, detail });
    case 'ExpiredToken':
    case 'InvalidToken':
      return new LogqsError('auth', `The session credentials for "${store.name}" have expired or are invalid`, { cause: error, detail });
    case 'AccessDenied':
    case 'Forbidden':
      // Ceph and MinIO also answer a wrong key or secret this way, so say all three causes.
      return new LogqsError(
        'forbidden',
        `Access denied to bucket "${store.bucket_name}" for "${store.name}": the access key ID or secret access key is wrong, or the key's policy doesn't allow this (s3:ListBucket, s3:GetObject)`,
        { cause: error, detail },
      );
    case 'NoSuchBucket':
    case 'NotFound':
      return new LogqsError('no-such-bucket', `The bucket "${store.bucket_name}" does not exist at ${where}`, { cause: error, detail });
    case 'PermanentRedirect':
    case 'AuthorizationHeaderMalformed':
      return new LogqsError('remote', `The bucket "${store.bucket_name}" is not in region "${store.region_name}": check region_name`, { cause: error, detail });
    default:
      return new LogqsError('remote', `The object store ${where} answered with an error: ${detail}`, { cause: error, detail });
  }
}
