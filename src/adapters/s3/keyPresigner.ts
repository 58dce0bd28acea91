import { type KeyObject, createHash, createHmac, createSecretKey, hash } from 'node:crypto';
import type { ObjectStore } from '../../core/objectStore';
import type { CredentialProvider } from '../../core/ports';
import type { S3Client } from '../vendor/awsSdk';
import { lazy } from '../../core/lazy';
import { loadAwsSdk } from '../vendor/loaders';

/** The key the SDK signs once, to show where keys go in the store's URLs. */
const PROBE_KEY = 'logqs-probe';

/** A key's path in a URL, as the S3 SDK writes it: each segment encoded, `!'()*` too, "/" kept. */
export function encodeKeyPath(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

/** RFC 3986 escaping, as SigV4 wants it in the canonical query: all but A-Z a-z 0-9 - _ . ~ */
function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const escapePair = ([name, value]: [string, string]): [string, string] => [escapeUri(name), escapeUri(value)];

/** A canonical query of escaped pairs: sorted by name (then value), by code point as SigV4 wants it. */
function sortedQuery(pairs: [string, string][]): string {
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return pairs
    .sort(([a, x], [b, y]) => order(a, b) || order(x, y))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** SigV4's own parameters of a presigned URL, escaped. */
function signingPairs(longDate: string, credential: string, expiresInSeconds: number, sessionToken: string | undefined): [string, string][] {
  const pairs: [string, string][] = [
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Credential', credential],
    ['X-Amz-Date', longDate],
    ['X-Amz-Expires', String(expiresInSeconds)],
    ['X-Amz-SignedHeaders', 'host'],
    // Presigned URLs sign no payload (S3's rule), and say so in the query, as the SDK does.
    ['x-amz-content-sha256', 'UNSIGNED-PAYLOAD'],
  ];
  if (sessionToken) {
    pairs.push(['X-Amz-Security-Token', sessionToken]);
  }
  return pairs.map(escapePair);
}

/** SHA-256 in hex: Node's one-shot hash where it has one (20.12 and later), a third of createHash's cost. */
const sha256Hex: (text: string) => string =
  typeof hash === 'function' ? (text) => hash('sha256', text, 'hex') : (text) => createHash('sha256').update(text).digest('hex');
const hmac = (key: string | Buffer | KeyObject, text: string) => createHmac('sha256', key).update(text).digest();

/** Where a bucket's keys go in its URLs: the origin, and the path before each key. */
export interface UrlLayout {
  url: URL;
  pathPrefix: string;
}

/**
 * Where a path-style endpoint puts a bucket's keys, as the SDK does with
 * forcePathStyle (every store with an endpoint_url, see createS3Client): the
 * endpoint's own path, then the bucket. The unit tests compare it with the
 * SDK's URLs.
 */
export function pathStyleLayout(endpointUrl: string, bucket: string): UrlLayout {
  const url = new URL(endpointUrl);
  return { url, pathPrefix: `${url.pathname.replace(/\/+$/, '')}/${bucket}/` };
}

/**
 * Presigned GET (and HEAD) URLs of one bucket's keys, made without the SDK.
 * The SDK's presigner runs the whole command middleware and endpoint rules
 * for each URL (about 0.4 ms of CPU, most of a small file's cost), and even
 * its SigV4 signer alone took 0.2 ms a URL, awaiting each hash. Here each
 * key is signed with SigV4's query signing, as the SDK's signer does it (the
 * unit tests compare the two, byte for byte): one SHA-256 and one HMAC a
 * URL, the day's signing key kept (as a KeyObject: on Node 22 and later an
 * HMAC keyed with bytes makes one each time, five times the cost of the HMAC
 * itself). The URLs carry only SigV4's query (no `x-id`): what any S3 server
 * needs to answer a GET. Where the keys go is known without the SDK for a
 * path-style endpoint (`lean`); on AWS, whose endpoint rules choose between
 * path and virtual-hosted style, the SDK presigns one probe key to show it.
 */
export class KeyPresigner {
  /** Whether the layout is known without the SDK: signing a URL loads nothing. */
  readonly lean: boolean;
  /** Where keys go in the URLs; found at the first URL (a failure, of credentials say, is not remembered). */
  private readonly layout: () => Promise<UrlLayout>;
  private readonly bucket: string;
  private readonly region: string;

  /** The last signing key made: it depends only on the day and the credentials. */
  private signingKey?: { day: string; accessKeyId: string; secretAccessKey: string; key: KeyObject };
  /** The last canonical query made: the same for every key signed in the same second with the same credentials and expiry. */
  private lastQuery?: { of: string; query: string };

  /** `probeClient`: the store's SDK client, asked for only on AWS (no endpoint_url), to sign the probe key. */
  constructor(
    store: Pick<ObjectStore, 'bucket_name' | 'region_name' | 'endpoint_url'>,
    private readonly credentials: CredentialProvider,
    probeClient: () => Promise<S3Client>,
  ) {
    this.bucket = store.bucket_name;
    this.region = store.region_name;
    // As createS3Client reads it: any endpoint_url means path-style.
    const endpoint = store.endpoint_url || undefined;
    this.lean = endpoint !== undefined;
    if (endpoint !== undefined) {
      const layout = Promise.resolve(pathStyleLayout(endpoint, this.bucket));
      this.layout = () => layout;
    } else {
      this.layout = lazy(() => this.probe(probeClient));
    }
  }

  private async probe(probeClient: () => Promise<S3Client>): Promise<UrlLayout> {
    const [sdk, s3] = await Promise.all([loadAwsSdk(), probeClient()]);
    const url = new URL(await sdk.getSignedUrl(s3, new sdk.GetObjectCommand({ Bucket: this.bucket, Key: PROBE_KEY }), { expiresIn: 60 }));
    if (!url.pathname.endsWith(`/${PROBE_KEY}`)) {
      throw new Error(`Unexpected presigned URL layout: ${url.pathname}`);
    }
    return { url, pathPrefix: url.pathname.slice(0, -PROBE_KEY.length) };
  }

  /** A presigned GET (or HEAD) URL of `key`, signed at `at` (now, but for tests). */
  async presign(key: string, expiresInSeconds: number, at = new Date(), method: 'GET' | 'HEAD' = 'GET'): Promise<string> {
    const { url, pathPrefix } = await this.layout();
    // S3 signs the path as sent: no double encoding, no dot-segment normalising.
    return this.sign(method, url, pathPrefix + encodeKeyPath(key), [], expiresInSeconds, at);
  }

  /**
   * A presigned ListObjectsV2 of the bucket (`query`: its parameters, such as `prefix` and
   * `continuation-token`), at the URL the SDK lists it at: the bucket's path, its slash kept.
   */
  async presignListing(query: Readonly<Record<string, string>>, expiresInSeconds: number, at = new Date()): Promise<string> {
    const { url, pathPrefix } = await this.layout();
    return this.sign('GET', url, pathPrefix, [['list-type', '2'], ...Object.entries(query)], expiresInSeconds, at);
  }

  /** SigV4's query signing of `method` `path` with the request's own parameters (`ownQuery`, unescaped) beside its own. */
  private async sign(method: 'GET' | 'HEAD', url: URL, path: string, ownQuery: [string, string][], expiresInSeconds: number, at: Date): Promise<string> {
    const { accessKeyId, secretAccessKey, sessionToken } = await this.credentials();
    const longDate = at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
    const day = longDate.slice(0, 8);
    const scope = `${day}/${this.region}/s3/aws4_request`;
    const credential = `${accessKeyId}/${scope}`;
    const canonicalQuery =
      ownQuery.length === 0
        ? this.canonicalQuery(longDate, credential, expiresInSeconds, sessionToken)
        : sortedQuery([...signingPairs(longDate, credential, expiresInSeconds, sessionToken), ...ownQuery.map(escapePair)]);
    const canonicalRequest = `${method}\n${path}\n${canonicalQuery}\nhost:${url.host}\n\nhost\nUNSIGNED-PAYLOAD`;
    const stringToSign = `AWS4-HMAC-SHA256\n${longDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
    const signature = hmac(this.keyFor(day, accessKeyId, secretAccessKey), stringToSign).toString('hex');
    return `${url.protocol}//${url.host}${path}?${canonicalQuery}&X-Amz-Signature=${signature}`;
  }

  /** The canonical query of a presigned URL of a key: the same for every key signed in the same second (kept). */
  private canonicalQuery(longDate: string, credential: string, expiresInSeconds: number, sessionToken: string | undefined): string {
    const of = [longDate, credential, expiresInSeconds, sessionToken ?? ''].join('\u0000');
    if (this.lastQuery?.of === of) {
      return this.lastQuery.query;
    }
    const canonical = sortedQuery(signingPairs(longDate, credential, expiresInSeconds, sessionToken));
    this.lastQuery = { of, query: canonical };
    return canonical;
  }

  private keyFor(day: string, accessKeyId: string, secretAccessKey: string): KeyObject {
    const kept = this.signingKey;
    if (kept && kept.day === day && kept.accessKeyId === accessKeyId && kept.secretAccessKey === secretAccessKey) {
      return kept.key;
    }
    const key = createSecretKey(hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, day), this.region), 's3'), 'aws4_request'));
    this.signingKey = { day, accessKeyId, secretAccessKey, key };
    return key;
  }
}
