import * as assert from 'node:assert/strict';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRangeReader } from '../../src/adapters/http/rangeReader';
import { S3ClientCache } from '../../src/adapters/s3/s3Client';
import { s3Gateways } from '../../src/adapters/s3/s3Gateway';
import { LogqsError } from '../../src/core/errors';
import { memorySource } from '../support/memoryPorts';
import { transferRig } from '../support/transfers';
import { adminClient, createBucketWith, deleteBucket, testStoreFields } from '../support/s3Server';

const KEY = 'logs/run 1+é/config.json';
const BODY = '{"robot":"r2"}';

/**
 * On a path-style endpoint one object's metadata comes from a presigned HEAD
 * through the HTTP adapter, not the AWS SDK (see S3ObjectGateway): checked
 * here against the SDK's own HEAD on the real server.
 */
describe('objects headed through presigned URLs, against a real S3 server', function () {
  this.timeout(60_000);
  let bucket: string;
  let clients: S3ClientCache;
  let reader: ReturnType<typeof createRangeReader>;
  /** The URLs the lean HEAD was asked for. */
  let heads: string[];

  before(async () => {
    bucket = await createBucketWith('heads', {});
    const admin = adminClient();
    await admin.send(
      new PutObjectCommand({ Bucket: bucket, Key: KEY, Body: BODY, ContentType: 'application/json', Metadata: { robot: 'r2', 'run-id': '7' }, CacheControl: 'max-age=60', ContentDisposition: 'attachment; filename="robot.json"' }),
    );
    admin.destroy();
  });
  after(() => deleteBucket(bucket));

  beforeEach(() => {
    clients = new S3ClientCache(() => ({ timeoutMs: 10_000 }));
    reader = createRangeReader({ timeoutMs: () => 10_000 });
    heads = [];
  });
  afterEach(() => {
    clients.dispose();
    reader.dispose();
  });

  /** One store (`fields` over the test ones) seen through a gateway that heads lean, and through one that heads with the SDK. */
  async function gateways(fields: Record<string, unknown> = {}) {
    const { source } = memorySource();
    const store = await source.create(testStoreFields(bucket, fields));
    const { credentials } = await source.credentialsFor(store.id);
    const lean = s3Gateways(clients, { ...reader, head: (url, signal) => (heads.push(url), reader.head(url, signal)) });
    return { lean: lean(store, credentials), viaSdk: s3Gateways(clients)(store, credentials) };
  }

  it('says of an object what the SDK’s HEAD says (size, ETag, last modified, type, user metadata), and its URL reads it', async () => {
    const { lean, viaSdk } = await gateways();
    const ours = await lean.fetchObject(KEY, { expiresInSeconds: 60 });
    assert.equal(heads.length, 1, 'one presigned HEAD');
    assert.ok(!heads[0].includes('x-id='), 'signed here, not by the SDK');
    const sdks = await viaSdk.fetchObject(KEY, { expiresInSeconds: 60 });
    assert.deepEqual(ours.details, sdks.details);
    assert.deepEqual(ours.details.metadata, { robot: 'r2', 'run-id': '7' });
    assert.equal(ours.details.contentType, 'application/json');
    assert.deepEqual(ours.details.stored, { cacheControl: 'max-age=60', contentDisposition: 'attachment; filename="robot.json"' });
    assert.equal(await (await fetch(ours.presignedUrl)).text(), BODY);
  });

  it('signs a URL to share (Copy Presigned URL) with the SDK’s presigner, after the same presigned HEAD', async () => {
    const { lean } = await gateways();
    const shared = await lean.fetchObject(KEY, { expiresInSeconds: 600, forSharing: true });
    assert.equal(heads.length, 1, 'one presigned HEAD');
    assert.equal(new URL(shared.presignedUrl).searchParams.get('x-id'), 'GetObject', 'the SDK’s presigner marks its URLs');
    assert.equal(await (await fetch(shared.presignedUrl)).text(), BODY);
    const rig = transferRig();
    try {
      const store = await rig.addStore(bucket);
      const copied = await rig.objects.presignedUrl(rig.source, store.id, KEY, 600);
      assert.equal(new URL(copied.presignedUrl).searchParams.get('x-id'), 'GetObject', 'Copy Presigned URL asks for a URL to share');
    } finally {
      rig.dispose();
    }
  });

  it('says a missing object is not found, and words a refusal as the SDK’s HEAD does (asked again through it)', async () => {
    const { lean, viaSdk } = await gateways();
    const missing = async (gateway: typeof lean) => gateway.fetchObject('logs/none.json', { expiresInSeconds: 60 }).catch((error: unknown) => error);
    const [ours, sdks] = [await missing(lean), await missing(viaSdk)];
    assert.ok(LogqsError.is(ours, 'not-found'), String(ours));
    assert.equal(ours.message, (sdks as LogqsError).message);

    heads = [];
    const wrong = await gateways({ secret_access_key: 'not-the-secret' });
    const refusal = async (gateway: typeof lean) => gateway.fetchObject(KEY, { expiresInSeconds: 60 }).catch((error: unknown) => error);
    const [leanRefusal, sdkRefusal] = [await refusal(wrong.lean), await refusal(wrong.viaSdk)];
    assert.equal(heads.length, 1, 'the lean HEAD was tried first');
    assert.ok(LogqsError.is(leanRefusal) && LogqsError.is(sdkRefusal), String(leanRefusal));
    assert.deepEqual([leanRefusal.code, leanRefusal.message], [sdkRefusal.code, sdkRefusal.message]);
    // A HEAD's refusal has no body to name it: said by its status (403) as the refusal it is, not as an unknown error.
    assert.equal(sdkRefusal.code, 'forbidden', sdkRefusal.message);
    assert.match(sdkRefusal.message, /^Access denied to bucket/);
  });

  it('says a bucket that does not exist, not an object deleted, when an object is asked for there (a HEAD\'s 404 says neither)', async () => {
    const { lean, viaSdk } = await gateways({ bucket_name: `${bucket}-gone` });
    for (const gateway of [lean, viaSdk]) {
      const error = await gateway.fetchObject(KEY, { expiresInSeconds: 60 }).catch((caught: unknown) => caught);
      assert.ok(LogqsError.is(error, 'no-such-bucket'), String(error));
    }
    const missing = await (await gateways()).lean.fetchObject('logs/none.json', { expiresInSeconds: 60 }).catch((caught: unknown) => caught);
    assert.ok(LogqsError.is(missing, 'not-found'), String(missing));
  });

  it('downloads an object asked for by key, and a folder, without loading the AWS SDK at all, nor TLS from a plain-HTTP server', () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'logqs-heads-'));
    try {
      // A fresh process, as the extension host is before its first S3 request: what it loaded is in require's cache.
      // Made of the adapters themselves: the test rig's helpers load the SDK for their own use.
      const out = (file: string) => JSON.stringify(path.resolve(__dirname, '../../src', file));
      const script = `
        const { S3ClientCache } = require(${out('adapters/s3/s3Client.js')});
        const { s3Gateways } = require(${out('adapters/s3/s3Gateway.js')});
        const { s3Writers } = require(${out('adapters/s3/s3Writer.js')});
        const { createRangeReader } = require(${out('adapters/http/rangeReader.js')});
        const { createWholeFileThreads } = require(${out('adapters/files/wholeFileThreads.js')});
        const { ObjectService } = require(${out('core/objectService.js')});
        const { memorySource } = require(${JSON.stringify(path.resolve(__dirname, '../support/memoryPorts.js'))});
        (async () => {
          const clients = new S3ClientCache(() => ({ timeoutMs: 10000 }));
          const http = createRangeReader({ timeoutMs: () => 10000 });
          const files = createWholeFileThreads();
          const { source } = memorySource({ gateways: s3Gateways(clients, http) });
          const settings = { partSizeBytes: 5 << 20, partConcurrency: 4, loopbackPartConcurrency: 1, fileConcurrency: 8, presignExpirySeconds: 3600 };
          const objects = new ObjectService({ writers: s3Writers(clients), http, files, settings: () => settings, log: () => undefined });
          const store = await source.create(${JSON.stringify(testStoreFields(bucket))});
          const callbacks = { signal: new AbortController().signal, onProgress: () => undefined, onConflict: async () => 'overwrite' };
          await objects.download(source, store.id, { keys: [${JSON.stringify(KEY)}], prefixes: [] }, ${JSON.stringify(path.join(folder, 'key'))}, callbacks);
          await objects.download(source, store.id, { keys: [], prefixes: ['logs/'] }, ${JSON.stringify(path.join(folder, 'folder'))}, callbacks);
          clients.dispose(); http.dispose(); files.dispose();
          const sdk = Object.keys(require.cache).filter((file) => /node_modules[\\/](@aws-sdk|@smithy)[\\/]/.test(file));
          console.log(JSON.stringify({ sdk, tls: process.moduleLoadList.filter((name) => /^NativeModule (https|tls)$/.test(name)) }));
        })().catch((error) => { console.error(error); process.exitCode = 1; });`;
      const loaded = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { sdk: string[]; tls: string[] };
      assert.equal(readFileSync(path.join(folder, 'key', 'config.json'), 'utf8'), BODY);
      const listed = readdirSync(path.join(folder, 'folder'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
      assert.deepEqual(listed.map((entry) => readFileSync(path.join(entry.parentPath, entry.name), 'utf8')), [BODY]);
      assert.deepEqual(loaded, { sdk: [], tls: [] });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
