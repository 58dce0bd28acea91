import * as assert from 'node:assert/strict';
import type { S3Client } from '@aws-sdk/client-s3';
import { S3ClientCache } from '../../../src/adapters/s3/s3Client';
import { storeRecord } from '../../support/memoryPorts';

const store = storeRecord;

const credentials = async () => ({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' });

/** Counts destroy() calls on a client. */
function watchDestroy(client: S3Client): () => number {
  let count = 0;
  const destroy = client.destroy.bind(client);
  client.destroy = () => {
    count++;
    destroy();
  };
  return () => count;
}

describe('S3 client cache', () => {
  let timeoutMs = 5000;
  let cache: S3ClientCache;
  beforeEach(() => {
    timeoutMs = 5000;
    cache = new S3ClientCache(() => ({ timeoutMs }));
  });
  afterEach(() => cache.dispose());

  it('reuses one client per store for every request', async () => {
    const first = await cache.get(store(), credentials);
    assert.equal(await cache.get(store({ name: 'renamed', note: 'n', default: true }), credentials), first);
    assert.notEqual(await cache.get(store({ id: '00000000-0000-4000-8000-000000000002' }), credentials), first);
    assert.equal(cache.size, 2);
  });

  it('makes one client for concurrent first requests of a store (the SDK loads meanwhile)', async () => {
    const clients = await Promise.all([cache.get(store(), credentials), cache.get(store(), credentials), cache.get(store(), credentials)]);
    assert.equal(new Set(clients).size, 1);
    assert.equal(cache.size, 1);
  });

  it('replaces and destroys the client when what it depends on changes', async () => {
    for (const change of [{ bucket_name: 'other' }, { endpoint_url: 'http://127.0.0.1:9000' }, { region_name: 'eu-west-1' }, { access_key_id: 'AKIAOTHER' }]) {
      const before = await cache.get(store(), credentials);
      const destroyed = watchDestroy(before);
      const after = await cache.get(store(change), credentials);
      assert.notEqual(after, before, JSON.stringify(change));
      assert.equal(destroyed(), 1, JSON.stringify(change));
      cache.forget([store().id]);
    }
    const before = await cache.get(store(), credentials);
    timeoutMs = 1000;
    assert.notEqual(await cache.get(store(), credentials), before, 'a new timeout setting makes a new client');
  });

  it('destroys the clients of forgotten stores, and all of them on dispose', async () => {
    const a = await cache.get(store(), credentials);
    const b = await cache.get(store({ id: '00000000-0000-4000-8000-000000000002' }), credentials);
    const [destroyedA, destroyedB] = [watchDestroy(a), watchDestroy(b)];
    cache.forget([store().id]);
    assert.deepEqual([destroyedA(), destroyedB(), cache.size], [1, 0, 1]);
    cache.dispose();
    assert.deepEqual([destroyedA(), destroyedB(), cache.size], [1, 1, 0]);
  });
});
