import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type * as z from 'zod';
import { type LogqsClient, parseAnswer } from '../../../src/adapters/logqs/logqsClient';
import { LogqsObjectGateway, LogqsStoreSource } from '../../../src/adapters/logqs/logqsStoreSource';
import type { ObjectStore } from '../../../src/core/objectStore';
import type { SessionCredentialCache } from '../../../src/core/sessionCache';

/** A store record as the API sends it. */
function record(name: string, fields: Record<string, unknown> = {}) {
  return {
    id: randomUUID(), name, bucket_name: 'bucket', region_name: null, access_key_id: null, endpoint_url: null, key_prefix: null,
    default: false, managed: false, disabled: false, read_only: false, note: null, context: null,
    created_at: '2026-01-01T00:00:00+00:00', updated_at: null, ...fields,
  };
}

/** The client's GET of `objectStores`, answered from `records` with the list envelope and parsed as the client parses. */
function listingClient(records: unknown[]): LogqsClient {
  const get = async <S extends z.ZodType>(_path: string, schema: S, what: string, params: { offset: number; limit: number }) =>
    parseAnswer(schema, JSON.stringify({ offset: params.offset, limit: params.limit, order: 'name', sort: 'asc', count: records.length, data: records.slice(params.offset, params.offset + params.limit) }), what);
  return { get } as unknown as LogqsClient;
}

describe('LogQS store source', () => {
  it('lists the stores whose records are valid when one is not, and says which was left out and why', async () => {
    const records = [record('a'), record('x'.repeat(200)), record('c')];
    const source = new LogqsStoreSource({ id: 'c1', name: 'DS' }, listingClient(records), undefined as unknown as SessionCredentialCache);
    const page = await source.listPage(0, 2);
    assert.deepEqual(page.stores.map((store) => store.name), ['a']);
    assert.equal(page.covered, 2, 'the next page starts after the record left out');
    assert.equal(page.unreadable.length, 1);
    assert.match(page.unreadable[0].message, /name \(must be at most 128 characters\)/);
    assert.deepEqual((await source.list()).map((store) => store.name), ['a', 'c']);
  });
  it('refuses to make a managed store the default before asking the API, saying it is managed', async () => {
    const managed = record('provisioned', { managed: true });
    const patches: string[] = [];
    const client = {
      get: async <S extends z.ZodType>(_path: string, schema: S, what: string) => parseAnswer(schema, JSON.stringify({ data: managed }), what),
      patch: async (path: string) => {
        patches.push(path);
        return { data: managed };
      },
    } as unknown as LogqsClient;
    const source = new LogqsStoreSource({ id: 'c1', name: 'DS' }, client, undefined as unknown as SessionCredentialCache);
    await assert.rejects(source.setDefault(managed.id), (error: Error & { code?: string }) => error.code === 'managed' && /managed by LogQS and can't be made the default/.test(error.message));
    assert.deepEqual(patches, []);
  });

  it('fetches the previous default again after a store is created as the default, whose flag the server took from it', async () => {
    type Record = ReturnType<typeof record>;
    const oldDefault = record('old', { default: true });
    const server = new Map<string, Record>([[oldDefault.id, oldDefault]]);
    const client = {
      get: async <S extends z.ZodType>(path: string, schema: S, what: string) => parseAnswer(schema, JSON.stringify({ data: server.get(path.split('/')[1]) }), what),
      post: async (_path: string, body: { name: string; default?: boolean }) => {
        const made = record(body.name, { default: body.default ?? false });
        if (made.default) {
          server.forEach((entry) => (entry.default = false));
        }
        server.set(made.id, made);
        return { data: made };
      },
    } as unknown as LogqsClient;
    const source = new LogqsStoreSource({ id: 'c1', name: 'DS' }, client, undefined as unknown as SessionCredentialCache);
    const input = (name: string, isDefault: boolean) => ({ name, bucket_name: 'logs', region_name: 'us-east-1', access_key_id: 'AKIAEXAMPLE', secret_access_key: 'not-a-secret', default: isDefault });
    assert.equal((await source.get(oldDefault.id)).default, true);
    await source.create(input('plain', false));
    assert.equal((await source.get(oldDefault.id)).default, true);
    await source.create(input('new', true));
    assert.equal((await source.get(oldDefault.id)).default, false);
  });

  it('refuses, before asking the API, an endpoint_url that names the bucket, on create and on an edit of either', async () => {
    const r2 = record('r2', { endpoint_url: 'https://account.r2.cloudflarestorage.com/logs' });
    const sent: string[] = [];
    const client = {
      get: async <S extends z.ZodType>(_path: string, schema: S, what: string) => parseAnswer(schema, JSON.stringify({ data: r2 }), what),
      patch: async (path: string) => (sent.push(`PATCH ${path}`), { data: r2 }),
      post: async (path: string) => (sent.push(`POST ${path}`), { data: r2 }),
    } as unknown as LogqsClient;
    const source = new LogqsStoreSource({ id: 'c1', name: 'DS' }, client, undefined as unknown as SessionCredentialCache);
    const refused = (error: Error & { code?: string }) => error.code === 'invalid-input' && /endpoint_url ends with the bucket "logs"/.test(error.message);
    // Keys would be written under "logs/" in the bucket, outside its key_prefix: the bucket is added to every request.
    await assert.rejects(source.update(r2.id, { bucket_name: 'logs' }), refused);
    await assert.rejects(source.update(r2.id, { bucket_name: 'bucket', endpoint_url: 'https://account.r2.cloudflarestorage.com/bucket' }), /ends with the bucket "bucket"/);
    const input = { name: 'new', bucket_name: 'logs', region_name: 'auto', access_key_id: 'AKIAEXAMPLE', secret_access_key: 'not-a-secret', endpoint_url: 'https://account.r2.cloudflarestorage.com/logs' };
    await assert.rejects(source.create(input), refused);
    assert.deepEqual(sent, []);
    await source.update(r2.id, { note: 'the endpoint is as it was' });
    assert.deepEqual(sent, [`PATCH objectStores/${r2.id}`]);
  });

  it('refuses a listing that says it is truncated but gives no token for the rest, rather than end the listing there', async () => {
    // Folder downloads and deletes go page by page until there is no token: without this they would stop silently.
    const answer = { data: [{ key: 'logs/a.txt', size: 1 }], is_truncated: true, next_continuation_token: null, common_prefixes: [] };
    const client = { get: async <S extends z.ZodType>(_path: string, schema: S, what: string) => parseAnswer(schema, JSON.stringify(answer), what) } as unknown as LogqsClient;
    const gateway = new LogqsObjectGateway(client, { id: randomUUID(), name: 'robots' } as ObjectStore);
    await assert.rejects(gateway.listPage({ prefix: 'logs/', maxKeys: 1000 }), (error: Error & { code?: string }) =>
      error.code === 'remote' && /list the objects of "robots".*next_continuation_token/.test(error.message));
  });
});
