import * as assert from 'node:assert/strict';
import { RENEW_BEFORE_MS, SessionCredentialCache } from '../../../src/core/sessionCache';

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

  it('does not keep a failure', async () => {
    const cache = new SessionCredentialCache(() => now);
    await assert.rejects(cache.get('store', () => Promise.reject(new Error('STS down'))), /STS down/);
    assert.equal((await cache.get('store', issue(3600_000))).accessKeyId, 'ASIA1');
  });
});
