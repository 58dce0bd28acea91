import * as assert from 'node:assert/strict';
import { fromUriParts, toUriParts } from '../../../src/vscode/fileSystem/objectAddress';

describe('logqs: object addresses', () => {
  it('round-trips keys with spaces, "+", "%", "#", "?", unicode and empty segments', () => {
    for (const key of ['logs/a b+c.bag', 'logs/100%/x#1?.txt', 'logs/日本語/データ.mcap', 'a//b', '/abs', 'trailing/']) {
      const address = { sourceId: 'logqs:ds 1/x', storeId: '00000000-0000-4000-8000-000000000001', key };
      assert.deepEqual(fromUriParts(toUriParts(address)), address, key);
    }
  });

  it('keeps the key as the path, so the tab is titled with the object name', () => {
    const parts = toUriParts({ sourceId: 'embedded', storeId: 's', key: 'logs/run-1/robot.bag' });
    assert.equal(parts.path, '/logs/run-1/robot.bag');
    assert.equal(parts.authority, 's');
  });

  it('takes "/" for the store\'s root folder', () => {
    assert.deepEqual(fromUriParts({ scheme: 'logqs', authority: 's', path: '/', query: 'source=embedded' }), { sourceId: 'embedded', storeId: 's', key: '' });
  });

  it('refuses addresses that name no store or source', () => {
    for (const parts of [
      { scheme: 'logqs', authority: '', path: '/k', query: 'source=embedded' },
      { scheme: 'logqs', authority: 's', path: '/k', query: '' },
      { scheme: 'file', authority: 's', path: '/k', query: 'source=embedded' },
    ]) {
      assert.throws(() => fromUriParts(parts), /not the address of an object/, JSON.stringify(parts));
    }
  });
});
