import * as assert from 'node:assert/strict';
import { stsSessions } from '../../../src/adapters/sts/stsSessions';
import { LogqsError } from '../../../src/core/errors';
import type { ObjectStore } from '../../../src/core/objectStore';

/** Where session credentials are asked for: STS is at an S3-compatible server's endpoint, and never at AWS's S3 endpoint. */
describe('STS sessions, where they are asked for', () => {
  const store = (endpoint_url: string | null) =>
    ({ id: '00000000-0000-4000-8000-000000000001', name: 'robots', bucket_name: 'robot-logs', region_name: 'eu-west-1', endpoint_url, context: null }) as ObjectStore;
  const issue = (target: ObjectStore) =>
    stsSessions({ timeoutMs: () => 1500 })(target, async () => ({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'not-a-secret' }), { policy: '{}', durationSeconds: 900, signal: new AbortController().signal });

  it('asks AWS STS, with no role needed, for a store whose endpoint_url is AWS S3 written out', async () => {
    // No AWS here: the request fails to connect (or, with a network, on the example key), but it went to AWS STS.
    await assert.rejects(issue(store('https://s3.eu-west-1.amazonaws.com')), (error: unknown) => {
      assert.ok(error instanceof LogqsError && error.code !== 'invalid-input', String(error));
      assert.match(error.message, /AWS STS \(eu-west-1\)/);
      return true;
    });
  });

  it('asks for a role at an S3-compatible server before any request', async () => {
    await assert.rejects(issue(store('http://127.0.0.1:9')), (error: unknown) => LogqsError.is(error, 'invalid-input') && /names no role/.test(error.message));
  });
});
