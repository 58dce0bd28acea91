import * as assert from 'node:assert/strict';
import type { SessionIssuer } from '../../../src/core/ports';
import { RENEW_BEFORE_MS, SessionCredentialCache, storeSessionCredentials } from '../../../src/core/sessionCache';
import { MemoryRecords, memorySource, validInput } from '../../support/memoryPorts';

describe('session credential cache', () => {
  let now = 0;
  let issued = 0;
  const issue = (lifetimeMs: number) => async () => ({ accessKeyId: `ASIA${++issued}`, secretAccessKey: 's', sessionToken: 't', expiration: new Date(now + lifetimeMs) });

  beforeEach(() => {
    now = Date.parse('2026-11-25T12:00:00Z');
    issued = 0;
  });

  it('hands out the same credentials until a few minutes before they expire, then new ones', async () => {
    const cache = new SessionCredentialCache(() => now);
    const first = await cache.get('store', issue(3600_000));
    now += 3600_000 - RENEW_BEFORE_MS - 1000;
    assert.equal(await cache.get('store', issue(3600_000)), first);
    now += 2000;
    const second = await cache.get('store', issue(3600_000));
    assert.notEqual(second.accessKeyId, first.accessKeyId);
    assert.ok(second.expiration.getTime() - now > RENEW_BEFORE_MS);
  });

  it('never hands out expired credentials, even ones issued with a short life', async () => {
    const cache = new SessionCredentialCache(() => now);
    await cache.get('store', issue(60_000));
    const again = await cache.get('store', issue(3600_000));
    assert.equal(issued, 2);
    assert.ok(again.expiration.getTime() > now);
  });

  it('shares one request between concurrent askers, keeps stores apart, and forgets on request', async () => {
    const cache = new SessionCredentialCache(() => now);
    const [a, b] = await Promise.all([cache.get('one', issue(3600_000)), cache.get('one', issue(3600_000))]);
    assert.equal(a, b);
    assert.notEqual((await cache.get('two', issue(3600_000))).accessKeyId, a.accessKeyId);
    cache.forget(['one']);
    assert.notEqual((await cache.get('one', issue(3600_000))).accessKeyId, a.accessKeyId);
    assert.equal(issued, 3);
  });

  it('keeps a store\'s sets of different scopes apart: asking for one doesn\'t evict the other (the S3 client\'s and Get Session Credentials\')', async () => {
    const cache = new SessionCredentialCache(() => now);
    const forClient = await cache.get('source/store', issue(3600_000), 'scope');
    const handedOut = await cache.get('source/store', issue(3600_000), 'scope for 3600 s');
    assert.notEqual(handedOut.accessKeyId, forClient.accessKeyId);
    assert.equal(await cache.get('source/store', issue(3600_000), 'scope'), forClient);
    assert.equal(await cache.get('source/store', issue(3600_000), 'scope for 3600 s'), handedOut);
    assert.equal(issued, 2);
    cache.forget(['source/store']);
    await cache.get('source/store', issue(3600_000), 'scope');
    await cache.get('source/store', issue(3600_000), 'scope for 3600 s');
    assert.equal(issued, 4, 'both forgotten with their store');
  });

  it('does not keep a failure', async () => {
    const cache = new SessionCredentialCache(() => now);
    await assert.rejects(cache.get('store', () => Promise.reject(new Error('STS down'))), /STS down/);
    assert.equal((await cache.get('store', issue(3600_000))).accessKeyId, 'ASIA1');
  });

  it('hands a store\'s credentials out again only while half the duration asked is left, and anew for another duration', async () => {
    const sessions: SessionIssuer = async (_store, _credentials, { durationSeconds }) =>
      ({ accessKeyId: `ASIA${++issued}`, secretAccessKey: 's', sessionToken: 't', expiration: new Date(now + durationSeconds * 1000) });
    const { source } = memorySource({ sessions });
    const store = await source.create(validInput());
    const cache = new SessionCredentialCache(() => now);
    const ask = (durationSeconds: number) => storeSessionCredentials(cache, { source, store }, { durationSeconds });
    const first = await ask(3600);
    now += 1700_000;
    assert.equal((await ask(3600)).accessKeyId, first.accessKeyId, 'more than half an hour left');
    now += 200_000;
    assert.notEqual((await ask(3600)).accessKeyId, first.accessKeyId, 'less than half an hour left: pasted, it would not last');
    assert.equal((await ask(7200)).expiration.getTime(), now + 7200_000, 'a duration changed in the settings holds at once');
    assert.equal(issued, 3);
  });

  it('stops only the wait of an asker who cancels: the request goes on for another asking meanwhile, and is kept', async () => {
    let answer: (() => void) | undefined;
    const sessions: SessionIssuer = async (_store, _credentials, { durationSeconds, signal }) => {
      await new Promise<void>((resolve) => (answer = resolve));
      if (signal?.aborted) {
        throw new Error('the request was stopped');
      }
      return { accessKeyId: `ASIA${++issued}`, secretAccessKey: 's', sessionToken: 't', expiration: new Date(now + durationSeconds * 1000) };
    };
    const { source } = memorySource({ sessions });
    const store = await source.create(validInput());
    const cache = new SessionCredentialCache(() => now);
    const cancelled = new AbortController();
    const first = storeSessionCredentials(cache, { source, store }, { durationSeconds: 3600, signal: cancelled.signal });
    const second = storeSessionCredentials(cache, { source, store }, { durationSeconds: 3600, signal: new AbortController().signal });
    await new Promise((resolve) => setImmediate(resolve));
    cancelled.abort();
    await assert.rejects(first, (error: unknown) => (error as { code?: string }).code === 'cancelled');
    answer?.();
    assert.equal((await second).accessKeyId, 'ASIA1');
    assert.equal((await storeSessionCredentials(cache, { source, store }, { durationSeconds: 3600 })).accessKeyId, 'ASIA1', 'kept for the next asker');
    assert.equal(issued, 1);
  });

  it('issues new credentials for a store whose prefix or read_only changed in another window, though no change was announced here', async () => {
    // Two editor windows share the records file (here one MemoryRecords); each has its own sources and cache.
    const sessions: SessionIssuer = async (store, _credentials, { policy }) =>
      ({ accessKeyId: `ASIA${++issued}`, secretAccessKey: 's', sessionToken: policy, expiration: new Date(now + 3600_000) });
    const shared = new MemoryRecords();
    const { source: windowA, vault } = memorySource({ records: shared, sessions });
    const windowB = memorySource({ records: shared, secrets: vault, sessions }).source;
    const created = await windowA.create(validInput({ key_prefix: 'logs/' }));
    const cacheB = new SessionCredentialCache(() => now);
    const askB = async () => storeSessionCredentials(cacheB, { source: windowB, store: await windowB.get(created.id) }, { durationSeconds: 900 });

    assert.match((await askB()).sessionToken, /logs\/\*/);
    await windowA.update(created.id, { key_prefix: 'logs/robot-1/', read_only: true });
    const after = await askB();
    assert.match(after.sessionToken, /logs\/robot-1\/\*/, 'credentials for the prefix the store has now');
    assert.ok(!after.sessionToken.includes('s3:PutObject'), 'the store is read-only now');
    assert.equal(issued, 2);
  });
});
