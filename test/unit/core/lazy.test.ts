import * as assert from 'node:assert/strict';
import { lazy } from '../../../src/core/lazy';

describe('lazy', () => {
  it('makes nothing until asked, then once for every caller, concurrent ones included', async () => {
    let made = 0;
    const value = lazy(async () => ++made);
    assert.equal(made, 0);
    assert.deepEqual(await Promise.all([value(), value(), value()]), [1, 1, 1]);
    assert.equal(await value(), 1);
    assert.equal(made, 1);
  });

  it('forgets a failure, so the next call tries again', async () => {
    let attempts = 0;
    const value = lazy(async () => {
      attempts++;
      if (attempts === 1) {
        throw new Error('not yet');
      }
      return 'ready';
    });
    await assert.rejects(value(), /not yet/);
    assert.equal(await value(), 'ready');
    assert.equal(attempts, 2);
  });

  it('turns a synchronous throw into a rejection', async () => {
    const value = lazy((): Promise<string> => {
      throw new Error('thrown');
    });
    await assert.rejects(value(), /thrown/);
  });
});
