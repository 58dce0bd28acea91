import * as assert from 'node:assert/strict';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createHash, createHmac } from 'node:crypto';
import { KeyPresigner, encodeKeyPath } from '../../../src/adapters/s3/keyPresigner';
import { SignatureV4 } from '../../../src/adapters/vendor/awsSdk';

/** SHA-256 and HMAC-SHA-256 as the SDK's SigV4 signer takes them (a constructor, with a secret for HMAC). */
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

/** What the SDK's own SigV4 signer makes of the GET of `key`, signed at `at`: the reference the lean signer must match. */
async function sdkSigned(origin: URL, pathPrefix: string, key: string, region: string, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, at: Date): Promise<URL> {
  const signer = new SignatureV4({ credentials, region, service: 's3', sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: origin.protocol,
      hostname: origin.hostname,
      port: origin.port ? Number(origin.port) : undefined,
      path: pathPrefix + encodeKeyPath(key),
      query: {},
      headers: { host: origin.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    },
    { expiresIn: 900, signingDate: at },
  );
  const query = Object.entries(signed.query ?? {}).map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`);
  return new URL(`${origin.protocol}//${origin.host}${signed.path}?${query.join('&')}`);
}

const sortedParams = (url: URL) => [...url.searchParams].sort(([a], [b]) => a.localeCompare(b));

/**
 * The lean presigner must put every key where the SDK's presigner puts it, in
 * path-style and virtual-hosted URLs alike; that the server accepts its
 * signatures is checked against the real S3 server (folder downloads of
 * awkward keys in the integration suite).
 */
describe('KeyPresigner', () => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  const keys = ['plain.bin', 'logs/2024/run 1.mcap', 'a+b=c&d?e#f', 'ünïcødé/文件.bag', "it's (a) *star*!", 'tilde~dash-under_dot.', 'double//slash/', '%41 percent', 'semi;colon,comma:colon@at$dollar'];
  const layouts = {
    'path-style (a custom endpoint)': { endpoint: 'http://127.0.0.1:7480', forcePathStyle: true },
    'virtual-hosted (AWS)': {},
  };

  for (const [name, config] of Object.entries(layouts)) {
    it(`puts keys where the SDK does, ${name}`, async () => {
      const s3 = new S3Client({ region: 'eu-west-1', credentials, ...config });
      const presigner = new KeyPresigner(s3, 'my-bucket', 'eu-west-1', () => Promise.resolve(credentials));
      for (const key of keys) {
        const ours = new URL(await presigner.presign(key, 900));
        const sdk = new URL(await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'my-bucket', Key: key }), { expiresIn: 900 }));
        assert.equal(ours.origin, sdk.origin, key);
        assert.equal(ours.pathname, sdk.pathname, key);
        for (const param of ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Expires', 'X-Amz-SignedHeaders']) {
          assert.equal(ours.searchParams.get(param), sdk.searchParams.get(param), `${param} of ${key}`);
        }
        assert.match(ours.searchParams.get('X-Amz-Signature') ?? '', /^[0-9a-f]{64}$/);
      }
      s3.destroy();
    });
  }

  it('signs each key exactly as the SDK’s SigV4 signer does, with and without a session token, across days', async () => {
    const origin = new URL('http://127.0.0.1:7480');
    const s3 = new S3Client({ region: 'eu-west-1', credentials, endpoint: origin.origin, forcePathStyle: true });
    const temporary = { ...credentials, sessionToken: 'token/with+chars=' };
    for (const creds of [credentials, temporary]) {
      const presigner = new KeyPresigner(s3, 'my-bucket', 'eu-west-1', () => Promise.resolve(creds));
      for (const at of [new Date('2026-12-01T23:59:59.999Z'), new Date('2026-12-02T00:00:00.000Z')]) {
        for (const key of keys) {
          const ours = new URL(await presigner.presign(key, 900, at));
          const sdk = await sdkSigned(origin, '/my-bucket/', key, 'eu-west-1', creds, at);
          assert.equal(ours.pathname, sdk.pathname, key);
          assert.deepEqual(sortedParams(ours), sortedParams(sdk), `${key} at ${at.toISOString()}`);
        }
      }
    }
    s3.destroy();
  });

  it('signs with the session token of temporary credentials', async () => {
    const temporary = { ...credentials, sessionToken: 'token/with+chars=' };
    const s3 = new S3Client({ region: 'us-east-1', credentials: temporary, endpoint: 'http://127.0.0.1:7480', forcePathStyle: true });
    const url = new URL(await new KeyPresigner(s3, 'my-bucket', 'us-east-1', () => Promise.resolve(temporary)).presign('k', 60));
    assert.equal(url.searchParams.get('X-Amz-Security-Token'), temporary.sessionToken);
    s3.destroy();
  });
});
