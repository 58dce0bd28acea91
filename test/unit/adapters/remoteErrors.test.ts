import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { awsServiceError, networkCode } from '../../../src/adapters/remoteErrors';
import { describeS3Error } from '../../../src/adapters/s3/s3Errors';
import { describeStsError } from '../../../src/adapters/sts/stsSessions';
import type { ObjectStore } from '../../../src/core/objectStore';
import { isRetryable } from '../../../src/core/transfer/retry';

const store = {
  id: '00000000-0000-4000-8000-000000000001',
  name: 'robots',
  bucket_name: 'robot-logs',
  region_name: 'us-east-1',
  endpoint_url: 'http://127.0.0.1:7480',
} as ObjectStore;

/** What the SDK throws for an error answer (classified without its classes, so they must agree). */
const s3Exception = (name: string, status: number) =>
  new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: `${name} said the server` });

describe('remote errors, classified by their fields', () => {
  it('reads the name, status and tries of the SDK\'s service exceptions', () => {
    assert.deepEqual(awsServiceError(s3Exception('NoSuchBucket', 404)), { name: 'NoSuchBucket', status: 404, attempts: undefined });
    const sts = new STSServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403, attempts: 2 }, message: 'no' });
    assert.deepEqual(awsServiceError(sts), { name: 'AccessDenied', status: 403, attempts: 2 });
    assert.deepEqual(awsServiceError(new TypeError('x')), { name: 'TypeError', status: undefined, attempts: undefined });
    assert.deepEqual(awsServiceError(null), { name: undefined, status: undefined, attempts: undefined });
  });

  it('maps S3 service exceptions by name, and 5xx to a retryable failure with its status', () => {
    assert.equal(describeS3Error(s3Exception('NoSuchBucket', 404), store).code, 'no-such-bucket');
    assert.equal(describeS3Error(s3Exception('SignatureDoesNotMatch', 403), store).code, 'auth');
    const busy = describeS3Error(s3Exception('Unknown', 502), store);
    assert.equal(busy.code, 'remote');
    assert.equal(busy.status, 502);
    assert.match(busy.detail ?? '', /Unknown \(HTTP 502\)/);
    // A body that stalled until the server gave up (HTTP 400): transient, as the SDK counts it, so retried too.
    const stalled = describeS3Error(s3Exception('RequestTimeout', 400), store);
    assert.equal(isRetryable(stalled), true, stalled.message);
    assert.match(stalled.detail ?? '', /RequestTimeout \(HTTP 400\)/);
    assert.match(stalled.message, /slow or stalled/);
    assert.equal(isRetryable(describeS3Error(s3Exception('InvalidArgument', 400), store)), false);
  });

  it('maps a bodiless answer the SDK can\'t name (a HEAD\'s) by its status: 403 refused, 404 not found, 301 another region', () => {
    assert.equal(describeS3Error(s3Exception('Unknown', 403), store).code, 'forbidden');
    assert.equal(describeS3Error(s3Exception('NotFound', 404), store).code, 'not-found');
    assert.match(describeS3Error(s3Exception('Unknown', 301), store).message, /not in region "us-east-1": check region_name/);
    assert.equal(describeS3Error(s3Exception('Unknown', 418), store).code, 'remote');
  });

  it('maps STS service exceptions by name', () => {
    const refused = new STSServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'no' });
    const error = describeStsError(refused, store, 'AssumeRole', 'http://127.0.0.1:7480', 'arn:aws:iam:::role/x');
    assert.equal(error.code, 'forbidden');
    assert.equal(error.status, 403);
  });

  it('says what in the request STS refused: the policy, its size, or the duration, without quoting the policy', () => {
    const sts = (name: string, message: string) => new STSServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message });
    const aws = 'AWS STS (us-east-1)';
    const policyTooLong = describeStsError(
      sts('ValidationError', `1 validation error detected: Value '{"Version":"2012-10-17","Statement":[]}' at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048`),
      store,
      'GetFederationToken',
      aws,
    );
    assert.equal(policyTooLong.code, 'invalid-input');
    assert.doesNotMatch(policyTooLong.message, /Statement|durationSeconds/);
    assert.match(policyTooLong.message, /The value at 'policy' failed/);
    const duration = describeStsError(sts('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.'), store, 'AssumeRole', aws);
    assert.match(duration.message, /logqs\.sessionCredentials\.durationSeconds/);
    assert.equal(describeStsError(sts('PackedPolicyTooLarge', 'Packed policy consumes 120% of allotted space'), store, 'AssumeRole', aws).code, 'too-large');
    assert.match(describeStsError(sts('MalformedPolicyDocument', 'bad'), store, 'AssumeRole', aws).message, /refused the session policy/);
    assert.equal(describeStsError(sts('InvalidAccessKeyId', 'unknown key'), store, 'AssumeRole', 'http://127.0.0.1:7480').code, 'auth');
  });

  it('says of an HTML page where S3 or STS was expected (a proxy\'s) that it is not their answer, without the parser\'s words or the SDK\'s hint', async () => {
    const proxy = http.createServer((request, response) => {
      if (request.url?.startsWith('/broken')) {
        // A server of S3's kind whose answer is cut short: no web page, only unreadable.
        response.writeHead(400, { 'content-type': 'application/xml' }).end('<?xml version="1.0"?><Error><Code>InvalidArg');
        return;
      }
      response.writeHead(request.url?.startsWith('/busy') ? 502 : 403, { 'content-type': 'text/html' });
      response.end('<html><body><h1>403 Forbidden</h1><p>sign in to the proxy first</body></html>');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const credentials = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'not-a-secret' };
    try {
      const s3 = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials, maxAttempts: 1 });
      const sts = new STSClient({ region: 'us-east-1', endpoint, credentials, maxAttempts: 1 });
      const thrown = await Promise.all([
        s3.send(new ListObjectsV2Command({ Bucket: 'robot-logs' })).then(() => assert.fail('answered'), (error: unknown) => describeS3Error(error, store)),
        sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam:::role/x', RoleSessionName: 's' })).then(() => assert.fail('answered'), (error: unknown) => describeStsError(error, store, 'AssumeRole', endpoint, 'arn:aws:iam:::role/x')),
      ]);
      for (const error of thrown) {
        assert.doesNotMatch(error.message, /Deserialization|hidden field|\$response|XML parse|mismatched/, error.message);
        assert.match(error.message, /HTTP 403\): its answer is a web page, not the service's \(is a proxy/, error.message);
      }
      const broken = await s3.send(new ListObjectsV2Command({ Bucket: 'broken' })).then(() => assert.fail('answered'), (error: unknown) => describeS3Error(error, store));
      assert.match(broken.message, /Error \(HTTP 400\): its answer could not be read as the service's$/, broken.message);
      // A 5xx page is a server failing, retried: said by its status (the SDK names its error only "Error").
      const failing = await s3.send(new ListObjectsV2Command({ Bucket: 'busy' })).then(() => assert.fail('answered'), (error: unknown) => describeS3Error(error, store));
      assert.equal(failing.message, 'The object store http://127.0.0.1:7480 is busy or failing (HTTP 502); try again');
    } finally {
      proxy.close();
    }
  });

  it('finds a network failure anywhere in the cause chain', () => {
    const refused = Object.assign(new Error('connect'), { code: 'ECONNREFUSED' });
    assert.equal(networkCode(new Error('request failed', { cause: refused })), 'ECONNREFUSED');
    assert.equal(describeS3Error(new Error('request failed', { cause: refused }), store).code, 'unreachable');
    assert.equal(networkCode(new Error('HTTP 500')), undefined);
  });
});
