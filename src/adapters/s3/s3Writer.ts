import { LogqsError } from '../../core/errors';
import { holdsBytes } from '../../core/transfer/etags';
import type { ObjectStore } from '../../core/objectStore';
import type { CompletedPart, ObjectWriter, ObjectWriterFactory, StoredHeaders } from '../../core/ports';
import type { S3Client, ServerSideEncryption, StorageClass } from '../vendor/awsSdk';
import { type AwsSdk, loadAwsSdk } from '../vendor/loaders';
import { headObject } from './headObject';
import type { S3ClientCache } from './s3Client';
import { awsServiceError } from '../remoteErrors';
import { describeS3Error } from './s3Errors';

/**
 * Writes and deletes with S3 calls; every SDK error becomes a LogqsError
 * naming the store. It connects at its first request.
 */
export class S3ObjectWriter implements ObjectWriter {
  constructor(
    private readonly store: ObjectStore,
    private readonly connect: () => Promise<{ sdk: AwsSdk; s3: S3Client }>,
  ) {}

  private get bucket(): string {
    return this.store.bucket_name;
  }

  private async call<T>(request: (sdk: AwsSdk, s3: S3Client) => Promise<T>): Promise<T> {
    const { sdk, s3 } = await this.connect();
    try {
      return await request(sdk, s3);
    } catch (error) {
      throw describeS3Error(error, this.store);
    }
  }

  async headObject(key: string, signal?: AbortSignal) {
    try {
      return await this.call((sdk, s3) => headObject(sdk, s3, this.bucket, key, signal));
    } catch (error) {
      if (LogqsError.is(error, 'not-found')) {
        return undefined;
      }
      throw error;
    }
  }

  putObject(key: string, body: Uint8Array, options: { contentType?: string; metadata?: Record<string, string>; stored?: StoredHeaders; ifMatch?: string; signal?: AbortSignal } = {}) {
    const { cacheControl, contentDisposition, contentEncoding, contentLanguage, storageClass, serverSideEncryption, sseKmsKeyId } = options.stored ?? {};
    return this.call(async (sdk, s3) => {
      const put = async (ifMatch: string | undefined) => {
        const response = await s3.send(
          new sdk.PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: body,
            ContentType: options.contentType,
            Metadata: options.metadata,
            CacheControl: cacheControl,
            ContentDisposition: contentDisposition,
            ContentEncoding: contentEncoding,
            ContentLanguage: contentLanguage,
            // As the server named them: values the SDK's types don't list yet pass as they are.
            StorageClass: storageClass as StorageClass | undefined,
            ServerSideEncryption: serverSideEncryption as ServerSideEncryption | undefined,
            SSEKMSKeyId: sseKmsKeyId,
            ContentLength: body.byteLength,
            IfMatch: ifMatch,
          }),
          { abortSignal: options.signal },
        );
        return { etag: response.ETag };
      };
      return options.ifMatch === undefined ? put(undefined) : this.conditionalPut(key, options.ifMatch, body, put);
    });
  }

  /**
   * A PUT on the condition that the object is still the version `etag`
   * names. Ceph's radosgw compares If-Match with the ETag it stores, without
   * quotes, and refuses the quoted form HTTP (and AWS) use: a refusal of the
   * quoted form is asked again unquoted before it is believed. An object
   * deleted meanwhile is a change too (AWS answers 404 NoSuchKey). A server that
   * has no conditional writes (501) gets a plain PUT. A refusal of the S3
   * client's own second try may be of this very write, landed with its
   * answer lost: it is, if the object now holds exactly `body`.
   */
  private async conditionalPut(key: string, etag: string, body: Uint8Array, put: (ifMatch: string | undefined) => Promise<{ etag?: string }>): Promise<{ etag?: string }> {
    const forms = [...new Set([etag, etag.replace(/"/g, '')])];
    let retried = false;
    for (const form of forms) {
      try {
        return await put(form);
      } catch (error) {
        const { name, status, attempts } = awsServiceError(error);
        if (status === 501 || name === 'NotImplemented') {
          return put(undefined);
        }
        // 409 ConditionalRequestConflict: another write to the key landed meanwhile; 404 NoSuchKey (AWS): it was deleted.
        if (status !== 412 && name !== 'PreconditionFailed' && name !== 'ConditionalRequestConflict' && name !== 'NoSuchKey') {
          throw error;
        }
        retried ||= (attempts ?? 1) > 1;
      }
    }
    const there = retried ? await this.headObject(key).catch(() => undefined) : undefined;
    if (there && holdsBytes(there, body)) {
      return { etag: there.etag };
    }
    throw new LogqsError('changed', `"${key}" in "${this.store.name}" is no longer the version the write was for`);
  }

  createMultipartUpload(key: string, options: { contentType?: string; signal?: AbortSignal } = {}) {
    return this.call(async (sdk, s3) => {
      const response = await s3.send(
        new sdk.CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: options.contentType }),
        { abortSignal: options.signal },
      );
      if (!response.UploadId) {
        throw new LogqsError('remote', `The object store ${this.store.name} started a multipart upload without an id`);
      }
      return { uploadId: response.UploadId };
    });
  }

  uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array, signal?: AbortSignal) {
    return this.call(async (sdk, s3): Promise<CompletedPart> => {
      const response = await s3.send(
        new sdk.UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body, ContentLength: body.byteLength }),
        { abortSignal: signal },
      );
      if (!response.ETag) {
        throw new LogqsError('remote', `The object store ${this.store.name} accepted part ${partNumber} without an ETag`);
      }
      return { partNumber, etag: response.ETag };
    });
  }

  completeMultipartUpload(key: string, uploadId: string, parts: readonly CompletedPart[], signal?: AbortSignal) {
    return this.call(async (sdk, s3) => {
      const response = await s3.send(
        new sdk.CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })) },
        }),
        { abortSignal: signal },
      );
      return { etag: response.ETag };
    });
  }

  abortMultipartUpload(key: string, uploadId: string) {
    return this.call(async (sdk, s3) => {
      await s3.send(new sdk.AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }));
    });
  }

  deleteObjects(keys: readonly string[], signal?: AbortSignal) {
    return this.call(async (sdk, s3) => {
      if (keys.length === 0) {
        return { failed: [] };
      }
      const response = await s3.send(
        new sdk.DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }),
        { abortSignal: signal },
      );
      return {
        failed: (response.Errors ?? []).map((entry) => ({ key: entry.Key || '?', reason: `${entry.Code ?? 'Error'}: ${entry.Message ?? ''}`.trim() })),
      };
    });
  }
}

/** Writers over the cache's clients. */
export function s3Writers(cache: S3ClientCache): ObjectWriterFactory {
  return (store, credentials) => new S3ObjectWriter(store, async () => ({ sdk: await loadAwsSdk(), s3: await cache.get(store, credentials) }));
}
