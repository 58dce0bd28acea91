import * as assert from 'node:assert/strict';
import { isLoopbackUrl } from '../../../../src/core/transfer/loopback';

describe('isLoopbackUrl', () => {
  it('knows the URLs of a server on this machine, however the host is written', () => {
    for (const url of [
      'http://127.0.0.1:7480/bucket/key',
      'http://127.1.2.3/key',
      'http://127.1/key',
      'http://localhost:9000/bucket/a%20b',
      'https://LOCALHOST./key',
      'http://minio.localhost:9000/key',
      'http://[::1]:9000/key',
      'http://[0:0:0:0:0:0:0:1]/key',
      'http://[::ffff:127.0.0.1]/key',
    ]) {
      assert.equal(isLoopbackUrl(url), true, url);
    }
  });

  it('takes any other host, and what is not a URL, for another machine', () => {
    for (const url of [
      'https://s3.us-east-1.amazonaws.com/bucket/key',
      'https://bucket.s3.amazonaws.com/key',
      'http://128.0.0.1/key',
      'http://10.0.0.5:9000/key',
      'http://localhost.example.com/key',
      'http://127.0.0.1.nip.io/key',
      'http://[::2]/key',
      'http://[::ffff:10.0.0.1]/key',
      'mem:key',
      'not a url',
    ]) {
      assert.equal(isLoopbackUrl(url), false, url);
    }
  });
});
