import * as assert from 'node:assert/strict';
import { rangeResponse } from '../../../src/adapters/http/answers';

describe('range answers', () => {
  const headers = (values: Record<string, string>) => (name: string) => values[name];

  it('reads where a 206 starts and the whole size from its Content-Range, and a 200 size from its length', () => {
    const partial = rangeResponse(206, headers({ 'content-range': 'bytes 100-199/1000', etag: '"e"' }), undefined);
    assert.deepEqual({ start: partial.start, totalSize: partial.totalSize, etag: partial.etag }, { start: 100, totalSize: 1000, etag: '"e"' });
    const whole = rangeResponse(200, headers({ 'content-length': '1000' }), undefined);
    assert.deepEqual({ start: whole.start, totalSize: whole.totalSize }, { start: undefined, totalSize: 1000 });
    // A Content-Range that can't be read checks nothing rather than something wrong.
    const unreadable = rangeResponse(206, headers({ 'content-range': 'bytes */1000' }), undefined);
    assert.deepEqual({ start: unreadable.start, totalSize: unreadable.totalSize }, { start: undefined, totalSize: undefined });
  });
});
