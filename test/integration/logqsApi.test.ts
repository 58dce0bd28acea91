import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { JsonFileConnections } from '../../src/adapters/files/connectionsFile';
import { LogqsClient } from '../../src/adapters/logqs/logqsClient';
import { LogqsConnections } from '../../src/adapters/logqs/logqsConnections';
import { LogqsStoreSource } from '../../src/adapters/logqs/logqsStoreSource';
import { S3ClientCache } from '../../src/adapters/s3/s3Client';
import { browsePage } from '../../src/core/objectBrowser';
import { SessionCredentialCache } from '../../src/core/sessionCache';
import { StoreSources } from '../../src/core/sources';
import { code } from '../support/assertions';
import { LogqsApiServer } from '../support/logqsApiServer';
import { MemoryVault } from '../support/memoryPorts';
import { createBucketWith, deleteBucket, S3_ACCESS_KEY, S3_ENDPOINT, S3_SECRET_KEY } from '../support/s3Server';
import { temporaryFolder } from '../support/transfers';

/** The LogQS client's failure handling and the connect flow, against the test server standing in for LogQS. */
describe('LogQS API client and connections', function () {
  this.timeout(60_000);
  let server: LogqsApiServer;
  let bucket: string;

  before(async () => {
    bucket = await createBucketWith('logqs-api', { 'logs/a.txt': 'a', 'logs/dir/b.txt': 'b' });
  });
  after(() => deleteBucket(bucket));
  beforeEach(async () => {
    server = await new LogqsApiServer().start();
    server.seed({ name: 'seeded', bucket_name: bucket, access_key_id: S3_ACCESS_KEY, secret_access_key: S3_SECRET_KEY, endpoint_url: S3_ENDPOINT, key_prefix: 'logs/' });
  });
  afterEach(() => server.stop());

  const sourceWith = (overrides: Partial<{ apiKeySecret: string; datastoreId: string; apiUrl: string }> = {}) => {
    const client = new LogqsClient(
      {
        apiUrl: overrides.apiUrl ?? server.url,
        apiEndpointPrefix: server.prefix,
        datastoreId: overrides.datastoreId ?? server.datastoreId,
        apiKeyId: server.apiKeyId,
        apiKeySecret: async () => overrides.apiKeySecret ?? server.apiKeySecret,
      },
      { timeoutMs: () => 5_000 },
    );
    return new LogqsStoreSource({ id: 'test', name: 'LogQS test' }, client, new SessionCredentialCache());
  };

  it('says the API key was refused, without the key in the message', async () => {
    await assert.rejects(sourceWith({ apiKeySecret: 'wrong-secret-1234' }).list(), (error: unknown) =>
      code('auth')(error) && /API key was refused/.test((error as Error).message) && !(error as Error).message.includes('wrong-secret-1234'));
  });

  it('says the DataStore is unknown', async () => {
    await assert.rejects(sourceWith({ datastoreId: '00000000-0000-4000-8000-000000000000' }).list(), (error: unknown) =>
      code('not-found')(error) && /DataStore not found/.test((error as Error).message));
  });

  it('retries a 503 and succeeds', async () => {
    server.failNext(2, 503);
    const stores = await sourceWith().list();
    assert.deepEqual(stores.map((store) => store.name), ['seeded']);
    assert.equal(server.requests.filter((request) => request.startsWith('GET') && request.includes('/objectStores')).length, 3);
  });

  it('waits as long as a 429\'s Retry-After says, then succeeds', async () => {
    server.failNext(1, 429, 2);
    const started = Date.now();
    await sourceWith().list();
    assert.ok(Date.now() - started >= 1900, `retried after ${Date.now() - started} ms`);
  });

  it('does not retry a 4xx', async () => {
    server.failNext(1, 400);
    await assert.rejects(sourceWith().list(), code('invalid-input'));
    assert.equal(server.requests.length, 1);
  });

  it('leaves out a store record that lacks a field, naming the field and the store, never saying undefined', async () => {
    const listed = (await sourceWith().list()).length;
    assert.ok(listed > 0, 'a store to malform');
    server.malformNext('bucket_name');
    const page = await sourceWith().listPage(0, 100);
    assert.equal(page.stores.length, listed - 1, 'the others are listed');
    assert.equal(page.unreadable.length, 1);
    const [problem] = page.unreadable;
    assert.ok(code('remote')(problem) && /\(store id [^)]+\) without a valid bucket_name/.test(problem.message) && !/undefined/.test(problem.message), problem.message);
  });

  it('says a refused connection is unreachable', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    await assert.rejects(sourceWith({ apiUrl: `http://127.0.0.1:${closed}` }).list(), (error: unknown) => code('unreachable')(error) && /ECONNREFUSED/.test((error as Error).message));
  });

  it('sends only the changed fields when editing, and the secret only when creating', async () => {
    const source = sourceWith();
    const created = await source.create({ name: 'mine', bucket_name: bucket, region_name: 'us-east-1', access_key_id: S3_ACCESS_KEY, secret_access_key: S3_SECRET_KEY, endpoint_url: S3_ENDPOINT });
    assert.equal(server.bodies.length, 1);
    assert.equal((server.bodies[0].body as Record<string, unknown>).secret_access_key, S3_SECRET_KEY, 'the secret goes in the POST');
    await source.update(created.id, { note: 'changed', name: 'mine' });
    assert.deepEqual(server.bodies.slice(1), [{ method: 'PATCH', body: { note: 'changed' } }], 'only what changed, never the secret');
    assert.equal(server.stores.get(created.id)!.note, 'changed');
    assert.equal(server.stores.get(created.id)!.secret_access_key, S3_SECRET_KEY);
  });

  it('lists folders and objects through the API with percent-encoded keys', async () => {
    const source = sourceWith();
    const [store] = await source.list();
    const page = await browsePage(source, store.id, { pageSize: 1000 });
    assert.deepEqual(page.folders.map((folder) => folder.prefix), ['logs/dir/']);
    assert.deepEqual(page.objects.map((object) => object.key), ['logs/a.txt']);
  });

  it('connects (checking at once), restores after a restart, and disconnects, keeping the secret in the vault only', async () => {
    const folder = await temporaryFolder();
    try {
      const file = path.join(folder.dir, 'connections.json');
      const vault = new MemoryVault();
      const sources = new StoreSources();
      const make = () => new LogqsConnections({ file: new JsonFileConnections(file), secrets: vault, sources, sessions: new SessionCredentialCache(), client: { timeoutMs: () => 5_000 } });
      const settings = { apiUrl: server.url, apiEndpointPrefix: server.prefix, datastoreId: server.datastoreId, apiKeyId: server.apiKeyId, name: 'Robots' };

      await assert.rejects(make().connect({ ...settings, apiKeySecret: 'wrong-secret-5678' }), code('auth'));
      await assert.rejects(fs.access(file), { code: 'ENOENT' });
      assert.equal(vault.secrets.size, 0);

      const source = await make().connect({ ...settings, apiKeySecret: server.apiKeySecret });
      assert.equal(source.label, 'Robots');
      assert.deepEqual((await source.list()).map((store) => store.name), ['seeded']);
      assert.ok(!(await fs.readFile(file, 'utf8')).includes(server.apiKeySecret));
      await assert.rejects(make().connect({ ...settings, apiKeySecret: server.apiKeySecret }), code('conflict'));

      sources.remove(source.id);
      const restored = await make().restore();
      assert.deepEqual(restored.map((connection) => connection.name), ['Robots']);
      assert.deepEqual((await sources.byId(source.id)!.list()).map((store) => store.name), ['seeded']);

      await make().disconnect(source.id);
      assert.equal(sources.byId(source.id), undefined);
      assert.equal(vault.secrets.size, 0);
      assert.deepEqual(await make().restore(), []);
    } finally {
      await folder.remove();
    }
  });
  it('drops what a disconnected DataStore kept for its stores: connected again, its stores sign S3 requests with the new connection', async () => {
    const folder = await temporaryFolder();
    const clients = new S3ClientCache(() => ({ timeoutMs: 5_000 }));
    try {
      const vault = new MemoryVault();
      const sources = new StoreSources();
      const sessions = new SessionCredentialCache();
      // As the extension wires them: a store's change drops its S3 client and its session credentials.
      sources.onDidChangeStores((source, change) => {
        clients.forget(change.storeIds);
        sessions.forget(change.storeIds.map((id) => `${source.id}/${id}`));
      });
      const make = () => new LogqsConnections({ file: new JsonFileConnections(path.join(folder.dir, 'connections.json')), secrets: vault, sources, sessions, client: { timeoutMs: () => 5_000 } });
      const settings = { apiUrl: server.url, apiEndpointPrefix: server.prefix, datastoreId: server.datastoreId, apiKeyId: server.apiKeyId, apiKeySecret: server.apiKeySecret, name: 'Robots' };

      const first = await make().connect(settings);
      const [store] = await first.list();
      const before = await first.credentialsFor(store.id);
      const firstClient = await clients.get(before.store, before.credentials);
      await make().disconnect(first.id);

      const second = await make().connect(settings);
      const after = await second.credentialsFor(store.id);
      const secondClient = await clients.get(after.store, after.credentials);
      // The first client asks the forgotten connection for session credentials: its secret is gone from the vault.
      assert.notEqual(secondClient, firstClient, 'the S3 client of the disconnected DataStore is not used again');
      await assert.rejects(before.credentials(), code('auth'));
      await secondClient.config.credentials();
    } finally {
      clients.dispose();
      await folder.remove();
    }
  });
});
