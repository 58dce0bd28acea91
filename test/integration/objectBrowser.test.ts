import * as assert from 'node:assert/strict';
import { createRangeReader } from '../../src/adapters/http/rangeReader';
import { S3ClientCache } from '../../src/adapters/s3/s3Client';
import { s3Gateways } from '../../src/adapters/s3/s3Gateway';
import type { EmbeddedStoreSource } from '../../src/core/embeddedStoreSource';
import { LogqsError } from '../../src/core/errors';
import { browsePage } from '../../src/core/objectBrowser';
import type { ObjectGatewayFactory } from '../../src/core/ports';
import { code } from '../support/assertions';
import { memorySource } from '../support/memoryPorts';
import { createBucketWith, deleteBucket, testStoreFields } from '../support/s3Server';

const MANY = 25;
const SAMPLE: Record<string, string> = {
  'logs/run-001/robot.bag': 'bag',
  'logs/run-001/camera.mcap': 'mcap',
  'logs/run-002/': '', // a folder marker, as S3 consoles create
  'logs/run-002/lidar.mcap': 'lidar',
  'logs/readme.txt': 'hello',
  'logs/with space + plus é.bag': 'space',
  'logs/日本語/データ.mcap': 'unicode',
  [`logs/${'long-name-'.repeat(20)}.mcap`]: 'long',
  'logsmith/not-under-prefix.bag': 'x',
  'other/secret.bag': 'secret',
  'top-level.txt': 'top',
};
for (let i = 0; i < MANY; i++) {
  SAMPLE[`logs/many/file-${String(i).padStart(3, '0')}.bin`] = `#${i}`;
}

/**
 * Each test twice: pages asked through the SDK, and through presigned URLs read by the HTTP adapter
 * (parseListing), as the extension asks them of a store with an endpoint_url, the SDK asked again only
 * for what that can't say (a refusal's wording).
 */
for (const lean of [false, true]) describe(`object browsing against a real S3 server, ${lean ? 'through presigned URLs' : 'through the SDK'}`, function () {
  let bucket: string;
  let registry: EmbeddedStoreSource;
  let requests: string[];
  let clients: S3ClientCache;
  let reader: ReturnType<typeof createRangeReader>;

  before(async () => {
    bucket = await createBucketWith('browse', SAMPLE);
  });

  after(() => deleteBucket(bucket));

  beforeEach(() => {
    requests = [];
    clients = new S3ClientCache(() => ({ timeoutMs: 5000 }));
    reader = createRangeReader({ timeoutMs: () => 5000 });
    const s3 = s3Gateways(clients, lean ? reader : undefined);
    const recording: ObjectGatewayFactory = (store, credentials) => {
      const gateway = s3(store, credentials);
      return {
        listPage: (request, signal) => {
          requests.push(request.prefix);
          return gateway.listPage(request, signal);
        },
        fetchObject: (key, options) => gateway.fetchObject(key, options),
      };
    };
    registry = memorySource({ gateways: recording }).source;
  });

  afterEach(() => (clients.dispose(), reader.dispose()));

  /** The S3 clients made: one per store through the SDK, none through presigned URLs (nothing read was left to it). */
  const sdkClients = (stores: number) => assert.equal(clients.size, lean ? 0 : stores);

  const browser = { listPage: (storeId: string, options: Parameters<typeof browsePage>[2]) => browsePage(registry, storeId, options) };

  const addStore = (overrides: Record<string, unknown> = {}) =>
    registry.create(testStoreFields(bucket, { name: 'sample', key_prefix: 'logs/', ...overrides }));

  it('lists folders and files under the key prefix only', async () => {
    const store = await addStore();
    const page = await browser.listPage(store.id, { pageSize: 1000 });
    assert.equal(page.prefix, 'logs/');
    assert.deepEqual(page.folders.map((f) => f.name), ['many/', 'run-001/', 'run-002/', '日本語/']);
    const names = page.objects.map((o) => o.name);
    assert.ok(names.includes('readme.txt'));
    assert.ok(names.includes('with space + plus é.bag'));
    assert.ok(names.includes(`${'long-name-'.repeat(20)}.mcap`));
    assert.ok(page.objects.every((o) => o.key.startsWith('logs/')));
    assert.equal(page.objects.find((o) => o.name === 'readme.txt')?.size, 5);
    assert.equal(page.nextContinuationToken, undefined);
    sdkClients(1);
  });

  it('lists the whole bucket when the store has no prefix', async () => {
    const store = await addStore({ key_prefix: '' });
    const page = await browser.listPage(store.id, { pageSize: 1000 });
    assert.deepEqual(page.folders.map((f) => f.prefix), ['logs/', 'logsmith/', 'other/']);
    assert.deepEqual(page.objects.map((o) => o.key), ['top-level.txt']);
  });

  it('treats a prefix without a slash as raw text', async () => {
    const store = await addStore({ key_prefix: 'logs/run-' });
    const page = await browser.listPage(store.id, { pageSize: 1000 });
    assert.deepEqual(page.folders.map((f) => f.name), ['run-001/', 'run-002/']);
  });

  it('lists a folder and hides its folder-marker object', async () => {
    const store = await addStore();
    const page = await browser.listPage(store.id, { folderPrefix: 'logs/run-002/', pageSize: 1000 });
    assert.deepEqual(page.objects.map((o) => o.key), ['logs/run-002/lidar.mcap']);
  });

  it('round-trips unicode keys', async () => {
    const store = await addStore();
    const page = await browser.listPage(store.id, { folderPrefix: 'logs/日本語/', pageSize: 1000 });
    assert.deepEqual(page.objects.map((o) => [o.key, o.name]), [['logs/日本語/データ.mcap', 'データ.mcap']]);
    sdkClients(1);
  });

  it(lean ? 'asks the SDK for no page of a store' : 'reuses one S3 client for every page of a store', async () => {
    const store = await addStore();
    await browser.listPage(store.id, { pageSize: 10 });
    await browser.listPage(store.id, { folderPrefix: 'logs/many/', pageSize: 10 });
    sdkClients(1);
  });

  it('pages through a large folder with continuation tokens, nothing twice, nothing lost', async () => {
    const store = await addStore();
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await browser.listPage(store.id, { folderPrefix: 'logs/many/', pageSize: 10, continuationToken: token });
      assert.ok(page.objects.length <= 10);
      seen.push(...page.objects.map((o) => o.key));
      token = page.nextContinuationToken;
      pages++;
    } while (token);
    assert.equal(pages, 3);
    assert.equal(seen.length, MANY);
    assert.equal(new Set(seen).size, MANY);
    sdkClients(1);
  });

  it('refuses to list a folder outside the prefix without asking the server', async () => {
    const store = await addStore();
    await assert.rejects(browser.listPage(store.id, { folderPrefix: 'other/', pageSize: 10 }), code('outside-prefix'));
    await assert.rejects(browser.listPage(store.id, { folderPrefix: 'logs/../other/', pageSize: 10 }), code('outside-prefix'));
    assert.deepEqual(requests, []);
  });

  it('refuses every listing of a disabled store', async () => {
    const store = await addStore({ disabled: true });
    await assert.rejects(browser.listPage(store.id, { pageSize: 10 }), code('disabled'));
    assert.deepEqual(requests, []);
  });

  it('lists keys that XML alone would change (a newline, a CR, whitespace, DEL, "%", "+") as they are', async () => {
    // Without EncodingType=url, "\n", "\r\n" and DEL came back from radosgw through the SDK as "".
    const odd = ['\n', '\r\n', ' ', '\x7f', 'pct%41 plus+ +.txt', 'cr\rfolder/inside.txt', 'ünï code/é.txt'];
    const oddBucket = await createBucketWith('odd-keys', Object.fromEntries(odd.map((key) => [key, 'x'])));
    try {
      const store = await registry.create(testStoreFields(oddBucket, { name: 'odd', key_prefix: '' }));
      const page = await browser.listPage(store.id, { pageSize: 1000 });
      assert.deepEqual(page.objects.map((o) => o.key).sort(), ['\n', '\r\n', ' ', '\x7f', 'pct%41 plus+ +.txt'].sort());
      assert.deepEqual(page.folders.map((f) => f.prefix).sort(), ['cr\rfolder/', 'ünï code/']);
      const inside = await browser.listPage(store.id, { folderPrefix: 'cr\rfolder/', pageSize: 1000 });
      assert.deepEqual(inside.objects.map((o) => o.key), ['cr\rfolder/inside.txt']);
      // A page at a time: radosgw's token is the page's last key, raw, and a token of whitespace with a line break ("\n", "\r\n") reads back
      // from the SDK's XML parser as none at all. The listing must go on past such a key, and list each entry once.
      const paged: string[] = [];
      let continuationToken: string | undefined;
      for (let pages = 0; pages === 0 || continuationToken; pages++) {
        assert.ok(pages < odd.length + 2, 'the listing ends');
        const page = await browser.listPage(store.id, { pageSize: 1, continuationToken });
        paged.push(...page.objects.map((o) => o.key), ...page.folders.map((f) => f.prefix));
        continuationToken = page.nextContinuationToken;
      }
      assert.deepEqual(paged.sort(), [...page.objects.map((o) => o.key), ...page.folders.map((f) => f.prefix)].sort());
      sdkClients(1);
    } finally {
      await deleteBucket(oddBucket);
    }
  });

  // AWS answers SignatureDoesNotMatch / InvalidAccessKeyId; Ceph answers AccessDenied to both.
  const credentialRefused = (error: unknown) =>
    LogqsError.is(error) && (error.code === 'auth' || error.code === 'forbidden') && /access key ID|secret access key/.test(error.message);

  it('says the credentials are refused when the secret is wrong, without echoing it', async () => {
    const store = await addStore({ secret_access_key: 'not-the-secret' });
    await assert.rejects(browser.listPage(store.id, { pageSize: 10 }), (error: unknown) =>
      credentialRefused(error) && !(error as Error).message.includes('not-the-secret'));
  });

  it('says the credentials are refused when the access key is unknown', async () => {
    const store = await addStore({ access_key_id: 'NOSUCHKEY' });
    await assert.rejects(browser.listPage(store.id, { pageSize: 10 }), credentialRefused);
  });

  it('says the bucket does not exist', async () => {
    const store = await addStore({ bucket_name: 'no-such-bucket-logqs' });
    await assert.rejects(browser.listPage(store.id, { pageSize: 10 }), (error: unknown) =>
      LogqsError.is(error, 'no-such-bucket') && /no-such-bucket-logqs/.test(error.message));
  });

  it('says the endpoint is unreachable', async () => {
    const store = await addStore({ endpoint_url: 'http://127.0.0.1:9' });
    await assert.rejects(browser.listPage(store.id, { pageSize: 10 }), (error: unknown) =>
      LogqsError.is(error, 'unreachable') && /127\.0\.0\.1:9/.test(error.message));
  });
});
