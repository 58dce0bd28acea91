import * as assert from 'node:assert/strict';
import { LogqsError } from '../../../src/core/errors';
import type { ObjectStoreSource } from '../../../src/core/ports';
import { StoreSources } from '../../../src/core/sources';
import { memorySource, validInput } from '../../support/memoryPorts';

/** A source whose stores can't be listed (a DataStore that is down, or whose API key was revoked). */
function unreachableSource(id: string): ObjectStoreSource {
  const down = () => Promise.reject(new LogqsError('unreachable', `Can't reach ${id}`));
  return { id, label: id, list: down, get: down, create: down, update: down, delete: down, setDefault: down, credentialsFor: down, objectsOf: down, sessionCredentials: down, onDidChange: () => ({ dispose: () => undefined }) };
}

describe('store sources', () => {
  it('finds a store by id when another source, listed before it, can\'t be read', async () => {
    const { source } = memorySource();
    const store = await source.create(validInput());
    const sources = new StoreSources([unreachableSource('logqs:down'), source]);
    const found = await sources.find(store.id);
    assert.equal(found.source, source);
    assert.equal(found.store.id, store.id);
  });

  it('says why a store was not found when a source that could hold it can\'t be read', async () => {
    const { source } = memorySource();
    const sources = new StoreSources([source, unreachableSource('logqs:down')]);
    await assert.rejects(sources.find('00000000-0000-4000-8000-000000000000'), (error: LogqsError) => error.code === 'unreachable' && /Can't reach logqs:down/.test(error.message));
  });
});
