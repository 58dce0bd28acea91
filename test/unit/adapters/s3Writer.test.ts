import * as assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3ClientCache } from '../../../src/adapters/s3/s3Client';
import { S3ObjectWriter, s3Writers } from '../../../src/adapters/s3/s3Writer';
import type { S3Client } from '../../../src/adapters/vendor/awsSdk';
import { loadAwsSdk } from '../../../src/adapters/vendor/loaders';
import { code } from '../../support/assertions';
import { storeRecord } from '../../support/memoryPorts';

/** The writer's conditional PUT against answers a real server gives only one of: radosgw, AWS, a server without conditional writes. */
describe('S3 writer, a PUT on the condition of a version', () => {
  const store = storeRecord({ endpoint_url: null, key_prefix: null });

  /** A client that answers each PUT from `answers` by its If-Match, and notes what it was asked. */
  async function writer(answer: (ifMatch: string | undefined) => Error | undefined) {
    const sdk = await loadAwsSdk();
    const asked: (string | undefined)[] = [];
    const s3 = {
      send: async (command: { input: { IfMatch?: string } }) => {
        asked.push(command.input.IfMatch);
        const error = answer(command.input.IfMatch);
        if (error) {
          throw error;
        }
        return { ETag: '"new"' };
      },
    } as unknown as S3Client;
    return { asked, writer: new S3ObjectWriter(store, async () => ({ sdk, s3 })) };
  }
  const serviceError = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

  it('asks unquoted when the quoted ETag is refused (radosgw), and believes a refusal of both', async () => {
    const radosgw = await writer((ifMatch) => (ifMatch === 'abc' ? undefined : serviceError('PreconditionFailed', 412)));
    assert.deepEqual(await radosgw.writer.putObject('k', new Uint8Array(1), { ifMatch: '"abc"' }), { etag: '"new"' });
    assert.deepEqual(radosgw.asked, ['"abc"', 'abc']);
    const changed = await writer(() => serviceError('PreconditionFailed', 412));
    await assert.rejects(changed.writer.putObject('k', new Uint8Array(1), { ifMatch: '"abc"' }), code('changed'));
    assert.deepEqual(changed.asked, ['"abc"', 'abc']);
  });

  it('takes a conflicting write (409) as a change, and sends no condition where none is asked', async () => {
    const conflict = await writer(() => serviceError('ConditionalRequestConflict', 409));
    await assert.rejects(conflict.writer.putObject('k', new Uint8Array(1), { ifMatch: 'abc' }), code('changed'));
    assert.deepEqual(conflict.asked, ['abc']);
    const plain = await writer(() => undefined);
    await plain.writer.putObject('k', new Uint8Array(1));
    assert.deepEqual(plain.asked, [undefined]);
  });

  it('takes a key deleted meanwhile (AWS: 404 NoSuchKey) as a change, but not a bucket gone (NoSuchBucket)', async () => {
    const deleted = await writer(() => serviceError('NoSuchKey', 404));
    await assert.rejects(deleted.writer.putObject('k', new Uint8Array(1), { ifMatch: '"abc"' }), code('changed'));
    const bucketGone = await writer(() => serviceError('NoSuchBucket', 404));
    await assert.rejects(bucketGone.writer.putObject('k', new Uint8Array(1), { ifMatch: '"abc"' }), code('no-such-bucket'));
    assert.deepEqual(bucketGone.asked, ['"abc"']);
  });

  it('takes a refusal of the S3 client\'s second try as this very write when the object holds exactly its bytes, and no other refusal', async () => {
    const sdk = await loadAwsSdk();
    const md5 = (text: string) => `"${createHash('md5').update(text).digest('hex')}"`;
    /** A client whose PUTs are refused (412) after `attempts` tries, and whose HEAD finds `there`. */
    const refusing = (attempts: number, there: string) => {
      const heads: string[] = [];
      const s3 = {
        send: async (command: object & { input: { Key: string } }) => {
          if (command instanceof sdk.HeadObjectCommand) {
            heads.push(command.input.Key);
            return { ETag: md5(there), ContentLength: Buffer.byteLength(there) };
          }
          throw Object.assign(new Error('PreconditionFailed'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412, attempts } });
        },
      } as unknown as S3Client;
      return { heads, writer: new S3ObjectWriter(store, async () => ({ sdk, s3 })) };
    };
    const landed = refusing(2, 'mine');
    assert.deepEqual(await landed.writer.putObject('k', Buffer.from('mine'), { ifMatch: '"abc"' }), { etag: md5('mine') });
    assert.deepEqual(landed.heads, ['k']);
    // Another write of the same size, on a second try: a change.
    await assert.rejects(refusing(2, 'hers').writer.putObject('k', Buffer.from('mine'), { ifMatch: '"abc"' }), code('changed'));
    // A first try's refusal: the object was already another version when it came, whatever it holds now.
    const firstTry = refusing(1, 'mine');
    await assert.rejects(firstTry.writer.putObject('k', Buffer.from('mine'), { ifMatch: '"abc"' }), code('changed'));
    assert.deepEqual(firstTry.heads, []);
  });

  it('writes without the condition on a server that has no conditional writes (501), and passes other errors on', async () => {
    const old = await writer((ifMatch) => (ifMatch === undefined ? undefined : serviceError('NotImplemented', 501)));
    assert.deepEqual(await old.writer.putObject('k', new Uint8Array(1), { ifMatch: '"abc"' }), { etag: '"new"' });
    assert.deepEqual(old.asked, ['"abc"', undefined]);
    const denied = await writer(() => serviceError('AccessDenied', 403));
    await assert.rejects(denied.writer.putObject('k', new Uint8Array(1), { ifMatch: '"abc"' }), code('forbidden'));
    assert.deepEqual(denied.asked, ['"abc"']);
  });
});

/**
 * Stands in for MinIO before its 2025 releases (which can't be installed here), on one rule of theirs: a
 * multi-object delete (POST ?delete) is refused without a Content-MD5 that matches its body (400
 * MissingContentMD5 or BadDigest). Ceph's radosgw, which the integration tests run, accepts either checksum.
 */
describe('S3 writer, a save back', () => {
  it('sends again what S3 keeps with the object: its headers, its storage class and its encryption with its own KMS key', async () => {
    const sdk = await loadAwsSdk();
    const inputs: Record<string, unknown>[] = [];
    const s3 = { send: async (command: { input: Record<string, unknown> }) => (inputs.push(command.input), { ETag: '"new"' }) } as unknown as S3Client;
    const writer = new S3ObjectWriter(storeRecord({ endpoint_url: null, key_prefix: null }), async () => ({ sdk, s3 }));
    const kmsKey = 'arn:aws:kms:eu-west-1:111122223333:key/robots';
    await writer.putObject('k', new Uint8Array(1), { stored: { cacheControl: 'no-cache', storageClass: 'STANDARD_IA', serverSideEncryption: 'aws:kms', sseKmsKeyId: kmsKey } });
    const { CacheControl, StorageClass, ServerSideEncryption, SSEKMSKeyId } = inputs[0];
    assert.deepEqual({ CacheControl, StorageClass, ServerSideEncryption, SSEKMSKeyId }, { CacheControl: 'no-cache', StorageClass: 'STANDARD_IA', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKey });
  });
});

describe('S3 writer, DeleteObjects on a server that requires Content-MD5', () => {
  let server: http.Server;
  let endpoint: string;
  const asked: { md5?: string; checksumHeaders: string[]; body: string }[] = [];
  before(async () => {
    server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        const md5 = request.headers['content-md5'] as string | undefined;
        asked.push({ md5, checksumHeaders: Object.keys(request.headers).filter((name) => name.includes('checksum')), body: body.toString() });
        const refusal = md5 === undefined ? 'MissingContentMD5' : md5 !== createHash('md5').update(body).digest('base64') ? 'BadDigest' : undefined;
        response.writeHead(refusal ? 400 : 200, { 'content-type': 'application/xml' });
        response.end(
          refusal
            ? `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${refusal}</Code><Message>Missing required header for this request: Content-Md5.</Message></Error>`
            : '<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></DeleteResult>',
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  it('leaves AWS stores the SDK\'s own checksum', async () => {
    const cache = new S3ClientCache(() => ({ timeoutMs: 5000 }));
    const credentials = async () => ({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' });
    try {
      const middleware = async (endpoint_url: string | null) => (await cache.get(storeRecord({ id: randomUUID(), endpoint_url }), credentials)).middlewareStack.identify().join('\n');
      assert.doesNotMatch(await middleware(null), /logqsDeleteObjectsContentMd5/);
      assert.match(await middleware(endpoint), /logqsDeleteObjectsContentMd5/);
    } finally {
      cache.dispose();
    }
  });

  it('sends the MD5 of its body (and no CRC32 in its place), so the delete is accepted', async () => {
    const store = storeRecord({ endpoint_url: endpoint });
    const cache = new S3ClientCache(() => ({ timeoutMs: 5000 }));
    try {
      const writer = s3Writers(cache)(store, async () => ({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' }));
      assert.deepEqual(await writer.deleteObjects(['logs/a b.txt', 'logs/é/ü+1.bin']), { failed: [] });
      assert.equal(asked.length, 1);
      assert.match(asked[0].body, /<Key>logs\/a b\.txt<\/Key>/);
      assert.equal(asked[0].md5, createHash('md5').update(asked[0].body).digest('base64'));
      assert.deepEqual(asked[0].checksumHeaders, []);
    } finally {
      cache.dispose();
    }
  });
});
