import * as assert from 'node:assert/strict';
import { decodeListedKey } from '../../../src/adapters/s3/s3Gateway';
import { code } from '../../support/assertions';

describe('decodeListedKey (keys of a listing asked with EncodingType=url)', () => {
  it('reads S3\'s "+" for a space and "%2B" for a plus', () => {
    assert.equal(decodeListedKey('a+b%2Bc.txt', '', 'b'), 'a b+c.txt');
  });

  it('reads radosgw\'s "%20", control characters and UTF-8', () => {
    assert.equal(decodeListedKey('%0D%0A%20%7F%C3%BCn%C3%AF%2Fx%2541', '', 'b'), '\r\n \x7fünï/x%41');
  });

  it('leaves a key without escapes as it is', () => {
    assert.equal(decodeListedKey('logs/run-001/robot.bag', '', 'b'), 'logs/run-001/robot.bag');
  });

  it('refuses a key that is not URL-encoded, naming the folder and bucket', () => {
    assert.throws(() => decodeListedKey('100%.txt', 'logs/', 'bag-bucket'), (error: unknown) =>
      code('remote')(error) && /"logs\/" in "bag-bucket"/.test((error as Error).message));
  });
});
