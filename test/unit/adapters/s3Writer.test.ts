import * as assert from 'node:assert/strict';
import { S3ObjectWriter } from '../../../src/adapters/s3/s3Writer';
import type { S3Client } from '../../../src/adapters/vendor/awsSdk';
import { loadAwsSdk } from '../../../src/adapters/vendor/loaders';
import { code } from '../../support/assertions';
import { storeRecord } from '../../support/memoryPorts';

/** The writer's conditional PUT against answers a real server gives only one of: radosgw, AWS, a server without conditional writes. */
describe('S3 writer, a PUT on the condition of a version', () => {
  const store = storeRecord({ endpoint_url: null, key_prefix: null });

  /** A client that answers each PUT from `answers` by its If-Match, and notes what it was asked. */
  async function writer(answer: (ifMatch: string | undefined) => Error | undefined) {
    const sdk = await loadAwsSdk();
    const asked: (string | undefined)[] = [];
    const s3 = {
      send: async (command: { input: { IfMatch?: string } }) => {
        asked.push(command.input.IfMatch);
        const error = answer(command.input.IfMatch);
        if (error) {
          throw error;
        }
        return { ETag: '"new"' };
      },
    } as unknown as S3Client;
    return { asked, writer: new S3ObjectWriter(store, async () => ({ sdk, s3 })) };
  }
  const serviceError = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

  it('asks unquoted when the quoted ETag is refused (radosgw), and believes a refusal of both', async () => {
    const radosgw = await writer((ifMatch) => (ifMatch === 'abc' ? undefined : serviceError('PreconditionFailed', 412)));
    assert.deepEqual(await radosgw.writer.putObject('k', new Uint8Array(1), { ifMatch: '"abc"' }), { etag: '"new"' });
    assert.deepEqual(radosgw.asked, ['"abc"', 'abc']);
    const changed = await writer(() => serviceError('PreconditionFailed', 412));
    await assert.rejects(changed.writer.putObject('k', new Uint8Array(1), { ifMatch: '"abc"' }), code('changed'));
    assert.deepEqual(changed.asked, ['"abc"', 'abc']);
  });

  it('takes a conflicting write (409) as a change, and sends no condition where none is asked', async () => {
    const conflict = await writer(() => serviceError('ConditionalRequestConflict', 409));
    await assert.rejects(conflict.writer.putObject('k', new Uint8Array(1), { ifMatch: 'abc' }), code('changed'));
    assert.deepEqual(conflict.asked, ['abc']);
    const plain = await writer(() => undefined);
    await plain.writer.putObject('k', new Uint8Array(1));
    assert.deepEqual(plain.asked, [undefined]);
  });

  it('writes without the condition on a server that has no conditional writes (501), and passes other errors on', async () => {
    const old = await writer((ifMatch) => (ifMatch === undefined ? undefined : serviceError('NotImplemented', 501)));
    assert.deepEqual(await old.writer.putObject('k', new Uint8Array(1), { ifMatch: '"abc"' }), { etag: '"new"' });
    assert.deepEqual(old.asked, ['"abc"', undefined]);
    const denied = await writer(() => serviceError('AccessDenied', 403));
    await assert.rejects(denied.writer.putObject('k', new Uint8Array(1), { ifMatch: '"abc"' }), code('forbidden'));
    assert.deepEqual(denied.asked, ['"abc"']);
  });
});
