import * as assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { LogqsError } from '../../../src/core/errors';
import { browsePage, pagesAhead } from '../../../src/core/objectBrowser';
import { ObjectService } from '../../../src/core/objectService';
import type { ListPage, ListPageRequest, ObjectGateway } from '../../../src/core/ports';
import { memorySource, noFiles, validInput } from '../../support/memoryPorts';

/**
 * A server that answers every listing with the same continuation token, as
 * one that ignores the token does. It gives up after 20 pages, so a loop
 * that never stops fails the test instead of hanging it.
 */
function repeatingServer() {
  const requests: ListPageRequest[] = [];
  const gateway: ObjectGateway = {
    listPage: async (request) => {
      requests.push(request);
      if (requests.length > 20) {
        throw new Error('listed 20 pages of the same listing: the loop did not stop');
      }
      return { folders: [], objects: [], nextContinuationToken: 'same-token' };
    },
    fetchObject: () => Promise.reject(new LogqsError('bug', 'no object is fetched here')),
  };
  return { gateway, requests };
}

const refusal = (error: unknown) => LogqsError.is(error, 'remote') && /continuation token it was asked with/.test(error.message);

describe('listings that would never end', () => {
  async function setup() {
    const server = repeatingServer();
    const { source } = memorySource({ gateways: () => server.gateway });
    const store = await source.create(validInput({ key_prefix: 'logs/' }));
    const service = new ObjectService({
      writers: () => undefined as never,
      http: { get: (() => Promise.reject(new LogqsError('bug', 'no GET is made here'))) as never },
      files: noFiles,
      settings: () => ({ partSizeBytes: 1024, partConcurrency: 1, loopbackPartConcurrency: 1, fileConcurrency: 2, presignExpirySeconds: 3600 }),
      log: () => undefined,
    });
    return { ...server, source, store, service };
  }

  it('browsing: a page asked with a token and answered with it is refused, saying why', async () => {
    const { source, store, requests } = await setup();
    const first = await browsePage(source, store.id, { pageSize: 10 });
    assert.equal(first.nextContinuationToken, 'same-token', 'the first page is as the server sent it');
    await assert.rejects(browsePage(source, store.id, { pageSize: 10, continuationToken: first.nextContinuationToken }), refusal);
    assert.equal(requests.length, 2);
  });

  it('counting (and deleting) a folder stops at the repeated token instead of listing forever', async () => {
    const { source, store, service, requests } = await setup();
    await assert.rejects(service.countUnder(source, store.id, { prefix: 'logs/run-1/' }), refusal);
    assert.deepEqual(
      requests.map((request) => request.continuationToken),
      [undefined, 'same-token'],
    );
    assert.equal(requests[0].prefix, 'logs/run-1/');
  });

  it('downloading a folder stops at the repeated token, and leaves no file', async () => {
    const { source, store, service, requests } = await setup();
    const target = await mkdtemp(path.join(tmpdir(), 'logqs-listing-'));
    try {
      await assert.rejects(
        service.download(source, store.id, { keys: [], prefixes: ['logs/run-1/'] }, target, {
          signal: new AbortController().signal,
          onProgress: () => undefined,
          onConflict: async () => 'skip',
        }),
        (error: unknown) => refusal(error) || (error instanceof Error && refusal((error as { cause?: unknown }).cause)),
      );
      assert.equal(requests.length, 2);
      assert.deepEqual(await readdir(target), []);
    } finally {
      await rm(target, { recursive: true, force: true });
    }
  });
});

describe('pagesAhead: a listing read one page ahead', () => {
  /** A listing of `pages` pages (tokens "t1", "t2", …), recording each token asked for; `failAt` fails that page. */
  function pagedListing(pages: number, failAt?: number) {
    const asked: (string | undefined)[] = [];
    const list = async (token: string | undefined): Promise<ListPage> => {
      asked.push(token);
      const index = token === undefined ? 0 : Number(token.slice(1));
      if (index === failAt) {
        throw new LogqsError('unreachable', `page ${index} could not be listed`);
      }
      return { folders: [], objects: [{ key: `k${index}`, size: 1 }], nextContinuationToken: index + 1 < pages ? `t${index + 1}` : undefined };
    };
    return { list, asked };
  }
  const keysOf = (result: IteratorResult<ListPage>) => (result.done ? [] : result.value.objects.map((object) => object.key));

  it('asks for the next page as a page is handed out, never more than one ahead, and stops after the last', async () => {
    const { list, asked } = pagedListing(3);
    const pages = pagesAhead(list);
    const first = await pages.next();
    assert.deepEqual(keysOf(first), ['k0']);
    assert.deepEqual(asked, [undefined, 't1'], 'the second page is on its way while the first is worked on');
    const second = await pages.next();
    assert.deepEqual(keysOf(second), ['k1']);
    assert.deepEqual(asked, [undefined, 't1', 't2']);
    assert.deepEqual(keysOf(await pages.next()), ['k2']);
    assert.equal((await pages.next()).done, true);
    assert.deepEqual(asked, [undefined, 't1', 't2'], 'nothing asked past the last page');
  });

  it('throws a page\'s failure when that page is reached, and leaves none unhandled when the work stops before it', async () => {
    const failing = pagedListing(3, 1);
    const pages = pagesAhead(failing.list);
    await pages.next();
    await assert.rejects(pages.next(), (error: unknown) => LogqsError.is(error, 'unreachable') && /page 1/.test(error.message));

    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const stopped = pagedListing(3, 1);
      for await (const page of pagesAhead(stopped.list)) {
        assert.equal(page.objects[0].key, 'k0');
        break; // the work failed on the first page: the second page's failure is no one's
      }
      assert.deepEqual(stopped.asked, [undefined, 't1']);
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('stops the page asked ahead when the work stops before it, or is cancelled', async () => {
    const signals: AbortSignal[] = [];
    const list = (token: string | undefined, signal: AbortSignal) => {
      signals.push(signal);
      return token === undefined ? Promise.resolve<ListPage>({ folders: [], objects: [], nextContinuationToken: 't1' }) : new Promise<ListPage>(() => undefined);
    };
    for await (const page of pagesAhead(list)) {
      assert.equal(page.nextContinuationToken, 't1');
      break; // the work failed on the first page
    }
    assert.equal(signals.length, 2);
    assert.ok(signals[1].aborted, 'the second page, asked ahead, is stopped');

    signals.length = 0;
    const cancel = new AbortController();
    const pages = pagesAhead(list, cancel.signal);
    await pages.next();
    assert.equal(signals[1].aborted, false, 'asked ahead while the first page is worked on');
    cancel.abort();
    assert.ok(signals[1].aborted, 'a cancel stops it at once');
    await pages.return(undefined);
    assert.equal(getEventListeners(cancel.signal, 'abort').length, 0, 'nothing left listening on the caller\'s signal');

    const whole = new AbortController();
    for await (const page of pagesAhead(async () => ({ folders: [], objects: [] }), whole.signal)) {
      assert.deepEqual(page.objects, []);
    }
    assert.equal(getEventListeners(whole.signal, 'abort').length, 0, 'nor after a listing read to its end');
  });
});
