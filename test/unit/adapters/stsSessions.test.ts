import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
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

  it('never follows an endpoint configured for other work (AWS_ENDPOINT_URL_STS, a LocalStack\'s) with an AWS store\'s key', async () => {
    const asked: string[] = [];
    const localStack = http.createServer((request, response) => {
      asked.push(`${request.method} ${request.url}`);
      response.writeHead(500).end();
    });
    await new Promise<void>((resolve) => localStack.listen(0, '127.0.0.1', resolve));
    const elsewhere = `http://127.0.0.1:${(localStack.address() as AddressInfo).port}`;
    const saved = { sts: process.env.AWS_ENDPOINT_URL_STS, all: process.env.AWS_ENDPOINT_URL };
    process.env.AWS_ENDPOINT_URL_STS = elsewhere;
    process.env.AWS_ENDPOINT_URL = elsewhere;
    try {
      await assert.rejects(issue(store(null)), (error: unknown) => LogqsError.is(error) && /AWS STS \(eu-west-1\)/.test(error.message));
      assert.deepEqual(asked, [], 'the key went to the configured endpoint');
    } finally {
      for (const [name, value] of [['AWS_ENDPOINT_URL_STS', saved.sts], ['AWS_ENDPOINT_URL', saved.all]] as const) {
        if (value === undefined) {
          delete process.env[name];
        } else {
          process.env[name] = value;
        }
      }
      localStack.close();
    }
  });

  it('asks for a role at an S3-compatible server before any request', async () => {
    await assert.rejects(issue(store('http://127.0.0.1:9')), (error: unknown) => LogqsError.is(error, 'invalid-input') && /names no role/.test(error.message));
  });
});
