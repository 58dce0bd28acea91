import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { JsonFileConnections } from '../../../src/adapters/files/connectionsFile';
import { LogqsConnections } from '../../../src/adapters/logqs/logqsConnections';
import { LogqsError } from '../../../src/core/errors';
import { SessionCredentialCache } from '../../../src/core/sessionCache';
import { StoreSources } from '../../../src/core/sources';
import { MemoryVault } from '../../support/memoryPorts';

/** A LogQS API that answers every list of object stores with none, after `delayMs`. */
async function emptyApi(delayMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_request, response) => {
    setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end('{"offset":0,"limit":1,"count":0,"data":[]}'), delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('LogQS connections', () => {
  let dir = '';
  let api: { url: string; close(): Promise<void> };

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'logqs-test-'));
    api = await emptyApi(20);
  });
  afterEach(async () => {
    await api.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** A window's connections; windows of one editor share the file and the secret storage. */
  const make = (vault = new MemoryVault()) => {
    const file = new JsonFileConnections(path.join(dir, 'logqs-connections.json'));
    const sources = new StoreSources();
    const connections = new LogqsConnections({ file, secrets: vault, sources, sessions: new SessionCredentialCache(), client: { timeoutMs: () => 5_000 } });
    return { file, vault, sources, connections };
  };
  const settings = (datastoreId: string) => ({ apiUrl: api.url, apiEndpointPrefix: '', datastoreId, apiKeyId: 'key-id', apiKeySecret: 'key-secret-1234' });

  it('keeps every DataStore of connects made at the same time', async () => {
    const { file, vault, connections } = make();
    await Promise.all(['robots-a', 'robots-b', 'robots-c'].map((id) => connections.connect(settings(id))));
    assert.deepEqual((await file.load()).map((connection) => connection.datastoreId).sort(), ['robots-a', 'robots-b', 'robots-c']);
    assert.equal(vault.secrets.size, 3);
  });

  it('keeps every DataStore when two windows, sharing the connections file, connect at the same time', async () => {
    // Each editor window runs its own extension host: its own LogqsConnections over the same file.
    const windowA = make();
    const windowB = make();
    await Promise.all(['robots-a', 'robots-b', 'robots-c', 'robots-d'].map((id, index) => (index % 2 ? windowB : windowA).connections.connect(settings(id))));
    assert.deepEqual((await windowA.file.load()).map((connection) => connection.datastoreId).sort(), ['robots-a', 'robots-b', 'robots-c', 'robots-d']);
    assert.deepEqual((await fs.readdir(dir)).sort(), ['logqs-connections.json']);
  });

  it('connects one DataStore once, even when asked twice at the same time', async () => {
    const { file, vault, connections } = make();
    const results = await Promise.allSettled([connections.connect(settings('robots')), connections.connect(settings('robots'))]);
    assert.deepEqual(results.map((result) => result.status).sort(), ['fulfilled', 'rejected']);
    const refused = results.find((result) => result.status === 'rejected');
    assert.ok(LogqsError.is(refused?.reason, 'conflict'));
    assert.equal((await file.load()).length, 1);
    assert.equal(vault.secrets.size, 1);
  });

  it('shows in a window the DataStores another window connected and disconnected, once the file changed', async () => {
    const windowA = make();
    const windowB = make(windowA.vault);
    const robotsA = await windowA.connections.connect(settings('robots-a'));
    await windowA.connections.connect(settings('robots-b'));
    const sourceIds = (sources: StoreSources) => sources.all().map((source) => source.id).sort();
    assert.deepEqual(sourceIds(windowB.sources), [], 'nothing before the file is read again');
    await Promise.all([windowB.connections.fileChanged(), windowB.connections.fileChanged()]);
    assert.deepEqual(sourceIds(windowB.sources), sourceIds(windowA.sources), 'each once');
    const shownInB = windowB.sources.byId(robotsA.id);
    assert.ok(shownInB, 'robots-a in window B');
    assert.deepEqual(await shownInB.list(), [], 'listed with the secret window A stored');
    await windowA.connections.disconnect(robotsA.id);
    await windowB.connections.fileChanged();
    assert.deepEqual(sourceIds(windowB.sources), sourceIds(windowA.sources));
    assert.equal(windowB.sources.byId(robotsA.id), undefined, 'robots-a left window B');
  });
});
