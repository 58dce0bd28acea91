import * as assert from 'node:assert/strict';
import { formatBytes } from '../../src/core/format';
import { redact } from '../../src/core/redact';

describe('formatBytes', () => {
  it('shows bytes, then one decimal in 1000-based units', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(999), '999 B');
    assert.equal(formatBytes(1000), '1.0 KB');
    assert.equal(formatBytes(1_048_576), '1.0 MB');
    assert.equal(formatBytes(5_500_000_000_000), '5.5 TB');
    assert.equal(formatBytes(-1), '?');
  });
});

describe('redact', () => {
  it('removes presigned URL signatures, credentials and tokens', () => {
    const url = 'http://127.0.0.1:7480/b/logs/a.bag?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F2026&X-Amz-Signature=abc123&X-Amz-Security-Token=tok';
    const out = redact(`GET ${url} failed`);
    assert.ok(!out.includes('abc123') && !out.includes('AKIA%2F2026') && !out.includes('tok&') && !out.endsWith('tok failed'));
    assert.match(out, /X-Amz-Algorithm=AWS4-HMAC-SHA256/);
  });

  it('removes secrets written as key=value or JSON', () => {
    const out = redact('{"secret_access_key":"s3cr3t","name":"n"} aws_secret_access_key=abc sessionToken: "zzz" Authorization: AWS4 xyz');
    for (const secret of ['s3cr3t', 'abc', 'zzz', 'xyz']) {
      assert.ok(!out.includes(secret), `${secret} leaked in ${out}`);
    }
    assert.match(out, /"name":"n"/);
  });
});
