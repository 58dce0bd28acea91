import * as assert from 'node:assert/strict';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createHash, createHmac } from 'node:crypto';
import { KeyPresigner, encodeKeyPath } from '../../../src/adapters/s3/keyPresigner';
import { createS3Client } from '../../../src/adapters/s3/s3Client';
import * as sdk from '../../../src/adapters/vendor/awsSdk';
import { SignatureV4 } from '../../../src/adapters/vendor/awsSdk';
import type { ObjectStore } from '../../../src/core/objectStore';

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

/** What the SDK's own SigV4 signer makes of the GET (or HEAD) of `key`, signed at `at`: the reference the lean signer must match. */
async function sdkSigned(method: 'GET' | 'HEAD', origin: URL, pathPrefix: string, key: string, region: string, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, at: Date, expiresIn = 900, query: Record<string, string> = {}): Promise<URL> {
  const signer = new SignatureV4({ credentials, region, service: 's3', sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
  const signed = await signer.presign(
    {
      method,
      protocol: origin.protocol,
      hostname: origin.hostname,
      port: origin.port ? Number(origin.port) : undefined,
      path: pathPrefix + encodeKeyPath(key),
      query,
      headers: { host: origin.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    },
    { expiresIn, signingDate: at },
  );
  const pairs = Object.entries(signed.query ?? {}).map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`);
  return new URL(`${origin.protocol}//${origin.host}${signed.path}?${pairs.join('&')}`);
}

/** A store whose presigner must never need its client. */
const noClient = () => Promise.reject(new Error('no SDK client for a path-style endpoint'));

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
  /** Stores as createS3Client configures their SDK clients: every endpoint_url path-style, AWS's endpoint rules otherwise. */
  const endpoints = {
    'path-style (a custom endpoint)': 'http://127.0.0.1:7480',
    'path-style, a trailing slash': 'https://minio.example.com:9000/',
    'path-style, an endpoint with a path': 'https://gateway.example.com/s3/',
    'path-style, a path without a trailing slash': 'http://localhost:9000/base',
    'virtual-hosted (AWS)': undefined,
  };
  const storeAt = (endpoint_url: string | undefined) => ({ bucket_name: 'my-bucket', region_name: 'eu-west-1', endpoint_url }) as ObjectStore;

  for (const [name, endpoint] of Object.entries(endpoints)) {
    it(`puts keys where the SDK does, ${name}${endpoint ? ', without the SDK' : ''}`, async () => {
      const store = storeAt(endpoint);
      const s3 = createS3Client(sdk, store, () => Promise.resolve(credentials), { timeoutMs: 1000 });
      let probed = false;
      const presigner = new KeyPresigner(store, () => Promise.resolve(credentials), async () => {
        probed = true;
        return s3;
      });
      assert.equal(presigner.lean, endpoint !== undefined);
      for (const key of keys) {
        const ours = new URL(await presigner.presign(key, 900));
        const sdkUrl = new URL(await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'my-bucket', Key: key }), { expiresIn: 900 }));
        assert.equal(ours.origin, sdkUrl.origin, key);
        assert.equal(ours.pathname, sdkUrl.pathname, key);
        for (const param of ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Expires', 'X-Amz-SignedHeaders']) {
          assert.equal(ours.searchParams.get(param), sdkUrl.searchParams.get(param), `${param} of ${key}`);
        }
        assert.match(ours.searchParams.get('X-Amz-Signature') ?? '', /^[0-9a-f]{64}$/);
      }
      assert.equal(probed, endpoint === undefined, 'the SDK is asked only on AWS');
      s3.destroy();
    });
  }

  it('signs each key exactly as the SDK’s SigV4 signer does, GET and HEAD, with and without a session token, across days', async () => {
    const origin = new URL('http://127.0.0.1:7480');
    const temporary = { ...credentials, sessionToken: 'token/with+chars=' };
    for (const creds of [credentials, temporary]) {
      const presigner = new KeyPresigner(storeAt(origin.origin), () => Promise.resolve(creds), noClient);
      for (const at of [new Date('2026-12-01T23:59:59.999Z'), new Date('2026-12-02T00:00:00.000Z')]) {
        for (const method of ['GET', 'HEAD'] as const) {
          for (const key of keys) {
            const ours = new URL(await presigner.presign(key, 900, at, method));
            const reference = await sdkSigned(method, origin, '/my-bucket/', key, 'eu-west-1', creds, at);
            assert.equal(ours.pathname, reference.pathname, key);
            assert.deepEqual(sortedParams(ours), sortedParams(reference), `${method} ${key} at ${at.toISOString()}`);
          }
        }
      }
    }
  });

  it('signs with the credentials, expiry and second of each call, when only one of them changes (its query is kept between calls)', async () => {
    const origin = new URL('http://127.0.0.1:7480');
    const other = { ...credentials, accessKeyId: 'AKIAOTHER', secretAccessKey: 'other-secret' };
    const second = (s: number) => new Date(`2026-12-02T10:00:0${s}.000Z`);
    // Each step changes one thing from the one before.
    const steps = [
      { creds: credentials, expires: 900, at: second(0) },
      { creds: credentials, expires: 60, at: second(0) },
      { creds: credentials, expires: 60, at: second(1) },
      { creds: { ...credentials, sessionToken: 'first' }, expires: 60, at: second(1) },
      { creds: { ...credentials, sessionToken: 'second' }, expires: 60, at: second(1) },
      { creds: other, expires: 60, at: second(1) },
      { creds: credentials, expires: 60, at: second(1) },
    ];
    let step = steps[0];
    const presigner = new KeyPresigner(storeAt(origin.origin), () => Promise.resolve(step.creds), noClient);
    for (const [index, current] of steps.entries()) {
      step = current;
      const ours = new URL(await presigner.presign('a/b c.bin', current.expires, current.at));
      const reference = await sdkSigned('GET', origin, '/my-bucket/', 'a/b c.bin', 'eu-west-1', current.creds, current.at, current.expires);
      assert.deepEqual(sortedParams(ours), sortedParams(reference), `step ${index}`);
    }
  });

  it('signs the same on a Node without the one-shot crypto.hash (before 20.12), through createHash', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- node:crypto's own exports object, whose hash is taken away a moment
    const crypto = require('node:crypto') as { hash?: unknown };
    const presignerFile = require.resolve('../../../src/adapters/s3/keyPresigner');
    const oneShot = Object.getOwnPropertyDescriptor(crypto, 'hash');
    const loaded = require.cache[presignerFile];
    const origin = new URL('http://127.0.0.1:7480');
    const at = new Date('2026-12-02T10:00:00.000Z');
    let older: typeof import('../../../src/adapters/s3/keyPresigner');
    try {
      // The module chooses when it loads: loaded again without it, as on such a Node.
      crypto.hash = undefined;
      delete require.cache[presignerFile];
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a second copy of the module, loaded now
      older = require(presignerFile) as typeof import('../../../src/adapters/s3/keyPresigner');
    } finally {
      // As it was for the other tests: crypto's own hash (or none), and the module they loaded.
      delete crypto.hash;
      if (oneShot) {
        Object.defineProperty(crypto, 'hash', oneShot);
      }
      require.cache[presignerFile] = loaded;
    }
    assert.notEqual(older.KeyPresigner, KeyPresigner, 'a second copy of the module, made without crypto.hash');
    const presigner = new older.KeyPresigner(storeAt(origin.origin), () => Promise.resolve(credentials), noClient);
    for (const key of keys) {
      const ours = new URL(await presigner.presign(key, 900, at));
      const reference = await sdkSigned('GET', origin, '/my-bucket/', key, 'eu-west-1', credentials, at);
      assert.deepEqual(sortedParams(ours), sortedParams(reference), key);
    }
  });

  it('signs a listing’s page exactly as the SDK’s SigV4 signer does, its parameters of any text, at the URL the SDK’s presigner lists at', async () => {
    const at = new Date('2026-12-02T10:00:00.000Z');
    const awkward = ['logs/run 1+é/', "a&b=c?d#e%41!'()*~", '\n', '\r\n x', '日本語/'];
    for (const endpoint of ['http://127.0.0.1:7480', 'https://gateway.example.com/s3/']) {
      const origin = new URL(endpoint);
      const pathPrefix = `${origin.pathname.replace(/\/+$/, '')}/my-bucket/`;
      for (const creds of [credentials, { ...credentials, sessionToken: 'token/with+chars=' }]) {
        const presigner = new KeyPresigner(storeAt(endpoint), () => Promise.resolve(creds), noClient);
        for (const text of awkward) {
          const query = { prefix: text, delimiter: '/', 'max-keys': '1000', 'encoding-type': 'url', 'continuation-token': text, 'start-after': text };
          const ours = new URL(await presigner.presignListing(query, 60, at));
          const reference = await sdkSigned('GET', origin, pathPrefix, '', 'eu-west-1', creds, at, 60, { 'list-type': '2', ...query });
          assert.equal(ours.pathname, reference.pathname, text);
          assert.deepEqual(sortedParams(ours), sortedParams(reference), text);
          assert.equal(ours.searchParams.get('prefix'), text);
        }
      }
      // Where the SDK's own presigner lists the bucket.
      const s3 = createS3Client(sdk, storeAt(endpoint), () => Promise.resolve(credentials), { timeoutMs: 1000 });
      const sdkUrl = new URL(await getSignedUrl(s3, new ListObjectsV2Command({ Bucket: 'my-bucket', Prefix: 'a b/' }), { expiresIn: 60 }));
      const ours = new URL(await new KeyPresigner(storeAt(endpoint), () => Promise.resolve(credentials), noClient).presignListing({ prefix: 'a b/' }, 60));
      assert.equal(ours.origin + ours.pathname, sdkUrl.origin + sdkUrl.pathname);
      assert.equal(ours.searchParams.get('list-type'), '2');
      s3.destroy();
    }
  });

  it('signs with the session token of temporary credentials', async () => {
    const temporary = { ...credentials, sessionToken: 'token/with+chars=' };
    const url = new URL(await new KeyPresigner({ ...storeAt('http://127.0.0.1:7480'), region_name: 'us-east-1' }, () => Promise.resolve(temporary), noClient).presign('k', 60));
    assert.equal(url.searchParams.get('X-Amz-Security-Token'), temporary.sessionToken);
  });
});
