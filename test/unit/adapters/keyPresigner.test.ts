import * as assert from 'node:assert/strict';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { KeyPresigner } from '../../../src/adapters/s3/keyPresigner';

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

  it('signs with the session token of temporary credentials', async () => {
    const temporary = { ...credentials, sessionToken: 'token/with+chars=' };
    const s3 = new S3Client({ region: 'us-east-1', credentials: temporary, endpoint: 'http://127.0.0.1:7480', forcePathStyle: true });
    const url = new URL(await new KeyPresigner(s3, 'my-bucket', 'us-east-1', () => Promise.resolve(temporary)).presign('k', 60));
    assert.equal(url.searchParams.get('X-Amz-Security-Token'), temporary.sessionToken);
    s3.destroy();
  });
});
