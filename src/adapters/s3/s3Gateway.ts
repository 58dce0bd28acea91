import { LogqsError } from '../../core/errors';
import type { ObjectStore } from '../../core/objectStore';
import type { PresignedRequests } from '../http/rangeReader';
import { networkCode, unreadableAnswer } from '../remoteErrors';
import type { FetchOptions, FetchedObject, ListPage, ListPageRequest, ObjectDetails, ObjectGateway, ObjectGatewayFactory } from '../../core/ports';
import type { S3Client } from '../vendor/awsSdk';
import { type AwsSdk, loadAwsSdk } from '../vendor/loaders';
import { detailsFromHeaders, headObject } from './headObject';
import type { KeyPresigner } from './keyPresigner';
import { type ListingAnswer, parseListing } from './listingXml';
import type { S3ClientCache } from './s3Client';
import { describeS3Error } from './s3Errors';

/** What a gateway's SDK requests go through: the SDK and the store's client. */
interface S3Connection {
  sdk: AwsSdk;
  s3: S3Client;
}

/**
 * How long the URL of a HEAD or of a listing's page lives. It is used at once, but a clock behind the server's
 * would make a shorter-lived one expired on arrival (the SDK's signed requests are allowed 15 minutes of skew).
 */
const LEAN_URL_SECONDS = 900;

/**
 * The longest listing page read through a presigned URL: 1000 keys of 1024 bytes, each URL-encoded to at
 * most three times that, and their other fields. A longer answer is asked again of the SDK.
 */
const LEAN_PAGE_BYTES = 4 * 1024 * 1024;

/**
 * A store's objects reached with S3 calls signed by the store's own
 * credentials. It connects at its first request: making a gateway loads
 * nothing.
 */
export class S3ObjectGateway implements ObjectGateway {
  constructor(
    private readonly store: ObjectStore,
    private readonly connect: () => Promise<S3Connection>,
    private readonly presigner: KeyPresigner,
    private readonly requests?: PresignedRequests,
  ) {}

  async listPage(request: ListPageRequest, signal?: AbortSignal): Promise<ListPage> {
    const startAfter = request.continuationToken?.startsWith(START_AFTER) ? request.continuationToken.slice(START_AFTER.length) : undefined;
    const continuationToken = startAfter === undefined ? request.continuationToken : undefined;
    try {
      const response = (await this.leanList(request, continuationToken, startAfter, signal)) ?? (await this.sdkList(request, continuationToken, startAfter, signal));
      // A server that ignores the encoding says so by not echoing it; its keys are then as they are.
      const decode = response.EncodingType === 'url' ? decodeListedKey : (text: string) => text;
      const folders = (response.CommonPrefixes ?? []).flatMap((entry) => (entry.Prefix ? [decode(entry.Prefix)] : []));
      const objects = (response.Contents ?? []).flatMap((entry) =>
        entry.Key === undefined ? [] : [{ key: decode(entry.Key), size: entry.Size ?? 0, lastModified: entry.LastModified, etag: entry.ETag }],
      );
      const next = response.IsTruncated ? response.NextContinuationToken || tokenAfterWhitespaceKey(objects, folders, startAfter) : undefined;
      // A listing goes on while there is a token: a truncated page without one would end a folder (its view, download
      // or delete) silently part way.
      if (response.IsTruncated && !next) {
        throw new LogqsError('remote', `The server listed part of "${request.prefix}" in "${this.store.bucket_name}" and gave no token to list the rest`);
      }
      return { folders, objects, nextContinuationToken: next };
    } catch (error) {
      throw describeS3Error(error, this.store);
    }
  }

  /**
   * A page through a presigned URL, read here (see parseListing), where the
   * presigner needs no SDK: a folder's download or a tree's first expand then
   * doesn't wait for the SDK to load (60 to 100 ms of a fresh process). Undefined
   * when it can't say (a refusal, an answer it can't read, a broken
   * connection): the SDK then asks again, with its retries, and its error is
   * the one worded. A web page answered 200 is said to be one.
   */
  private async leanList(request: ListPageRequest, continuationToken: string | undefined, startAfter: string | undefined, signal?: AbortSignal): Promise<ListingAnswer | undefined> {
    if (!this.requests || !this.presigner.lean) {
      return undefined;
    }
    const query: Record<string, string> = { 'max-keys': String(request.maxKeys), 'encoding-type': 'url' };
    if (request.prefix) {
      query.prefix = request.prefix;
    }
    if (request.delimiter) {
      query.delimiter = request.delimiter;
    }
    if (continuationToken !== undefined) {
      query['continuation-token'] = continuationToken;
    }
    if (startAfter !== undefined) {
      query['start-after'] = startAfter;
    }
    const url = await this.presigner.presignListing(query, LEAN_URL_SECONDS);
    const answer = await this.requests.getWhole(url, LEAN_PAGE_BYTES, signal ?? new AbortController().signal).catch(leaveToSdk);
    if (answer?.status !== 200) {
      return undefined;
    }
    const page = parseListing(answer.body.toString('utf8'));
    const contentType = answer.headers['content-type'] ?? '';
    // A web page (a captive portal's, a proxy's) is no listing: the SDK's parser would read it as an empty folder.
    if (!page && /html/i.test(contentType)) {
      throw unreadableAnswer(answer.status, contentType);
    }
    return page;
  }

  private async sdkList(request: ListPageRequest, continuationToken: string | undefined, startAfter: string | undefined, signal?: AbortSignal): Promise<ListingAnswer> {
    const { sdk, s3 } = await this.connect();
    return s3.send(
      new sdk.ListObjectsV2Command({
        Bucket: this.store.bucket_name,
        Prefix: request.prefix || undefined,
        Delimiter: request.delimiter,
        MaxKeys: request.maxKeys,
        ContinuationToken: continuationToken,
        StartAfter: startAfter,
        // Keys come back URL-encoded: in XML a key such as "\n" or "\r\n" reads back as "" (the SDK's parser
        // drops a value of whitespace and a newline), and characters XML can't carry have no other way through.
        EncodingType: 'url',
      }),
      { abortSignal: signal },
    );
  }

  /**
   * Metadata, then a URL signed here, without a request, for the bytes. An
   * object a listing described (one of a folder's many) needs no HEAD. On a
   * path-style endpoint the HEAD is a presigned one too, so that a download
   * or an open of one object doesn't wait for the AWS SDK to load (150 ms of
   * a fresh extension host on Node 24) nor for its first request; the
   * HTTP adapter learns the route to the server from it as well. On AWS the
   * SDK heads the object. A URL for sharing (Copy Presigned URL) is the
   * SDK's presigner's.
   */
  async fetchObject(key: string, options: FetchOptions): Promise<FetchedObject> {
    const expiresAt = (signedAt: number) => new Date(signedAt + options.expiresInSeconds * 1000);
    try {
      const details = options.listed ? { ...options.listed, key } : await this.leanHead(key, options.signal);
      if (details && !options.forSharing) {
        const signedAt = Date.now();
        return { details, presignedUrl: await this.presigner.presign(key, options.expiresInSeconds), expiresAt: expiresAt(signedAt) };
      }
      const { sdk, s3 } = await this.connect();
      const headed = details ?? (await headObject(sdk, s3, this.store.bucket_name, key, options.signal));
      const signedAt = Date.now();
      const presignedUrl = await sdk.getSignedUrl(s3, new sdk.GetObjectCommand({ Bucket: this.store.bucket_name, Key: key }), { expiresIn: options.expiresInSeconds });
      return { details: headed, presignedUrl, expiresAt: expiresAt(signedAt) };
    } catch (error) {
      const problem = describeS3Error(error, this.store);
      throw LogqsError.is(problem, 'not-found') ? await this.missingBucketOr(key, problem, options.signal) : problem;
    }
  }

  /**
   * A HEAD's 404 says nothing of why (it has no body): the bucket itself may be gone, which a listing's answer
   * names. Asked only then; when the listing can't tell, the object is what is missing.
   */
  private async missingBucketOr(key: string, notFound: LogqsError, signal?: AbortSignal): Promise<LogqsError> {
    try {
      await this.listPage({ prefix: key, maxKeys: 1 }, signal);
      return notFound;
    } catch (error) {
      return LogqsError.is(error, 'no-such-bucket') ? error : notFound;
    }
  }

  /**
   * The object's metadata from a presigned HEAD, where the presigner needs no
   * SDK. Undefined when it can't say: the SDK's HEAD then asks again, with
   * its retries, and its error is the one worded (a HEAD's answer has no
   * body: a refusal is only a status).
   */
  private async leanHead(key: string, signal?: AbortSignal): Promise<ObjectDetails | undefined> {
    if (!this.requests || !this.presigner.lean) {
      return undefined;
    }
    const url = await this.presigner.presign(key, LEAN_URL_SECONDS, undefined, 'HEAD');
    const answer = await this.requests.head(url, signal ?? new AbortController().signal).catch(leaveToSdk);
    if (answer?.status === 404) {
      // What the SDK's HEAD throws for it, so that it is worded in one place.
      throw Object.assign(new Error('Not Found'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });
    }
    return answer?.status === 200 ? detailsFromHeaders(key, answer.headers) : undefined;
  }
}

/**
 * A lean request's failure: a Cancel stands, and so does a server that didn't answer in time (the SDK's two
 * tries would each wait as long again); anything else is left for the SDK to ask again and word.
 */
function leaveToSdk(error: unknown): undefined {
  if (LogqsError.is(error, 'cancelled') || networkCode(error) === 'ETIMEDOUT') {
    throw error;
  }
  return undefined;
}

/**
 * A token made here, not by the server: the rest of a listing starts after the key it carries (StartAfter).
 * XML can't carry U+0000, so no server's token begins with it.
 */
const START_AFTER = '\u0000start-after:';

/**
 * The token of a truncated page the server gave none for, where that is the SDK's doing: radosgw's
 * token is the page's last key, raw, and a key of whitespace with a line break ("\n", "\r", "\r\n")
 * reads back from the SDK's XML parser as an empty token. The listing then goes on after that key,
 * which the page has, decoded. Not after a folder (its keys would come again as the same folder), nor
 * from a server that ignored the StartAfter just asked (its page would start over), nor for any other
 * page without a token.
 */
function tokenAfterWhitespaceKey(objects: { key: string }[], folders: string[], askedAfter: string | undefined): string | undefined {
  const last = objects.at(-1)?.key;
  if (last === undefined || !/^\s+$/.test(last) || (askedAfter !== undefined && utf8Order(last, askedAfter) <= 0)) {
    return undefined;
  }
  if (folders.some((folder) => utf8Order(folder, last) > 0)) {
    return undefined;
  }
  return START_AFTER + last;
}

/** S3's order of keys: by their UTF-8 bytes (which JavaScript's own comparison of UTF-16 differs from). */
function utf8Order(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * A key of a listing asked with EncodingType=url. S3 and MinIO write a space as "+" (and a "+" as "%2B"),
 * radosgw as "%20": both read back the same. One that isn't valid encoding (a server that didn't encode
 * it after all) is kept as sent rather than failing its page: its own operations say what is wrong with it.
 */
export function decodeListedKey(text: string): string {
  if (!text.includes('%') && !text.includes('+')) {
    return text;
  }
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/**
 * Gateways over the cache's clients: building one per request is free; the
 * client and the presigner of a store are shared (the cache keeps both).
 * `requests`: where HEADs and listings of presigned URLs go (without it, the
 * SDK heads every object and lists every page).
 */
export function s3Gateways(cache: S3ClientCache, requests?: PresignedRequests): ObjectGatewayFactory {
  return (store, credentials) => {
    const connect = async () => {
      const [sdk, s3] = await Promise.all([loadAwsSdk(), cache.get(store, credentials)]);
      return { sdk, s3 };
    };
    return new S3ObjectGateway(store, connect, cache.presigner(store, credentials), requests);
  };
}
