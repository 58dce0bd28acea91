import * as assert from 'node:assert/strict';
import { rangeResponse } from '../../../src/adapters/http/answers';

describe('range answers', () => {
  const headers = (values: Record<string, string>) => (name: string) => values[name];

  it('reads where a 206 starts and the whole size from its Content-Range, and a 200 size from its length', () => {
    const partial = rangeResponse(206, headers({ 'content-range': 'bytes 100-199/1000', etag: '"e"' }), undefined);
    assert.deepEqual({ start: partial.start, end: partial.end, totalSize: partial.totalSize, etag: partial.etag }, { start: 100, end: 199, totalSize: 1000, etag: '"e"' });
    const whole = rangeResponse(200, headers({ 'content-length': '1000' }), undefined);
    assert.deepEqual({ start: whole.start, totalSize: whole.totalSize }, { start: undefined, totalSize: 1000 });
    // A Content-Range that can't be read checks nothing rather than something wrong.
    const unreadable = rangeResponse(206, headers({ 'content-range': 'bytes */1000' }), undefined);
    assert.deepEqual({ start: unreadable.start, totalSize: unreadable.totalSize }, { start: undefined, totalSize: undefined });
  });

  it('says an ETag is no MD5 where the object is encrypted with KMS or a key of the customer\'s, and is one with SSE-S3 or none', () => {
    const hidden = (values: Record<string, string>) => rangeResponse(200, headers({ 'content-length': '3', etag: '"0123456789abcdef0123456789abcdef"', ...values }), undefined).md5Hidden;
    assert.equal(hidden({ 'x-amz-server-side-encryption': 'aws:kms' }), true);
    assert.equal(hidden({ 'x-amz-server-side-encryption': 'aws:kms:dsse' }), true);
    assert.equal(hidden({ 'x-amz-server-side-encryption-customer-algorithm': 'AES256' }), true);
    assert.equal(hidden({ 'x-amz-server-side-encryption': 'AES256' }), false);
    assert.equal(hidden({}), false);
  });
});
