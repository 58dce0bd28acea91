import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { downloadObjects } from '../../../../src/core/transfer/download';
import type { CommitResult, DownloadContext, ExpectedObject } from '../../../../src/core/transfer';
import { code } from '../../../support/assertions';
import { engineScratch, memoryDownloadContext } from '../../../support/transfers';

describe('the requests of a download by key', () => {
  const scratch = engineScratch('logqs-requests-');

  /**
   * Downloads `bytes` in parts of 1 MiB on `partConcurrency` lanes (`loopbackPartConcurrency` from a server on
   * this machine), its URL under `origin`: the ranges asked for, and the file written.
   */
  async function download(partConcurrency: number, bytes: Buffer, options: { origin?: string; loopbackPartConcurrency?: number } = {}): Promise<{ asked: string[]; written: Buffer }> {
    const context = memoryDownloadContext({ 'big.bin': bytes }, scratch.files);
    const origin = options.origin ?? 'mem:';
    const asked: string[] = [];
    const counting: DownloadContext = {
      ...context,
      settings: { ...context.settings, partSizeBytes: 1024 * 1024, partConcurrency, loopbackPartConcurrency: options.loopbackPartConcurrency ?? partConcurrency },
      fetch: async (key, signal, listed) => ({ ...(await context.fetch(key, signal, listed)), presignedUrl: `${origin}${key}` }),
      http: {
        get: ((url: string, range: { start: number; end: number }, signal: AbortSignal) => {
          asked.push(`${range.start}-${range.end}`);
          return context.http.get(`mem:${url.slice(origin.length)}`, range, signal);
        }) as DownloadContext['http']['get'],
      },
    };
    const request = { keys: ['big.bin'], prefixes: [], targetDir: scratch.dir, signal: new AbortController().signal, onProgress: () => undefined, onConflict: async () => 'overwrite' as const };
    const report = await downloadObjects(counting, request);
    return { asked, written: await fs.readFile(report.files[0].path) };
  }

  it('tells the reader to get ready for GETs into files before the sizes of keys are fetched, or a folder listed, and the file threads too for a folder', async () => {
    const context = memoryDownloadContext({ 'big.bin': Buffer.alloc(10), 'f/a.bin': Buffer.alloc(10) }, scratch.files);
    const said: string[] = [];
    const watched: DownloadContext = {
      ...context,
      fetch: (key, signal, listed) => (said.push('fetch'), context.fetch(key, signal, listed)),
      list: (prefix, token, signal) => (said.push('list'), context.list(prefix, token, signal)),
      files: { ...context.files, prepare: () => void said.push('files') },
      http: {
        get: ((url: string, range: { start: number; end: number }, signal: AbortSignal) => context.http.get(url, range, signal)) as DownloadContext['http']['get'],
        prepareForFiles: () => void said.push('prepare'),
      },
    };
    const request = (keys: string[], prefixes: string[]) => ({ keys, prefixes, targetDir: scratch.dir, signal: new AbortController().signal, onProgress: () => undefined, onConflict: async () => 'overwrite' as const });
    await downloadObjects(watched, request(['big.bin'], []));
    assert.deepEqual(said, ['prepare', 'fetch']);
    said.length = 0;
    await downloadObjects(watched, request([], ['f/']));
    assert.deepEqual(said.slice(0, 3), ['prepare', 'files', 'list']);
  });

  it('lists a folder\'s next page while the files of the page before download, not once they have all started', async () => {
    const objects = Object.fromEntries(Array.from({ length: 12 }, (_, index) => [`f/${String(index).padStart(2, '0')}.bin`, Buffer.from(`file ${index}`)]));
    const context = memoryDownloadContext(objects, scratch.files);
    const keys = Object.keys(objects).sort();
    const pageSize = 6;
    /** How many GETs had been made when each page was asked for. */
    const getsAtListing: number[] = [];
    let gets = 0;
    const paged: DownloadContext = {
      ...context,
      settings: { ...context.settings, fileConcurrency: 2 },
      list: async (prefix, token) => {
        getsAtListing.push(gets);
        const start = token === undefined ? 0 : Number(token);
        const page = await context.list(prefix, undefined, new AbortController().signal);
        const next = start + pageSize < keys.length ? String(start + pageSize) : undefined;
        return { folders: [], objects: page.objects.filter((object) => keys.indexOf(object.key) >= start && keys.indexOf(object.key) < start + pageSize), nextContinuationToken: next };
      },
      http: { get: ((url: string, range: { start: number; end: number }, signal: AbortSignal) => (gets++, context.http.get(url, range, signal))) as DownloadContext['http']['get'] },
    };
    const request = { keys: [], prefixes: ['f/'], targetDir: scratch.dir, signal: new AbortController().signal, onProgress: () => undefined, onConflict: async () => 'overwrite' as const };
    const report = await downloadObjects(paged, request);
    assert.equal(report.files.length, keys.length);
    assert.equal(getsAtListing.length, 2);
    // Listed only once its 6 files had all started, the second page would find at least 5 GETs made (2 at once).
    assert.ok(getsAtListing[1] < 2, `the second page was asked for after ${getsAtListing[1]} GETs`);
  });

  it('asks for a large object in one range on one lane: one request, not one a part', async () => {
    const bytes = Buffer.alloc(5 * 1024 * 1024 + 7, 3);
    bytes.write('end', bytes.length - 3);
    const { asked, written } = await download(1, bytes);
    assert.deepEqual(asked, [`0-${bytes.length - 1}`]);
    assert.ok(written.equals(bytes));
  });

  it('asks part by part when several lanes share the parts', async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024, 5);
    bytes.write('end', bytes.length - 3);
    const { asked, written } = await download(2, bytes);
    assert.deepEqual(asked.sort(), ['0-1048575', '1048576-2097151', '2097152-3145727']);
    assert.ok(written.equals(bytes));
  });

  it('asks a server on this machine for a large object with loopbackPartConcurrency lanes, any other with partConcurrency', async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024, 6);
    bytes.write('end', bytes.length - 3);
    const parts = ['0-1048575', '1048576-2097151', '2097152-3145727'];
    const local = await download(4, bytes, { origin: 'http://127.0.0.1:7480/bucket/', loopbackPartConcurrency: 1 });
    assert.deepEqual(local.asked, [`0-${bytes.length - 1}`]);
    assert.ok(local.written.equals(bytes));
    const localLanes = await download(1, bytes, { origin: 'http://localhost:9000/bucket/', loopbackPartConcurrency: 2 });
    assert.deepEqual(localLanes.asked.sort(), parts);
    const remote = await download(4, bytes, { origin: 'https://s3.us-east-1.amazonaws.com/bucket/', loopbackPartConcurrency: 1 });
    assert.deepEqual(remote.asked.sort(), parts);
    assert.ok(remote.written.equals(bytes));
  });

  it('closes an answer it turns down after the head (another version of the object) instead of leaving it unread', async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024, 7);
    const context = memoryDownloadContext({ 'big.bin': bytes }, scratch.files);
    let discarded = 0;
    const replaced: DownloadContext = {
      ...context,
      settings: { ...context.settings, partSizeBytes: 1024 * 1024 },
      http: {
        get: (async () => ({ status: 206, etag: '"another-version"', totalSize: bytes.length, start: 0, body: Readable.from([]), discard: () => void discarded++ })) as DownloadContext['http']['get'],
      },
    };
    const request = { keys: ['big.bin'], prefixes: [], targetDir: scratch.dir, signal: new AbortController().signal, onProgress: () => undefined, onConflict: async () => 'overwrite' as const };
    await assert.rejects(downloadObjects(replaced, request), (error: unknown) => code('changed')(error));
    assert.ok(discarded >= 1, 'the answer was closed');
  });

  describe('of small objects a reader can put in place itself', () => {
    const objects = { 'f/a.bin': Buffer.from('alpha'), 'f/b.bin': Buffer.from('bravo'), 'f/c.bin': Buffer.from('charlie') };
    /** The memory store, its reader given fetchIntoPlace: `answer` says what it does for a key (writing the file itself for 'written'). */
    function placing(answer: (key: string) => CommitResult | undefined) {
      const context = memoryDownloadContext(objects, scratch.files);
      const gets: string[] = [];
      const placed: { key: string; expected: ExpectedObject; target: string; replace: boolean }[] = [];
      const watched: DownloadContext = {
        ...context,
        http: {
          get: ((url: string, range: { start: number; end: number }, signal: AbortSignal) => (gets.push(url.slice('mem:'.length)), context.http.get(url, range, signal))) as DownloadContext['http']['get'],
          fetchIntoPlace: async (url, expected, place) => {
            const key = url.slice('mem:'.length);
            placed.push({ key, expected, target: path.relative(scratch.dir, place.target), replace: place.replace });
            const result = answer(key);
            if (result === 'written') {
              await fs.writeFile(place.target, objects[key as keyof typeof objects]);
            }
            return result;
          },
        },
      };
      return { context: watched, gets, placed };
    }
    const request = (onConflict: () => Promise<'overwrite' | 'keepBoth' | 'skip'> = async () => 'overwrite') => ({ keys: [], prefixes: ['f/'], targetDir: scratch.dir, signal: new AbortController().signal, onProgress: () => undefined, onConflict });
    const md5Of = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

    it('lets the reader put each in place, and fetches the ordinary way only those it declines or found damaged', async () => {
      const { context, gets, placed } = placing((key) => ({ 'f/a.bin': 'written' as const, 'f/b.bin': undefined, 'f/c.bin': 'damaged' as const })[key]);
      const report = await downloadObjects(context, request());
      assert.deepEqual(gets.sort(), ['f/b.bin', 'f/c.bin']);
      assert.deepEqual(
        placed.map(({ key, expected }) => ({ key, expected })).sort((x, y) => x.key.localeCompare(y.key)),
        Object.entries(objects).map(([key, bytes]) => ({ key, expected: { size: bytes.length, etag: `"${md5Of(bytes)}"`, md5: md5Of(bytes) } })),
      );
      for (const [key, bytes] of Object.entries(objects)) {
        assert.ok((await fs.readFile(path.join(scratch.dir, key))).equals(bytes), key);
      }
      assert.equal(report.files.length, 3);
      assert.equal(report.bytes, 17);
    });

    it('asks nothing about a file the reader found at the target as the job was cancelled, and says cancelled', async () => {
      await fs.mkdir(path.join(scratch.dir, 'f'));
      await fs.writeFile(path.join(scratch.dir, 'f', 'a.bin'), 'mine');
      const cancel = new AbortController();
      // The Cancel comes as the reader answers that a file is there.
      const { context } = placing((key) => (key === 'f/a.bin' ? (cancel.abort(), 'exists') : 'written'));
      let asked = 0;
      await assert.rejects(downloadObjects(context, { ...request(async () => (asked++, 'overwrite')), signal: cancel.signal }), code('cancelled'));
      assert.equal(asked, 0);
      assert.equal(await fs.readFile(path.join(scratch.dir, 'f', 'a.bin'), 'utf8'), 'mine');
    });

    it('asks about a file the reader found at the target, then has the reader put it where the answer says', async () => {
      await fs.mkdir(path.join(scratch.dir, 'f'));
      await fs.writeFile(path.join(scratch.dir, 'f', 'a.bin'), 'mine');
      const { context, gets, placed } = placing((key) => (key === 'f/a.bin' && placed.filter((entry) => entry.key === key).length === 1 ? 'exists' : 'written'));
      let asked = 0;
      await downloadObjects(context, request(async () => (asked++, 'keepBoth')));
      assert.equal(asked, 1);
      assert.deepEqual(gets, []);
      assert.deepEqual(
        placed.filter((entry) => entry.key === 'f/a.bin').map(({ target, replace }) => ({ target, replace })),
        [
          { target: path.join('f', 'a.bin'), replace: false },
          { target: path.join('f', 'a (1).bin'), replace: false },
        ],
      );
      assert.equal(await fs.readFile(path.join(scratch.dir, 'f', 'a.bin'), 'utf8'), 'mine');
      assert.equal(await fs.readFile(path.join(scratch.dir, 'f', 'a (1).bin'), 'utf8'), 'alpha');
    });
  });
});
