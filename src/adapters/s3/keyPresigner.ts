import { createHash, createHmac } from 'node:crypto';
import type { CredentialProvider } from '../../core/ports';
import type { S3Client } from '../vendor/awsSdk';
import { lazy } from '../../core/lazy';
import { loadAwsSdk } from '../vendor/loaders';

/** The key the SDK signs once, to show where keys go in the store's URLs. */
const PROBE_KEY = 'logqs-probe';

/** SHA-256 and HMAC-SHA-256 as the SigV4 signer takes them (a constructor, with a secret for HMAC). */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') {
    return data;
  }
  return data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** A key's path in a URL, as the S3 SDK writes it: each segment encoded, `!'()*` too, "/" kept. */
export function encodeKeyPath(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

/**
 * Presigned GET URLs of one bucket's keys, for a folder download that needs
 * one per object. The SDK's presigner runs the whole command middleware and
 * endpoint rules for each URL (about 0.4 ms of CPU, most of a small file's
 * cost); here the SDK presigns one probe key to fix the origin and the path
 * layout (path- or virtual-hosted style, whatever the endpoint rules chose),
 * and each key is then signed with SigV4 alone. The URLs carry only SigV4's
 * query (no `x-id`): what any S3 server needs to answer a GET.
 */
export class KeyPresigner {
  /** Where keys go in the URLs and the signer; made at the first URL (a failure, of credentials say, is not remembered). */
  private readonly signing = lazy(async () => {
    const sdk = await loadAwsSdk();
    const url = new URL(await sdk.getSignedUrl(this.s3, new sdk.GetObjectCommand({ Bucket: this.bucket, Key: PROBE_KEY }), { expiresIn: 60 }));
    if (!url.pathname.endsWith(`/${PROBE_KEY}`)) {
      throw new Error(`Unexpected presigned URL layout: ${url.pathname}`);
    }
    // S3 signs the path as sent: no double encoding, no dot-segment normalising.
    const signer = new sdk.SignatureV4({ credentials: this.credentials, region: this.region, service: 's3', sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
    return { url, pathPrefix: url.pathname.slice(0, -PROBE_KEY.length), signer };
  });

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly region: string,
    private readonly credentials: CredentialProvider,
  ) {}

  async presign(key: string, expiresInSeconds: number): Promise<string> {
    const { url, pathPrefix, signer } = await this.signing();
    const signed = await signer.presign(
      {
        method: 'GET',
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: pathPrefix + encodeKeyPath(key),
        query: {},
        // Presigned URLs sign no payload (S3's rule); the header is hoisted into the query.
        headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      },
      { expiresIn: expiresInSeconds },
    );
    const query = Object.entries(signed.query ?? {})
      .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
      .join('&');
    return `${url.protocol}//${url.host}${signed.path}?${query}`;
  }
}
