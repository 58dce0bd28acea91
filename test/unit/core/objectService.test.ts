import * as assert from 'node:assert/strict';
import { ObjectService } from '../../../src/core/objectService';
import type { ObjectWriter } from '../../../src/core/ports';
import { memoryGateway, memorySource, validInput } from '../../support/memoryPorts';

describe('object service', () => {
  it('saves over the object that was opened when the API gives its ETag unquoted and S3 gave it quoted', async () => {
    // S3's PUT answers "\"ab12…\"", an API may list and fetch the same ETag as ab12…: the same object.
    const { gateway } = memoryGateway([]);
    gateway.fetchObject = async (key) => ({ details: { key, size: 1, etag: '0cc175b9c0f1b6a831c399e269772661', metadata: {} }, presignedUrl: 'http://s3/x' });
    const { source } = memorySource({ gateways: () => gateway, sessions: async () => ({ accessKeyId: 'a', secretAccessKey: 'b', sessionToken: 'c', expiration: new Date(Date.now() + 3_600_000) }) });
    const store = await source.create(validInput());
    const puts: string[] = [];
    const writer = { putObject: async (key: string) => (puts.push(key), { etag: '"0cc175b9c0f1b6a831c399e269772661"' }) } as unknown as ObjectWriter;
    const service = new ObjectService({
      writers: () => writer,
      http: undefined as never,
      files: undefined as never,
      settings: () => ({ partSizeBytes: 1, partConcurrency: 1, fileConcurrency: 1, presignExpirySeconds: 3600 }),
      log: () => undefined,
    });
    await service.saveObject(source, store.id, 'notes.txt', new Uint8Array([1]), { expectedEtag: '"0cc175b9c0f1b6a831c399e269772661"' });
    assert.deepEqual(puts, ['notes.txt']);
  });
});
