import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createWholeFileThreads } from '../../src/adapters/files/wholeFileThreads';
import { createRangeReader } from '../../src/adapters/http/rangeReader';
import { LogqsClient } from '../../src/adapters/logqs/logqsClient';
import { LogqsStoreSource } from '../../src/adapters/logqs/logqsStoreSource';
import { S3ClientCache } from '../../src/adapters/s3/s3Client';
import { s3Gateways } from '../../src/adapters/s3/s3Gateway';
import { s3Writers } from '../../src/adapters/s3/s3Writer';
import { stsSessions } from '../../src/adapters/sts/stsSessions';
import { type BrowsePage, FIND_PAGE_SIZE, browsePage } from '../../src/core/objectBrowser';
import { ObjectService } from '../../src/core/objectService';
import type { ObjectStore } from '../../src/core/objectStore';
import type { ListPageRequest, ObjectStoreSource } from '../../src/core/ports';
import { PrefixSearch } from '../../src/core/prefixSearch';
import { SessionCredentialCache } from '../../src/core/sessionCache';
import { StoreSources } from '../../src/core/sources';
import type { StoreNode } from '../../src/vscode/explorer/nodes';
import { ObjectTreeModel } from '../../src/vscode/explorer/treeModel';
import { code } from '../support/assertions';
import { LogqsApiServer } from '../support/logqsApiServer';
import { memorySource } from '../support/memoryPorts';
import { adminClient, createBucketWith, deleteBucket, putEmptyObjects, S3_ENDPOINT, S3_SECRET_KEY, testStoreFields } from '../support/s3Server';
import { TEST_SETTINGS, jobCallbacks, sha256, sha256OfFile, temporaryFolder } from '../support/transfers';

const ROLE = { role_arn: 'arn:aws:iam:::role/logqs' };
const SAMPLE: Record<string, string> = {
  'logs/run-1/robot.bag': 'robot bag bytes',
  'logs/run-2/lidar.mcap': 'lidar',
  'logs/readme.txt': 'hello',
  'logs/a b+c%d é.bag': 'awkward key',
  'logs/p1.bin': '1',
  'logs/p2.bin': '2',
  'logs/p3.bin': '3',
  'other/outside.bag': 'outside the prefix',
};

/** A source of object stores under test, with the data plane over it and a way to add a managed store. */
interface Backend {
  source: ObjectStoreSource;
  objects: ObjectService;
  addManaged(fields: ReturnType<typeof storeFields>): Promise<ObjectStore>;
  dispose(): Promise<void>;
}

/** The store fields every test starts from: the real S3 server, the test user's keys, the logs/ prefix. */
const storeFields = (bucket: string, overrides: Record<string, unknown> = {}) =>
  testStoreFields(bucket, { key_prefix: 'logs/', context: ROLE, ...overrides });

function dataPlane(writersFrom: S3ClientCache) {
  const http = createRangeReader({ timeoutMs: () => 10_000 });
  const files = createWholeFileThreads();
  const objects = new ObjectService({ writers: s3Writers(writersFrom), http, files, settings: () => TEST_SETTINGS, log: () => undefined });
  // One disposal for both, as the extension disposes them. `requests`: the HEADs and listings of an embedded store's presigned URLs.
  return { objects, requests: http, http: { dispose: () => (http.dispose(), files.dispose()) } };
}

const embeddedBackend = async (): Promise<Backend> => {
  const clients = new S3ClientCache(() => ({ timeoutMs: 10_000 }));
  const { objects, requests, http } = dataPlane(clients);
  const { source } = memorySource({ gateways: s3Gateways(clients, requests), sessions: stsSessions({ timeoutMs: () => 10_000 }) });
  return {
    source,
    objects,
    addManaged: async (fields) => {
      await source.syncManaged([{ note: null, ...fields }]);
      return (await source.list()).find((store) => store.name === fields.name)!;
    },
    dispose: async () => {
      clients.dispose();
      http.dispose();
    },
  };
};

const logqsBackend = async (): Promise<Backend> => {
  const server = await new LogqsApiServer().start();
  const client = new LogqsClient(
    { apiUrl: server.url, apiEndpointPrefix: server.prefix, datastoreId: server.datastoreId, apiKeyId: server.apiKeyId, apiKeySecret: async () => server.apiKeySecret },
    { timeoutMs: () => 10_000 },
  );
  const source = new LogqsStoreSource({ id: 'contract', name: 'LogQS contract' }, client, new SessionCredentialCache());
  const clients = new S3ClientCache(() => ({ timeoutMs: 10_000 }));
  const { objects, http } = dataPlane(clients);
  return {
    source,
    objects,
    addManaged: async (fields) => source.get(server.seed({ ...fields, managed: true }).id),
    dispose: async () => {
      clients.dispose();
      http.dispose();
      await server.stop();
    },
  };
};

for (const [name, makeBackend] of [['the embedded data store', embeddedBackend], ['a LogQS DataStore through its API', logqsBackend]] as const) {
  describe(`object store contract: ${name}`, function () {
    this.timeout(60_000);
    let bucket: string;
    let backend: Backend;

    before(async () => {
      bucket = await createBucketWith('contract', SAMPLE);
    });
    after(() => deleteBucket(bucket));
    beforeEach(async () => {
      backend = await makeBackend();
    });
    afterEach(() => backend.dispose());

    const create = (overrides: Record<string, unknown> = {}) => backend.source.create(storeFields(bucket, overrides));

    it('creates, lists and fetches a store, and never gives its secret back', async () => {
      const created = await create({ name: 'robots', note: 'n' });
      assert.equal(created.name, 'robots');
      assert.ok(!('secret_access_key' in created));
      assert.deepEqual((await backend.source.list()).map((store) => store.name), ['robots']);
      const fetched = await backend.source.get(created.id);
      assert.equal(fetched.bucket_name, bucket);
      assert.equal(fetched.key_prefix, 'logs/');
      assert.ok(!JSON.stringify(fetched).includes(S3_SECRET_KEY));
    });

    it('keeps names unique', async () => {
      await create({ name: 'twin' });
      await assert.rejects(create({ name: 'twin' }), code('conflict'));
      const other = await create({ name: 'other' });
      await assert.rejects(backend.source.update(other.id, { name: 'twin' }), code('conflict'));
    });

    it('keeps at most one default', async () => {
      const first = await create({ name: 'first', default: true });
      await create({ name: 'second', default: true });
      const defaults = () => backend.source.list().then((stores) => stores.filter((store) => store.default).map((store) => store.name));
      assert.deepEqual(await defaults(), ['second']);
      await backend.source.setDefault(first.id);
      assert.deepEqual(await defaults(), ['first']);
    });

    it('refuses to edit or delete a managed store', async () => {
      const managed = await backend.addManaged(storeFields(bucket, { name: 'provisioned' }));
      assert.equal(managed.managed, true);
      await assert.rejects(backend.source.update(managed.id, { note: 'x' }), code('managed'));
      await assert.rejects(backend.source.delete(managed.id), code('managed'));
      assert.ok((await backend.source.list()).some((store) => store.id === managed.id));
    });

    it('refuses every object operation of a disabled store, and every write to a read-only one', async () => {
      const disabled = await create({ disabled: true });
      await assert.rejects(browsePage(backend.source, disabled.id, { pageSize: 10 }), code('disabled'));
      await assert.rejects(backend.objects.fetchObject(backend.source, disabled.id, 'readme.txt'), code('disabled'));
      await assert.rejects(backend.source.sessionCredentials(disabled.id, { durationSeconds: 900 }), code('disabled'));
      const readOnly = await create({ read_only: true });
      await assert.rejects(backend.objects.saveObject(backend.source, readOnly.id, 'readme.txt', Buffer.from('x')), code('read-only'));
      await assert.rejects(backend.objects.deleteObjects(backend.source, readOnly.id, ['readme.txt']), code('read-only'));
      assert.equal(await (await adminClient().send(new GetObjectCommand({ Bucket: bucket, Key: 'logs/readme.txt' }))).Body!.transformToString(), 'hello');
    });

    it('scopes listing to the key prefix, with folders, and pages through continuation tokens', async () => {
      const store = await create();
      const root = await browsePage(backend.source, store.id, { pageSize: 1000 });
      assert.equal(root.prefix, 'logs/');
      assert.deepEqual(root.folders.map((folder) => folder.name), ['run-1/', 'run-2/']);
      assert.deepEqual(root.objects.map((object) => object.name).sort(), ['a b+c%d é.bag', 'p1.bin', 'p2.bin', 'p3.bin', 'readme.txt']);
      await assert.rejects(browsePage(backend.source, store.id, { folderPrefix: 'other/', pageSize: 10 }), code('outside-prefix'));
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await browsePage(backend.source, store.id, { pageSize: 2, continuationToken: token });
        seen.push(...page.folders.map((folder) => folder.prefix), ...page.objects.map((object) => object.key));
        token = page.nextContinuationToken;
        pages++;
      } while (token);
      assert.ok(pages >= 4, `${pages} pages`);
      assert.equal(new Set(seen).size, 7);
    });

    it('fetches an object with its metadata and a presigned URL, and downloads it byte for byte, awkward keys too', async () => {
      const store = await create();
      const fetched = await backend.objects.fetchObject(backend.source, store.id, 'a b+c%d é.bag');
      assert.equal(fetched.details.size, 'awkward key'.length);
      const response = await fetch(fetched.presignedUrl);
      assert.equal(await response.text(), 'awkward key');
      const folder = await temporaryFolder();
      try {
        const report = await backend.objects.download(backend.source, store.id, { keys: ['logs/a b+c%d é.bag'], prefixes: ['logs/run-1/'] }, folder.dir, jobCallbacks().callbacks);
        assert.equal(report.files.length, 2);
        assert.equal(await sha256OfFile(path.join(folder.dir, 'a b+c%d é.bag')), sha256(Buffer.from('awkward key')));
        assert.equal(await fs.readFile(path.join(folder.dir, 'run-1', 'robot.bag'), 'utf8'), 'robot bag bytes');
      } finally {
        await folder.remove();
      }
    });

    it('gives session credentials that read under the prefix and nothing outside it', async () => {
      const store = await create({ read_only: true });
      const { credentials } = await backend.source.sessionCredentials(store.id, { durationSeconds: 900 });
      const s3 = new S3Client({ region: 'us-east-1', endpoint: S3_ENDPOINT, forcePathStyle: true, credentials });
      try {
        const read = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'logs/readme.txt' }));
        assert.equal(await read.Body!.transformToString(), 'hello');
        await assert.rejects(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'other/outside.bag' })), (error: { $metadata?: { httpStatusCode?: number } }) => error.$metadata?.httpStatusCode === 403);
      } finally {
        s3.destroy();
      }
    });

    it('saves an object back keeping its type, user metadata and stored headers, and only over the version opened (S3 asked with session credentials for LogQS, whose API gives neither)', async () => {
      const store = await create();
      const admin = adminClient();
      const key = 'logs/config.json';
      await admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: '{"a":1}', ContentType: 'application/json', Metadata: { robot: 'r2', run: '7' }, CacheControl: 'no-cache', ContentDisposition: 'inline', ContentLanguage: 'en' }));
      const opened = await backend.objects.fetchObject(backend.source, store.id, 'config.json');
      await backend.objects.saveObject(backend.source, store.id, 'config.json', Buffer.from('{"a":2}'), { expectedEtag: opened.details.etag });
      const saved = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      assert.equal(await saved.Body!.transformToString(), '{"a":2}');
      assert.equal(saved.ContentType, 'application/json');
      assert.deepEqual(saved.Metadata, { robot: 'r2', run: '7' });
      assert.deepEqual([saved.CacheControl, saved.ContentDisposition, saved.ContentLanguage], ['no-cache', 'inline', 'en'], 'the headers S3 keeps with it');
      await assert.rejects(backend.objects.saveObject(backend.source, store.id, 'config.json', Buffer.from('{"a":3}'), { expectedEtag: opened.details.etag }), code('changed'));
      assert.equal(await (await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString(), '{"a":2}');
    });

    it('uploads to a writable store (with session credentials for LogQS, whose API has no object writes)', async () => {
      const store = await create();
      const folder = await temporaryFolder();
      try {
        const local = path.join(folder.dir, 'uploaded.txt');
        await fs.writeFile(local, 'uploaded through the store');
        const report = await backend.objects.upload(backend.source, store.id, [local], 'logs/incoming/', jobCallbacks().callbacks);
        assert.deepEqual(report.keys, ['logs/incoming/uploaded.txt']);
        const written = await adminClient().send(new GetObjectCommand({ Bucket: bucket, Key: 'logs/incoming/uploaded.txt' }));
        assert.equal(await written.Body!.transformToString(), 'uploaded through the store');
      } finally {
        await folder.remove();
      }
    });
  });
}

/** 50 000 keys in one prefix ("big/obj-00000.bin"…), a few folders beside them, and keys just outside the prefix. */
const MANY_KEYS = 50_000;
const bigKey = (index: number) => `big/obj-${String(index).padStart(5, '0')}.bin`;
const BESIDE = ['big/run-1/a.bin', 'big/run-2/b.bin', 'big/rover/c.bin', 'bigger/obj-00001.bin', 'other/big/obj-00002.bin'];

/** The source with every listing request it sends to its gateway recorded: what the server is asked, counted. */
function countingListings(source: ObjectStoreSource) {
  const requests: ListPageRequest[] = [];
  let onRequest = () => {};
  const objectsOf: ObjectStoreSource['objectsOf'] = async (id) => {
    const { store, objects } = await source.objectsOf(id);
    return {
      store,
      objects: {
        listPage: (request, signal) => {
          requests.push(request);
          onRequest();
          return objects.listPage(request, signal);
        },
        fetchObject: (key, options) => objects.fetchObject(key, options),
      },
    };
  };
  const counted = new Proxy(source, { get: (target, property) => (property === 'objectsOf' ? objectsOf : Reflect.get(target, property)) as unknown });
  return { source: counted, requests, whenRequested: (listener: () => void) => (onRequest = listener) };
}

/** A search of a store's root as Find Object runs it, without the quick pick; resolves with the results of `until`'s text. */
function findIn(source: ObjectStoreSource, storeId: string) {
  const delivered: { text: string; keys: string[]; more: boolean }[] = [];
  let waiting: { text: string; resolve: () => void } | undefined;
  const search = new PrefixSearch<BrowsePage>({
    fetchPage: (text, continuationToken, signal) => browsePage(source, storeId, { startsWith: text, continuationToken, pageSize: FIND_PAGE_SIZE, signal }),
    onResults: (text, pages) => {
      delivered.push({ text, keys: pages.flatMap((page) => [...page.folders.map((folder) => folder.prefix), ...page.objects.map((object) => object.key)]), more: Boolean(pages.at(-1)?.nextContinuationToken) });
      if (waiting?.text === text) {
        waiting.resolve();
      }
    },
    onBusy: () => undefined,
    onError: (text, error) => assert.fail(`search for "${text}" failed: ${String(error)}`),
    delayMs: 0,
  });
  const resultsOf = (text: string) => new Promise<void>((resolve) => (waiting = { text, resolve }));
  return { search, delivered, resultsOf };
}

describe('find and filter in a prefix of 50 000 keys', function () {
  this.timeout(600_000);
  let bucket: string;

  before(async () => {
    bucket = await createBucketWith('find', {});
    await putEmptyObjects(bucket, [...Array.from({ length: MANY_KEYS }, (_, index) => bigKey(index)), ...BESIDE]);
  });
  after(() => deleteBucket(bucket));

  for (const [name, makeBackend] of [['the embedded data store', embeddedBackend], ['a LogQS DataStore through its API', logqsBackend]] as const) {
    describe(name, () => {
      let backend: Backend;
      let listings: ReturnType<typeof countingListings>;
      let store: ObjectStore;

      beforeEach(async () => {
        backend = await makeBackend();
        store = await backend.source.create(storeFields(bucket, { key_prefix: 'big/' }));
        listings = countingListings(backend.source);
      });
      afterEach(() => backend.dispose());

      it('gives the first results of a typed prefix from one request, scoped to the key prefix', async () => {
        const { search, delivered, resultsOf } = findIn(listings.source, store.id);
        const answered = resultsOf('obj-4987');
        search.type('obj-4987');
        await answered;
        assert.deepEqual(delivered.at(-1)?.keys, Array.from({ length: 10 }, (_, index) => bigKey(49_870 + index)));
        assert.deepEqual(listings.requests.map((request) => [request.prefix, request.delimiter]), [['big/obj-4987', '/']]);

        const wide = resultsOf('obj-');
        search.type('obj-');
        await wide;
        assert.equal(delivered.at(-1)?.keys.length, FIND_PAGE_SIZE);
        assert.equal(delivered.at(-1)?.more, true, 'more results are a page away');
        assert.equal(listings.requests.length, 2, 'one request for a page of a prefix of 50 000 keys');

        const rooted = resultsOf('');
        search.searchNow('');
        await rooted;
        assert.ok(delivered.at(-1)?.keys.every((key) => key.startsWith('big/')), 'nothing outside the key prefix');
        search.dispose();
        await assert.rejects(browsePage(listings.source, store.id, { startsWith: '../', pageSize: 10 }), code('outside-prefix'));
        assert.ok(listings.requests.every((request) => request.prefix.startsWith('big/')));
      });

      it('delivers no stale results when typing outruns the server', async () => {
        const texts = ['o', 'ob', 'obj', 'obj-', 'obj-1', 'obj-12', 'obj-123', 'obj-1234'];
        const { search, delivered, resultsOf } = findIn(listings.source, store.id);
        let typed = 0;
        // Each keystroke arrives while the request of the one before is in flight.
        listings.whenRequested(() => {
          if (++typed < texts.length) {
            setImmediate(() => search.type(texts[typed]));
          }
        });
        const last = resultsOf('obj-1234');
        search.type(texts[0]);
        await last;
        search.dispose();
        assert.equal(listings.requests.length, texts.length, 'every keystroke sent a request, each aborting the one before');
        assert.deepEqual(delivered.map((results) => results.text), ['obj-1234']);
        assert.deepEqual(delivered[0].keys, Array.from({ length: 10 }, (_, index) => bigKey(12_340 + index)));
      });

      it('finds a key deep in the listing, and the tree\'s reveal loads the pages on its way to it', async () => {
        const deep = bigKey(49_876);
        const { search, delivered, resultsOf } = findIn(listings.source, store.id);
        const found = resultsOf('obj-49876');
        search.type('obj-49876');
        await found;
        search.dispose();
        assert.deepEqual(delivered.at(-1)?.keys, [deep]);

        const tree = new ObjectTreeModel({ sources: new StoreSources([listings.source]), pageSize: () => 1000, report: (action, error) => assert.fail(`${action}: ${String(error)}`), info: () => undefined });
        const storeNode = (await tree.getChildren()).find((node): node is StoreNode => node.kind === 'store' && node.store.id === store.id);
        assert.ok(storeNode);
        listings.requests.length = 0;
        const node = await tree.findKey(storeNode.id, deep, { loadPages: true });
        assert.ok(node?.kind === 'object', 'revealed');
        assert.equal(node.entry.key, deep);
        assert.equal(node.parent.id, storeNode.id);
        assert.ok((await tree.getChildren(storeNode)).includes(node), 'the node is one of the tree\'s own children');
        assert.equal(listings.requests.length, 50, 'the 50th page of 1000 holds it');
      });

      it('shows only the matches of a filtered store or folder, asked of the server with the longer prefix', async () => {
        const tree = new ObjectTreeModel({ sources: new StoreSources([listings.source]), pageSize: () => 1000, report: (action, error) => assert.fail(`${action}: ${String(error)}`), info: () => undefined });
        const storeNode = (await tree.getChildren()).find((node): node is StoreNode => node.kind === 'store' && node.store.id === store.id);
        assert.ok(storeNode);
        tree.setFilter(storeNode, 'obj-4999');
        listings.requests.length = 0;
        const matches = await tree.getChildren(storeNode);
        assert.deepEqual(matches.map((node) => node.kind === 'object' && node.entry.key), Array.from({ length: 10 }, (_, index) => bigKey(49_990 + index)));
        assert.deepEqual(listings.requests.map((request) => request.prefix), ['big/obj-4999']);
        tree.setFilter(storeNode, 'r');
        const folders = await tree.getChildren(storeNode);
        assert.deepEqual(folders.map((node) => node.kind === 'folder' && node.name), ['rover/', 'run-1/', 'run-2/']);
        const run1 = folders[1];
        assert.ok(run1.kind === 'folder');
        assert.deepEqual((await tree.getChildren(run1)).map((node) => node.kind === 'object' && node.entry.key), ['big/run-1/a.bin']);
      });
    });
  }
});
