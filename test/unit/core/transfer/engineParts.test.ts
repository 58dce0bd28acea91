import * as assert from 'node:assert/strict';
import { LogqsError } from '../../../../src/core/errors';
import { defaultMaxListeners, getMaxListeners } from 'node:events';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { forEachConcurrently } from '../../../../src/core/transfer/concurrency';
import { firstFreeName } from '../../../../src/core/transfer/conflicts';
import { planRanges } from '../../../../src/core/transfer/download';
import { plainMd5 } from '../../../../src/core/transfer/etags';
import { PositionalWriter, WriteQueue } from '../../../../src/core/transfer/positionalWriter';
import { ProgressMeter } from '../../../../src/core/transfer/progress';
import { backoffMs, DEFAULT_RETRY, isRetryable } from '../../../../src/core/transfer/retry';
import type { TransferProgress } from '../../../../src/core/transfer';
import { code } from '../../../support/assertions';

describe('transfer engine parts', () => {
  it('plans ranges of the part size, the last one shorter, none for an empty object', () => {
    assert.deepEqual(planRanges(10, 4), [{ start: 0, end: 3 }, { start: 4, end: 7 }, { start: 8, end: 9 }]);
    assert.deepEqual(planRanges(8, 4), [{ start: 0, end: 3 }, { start: 4, end: 7 }]);
    assert.deepEqual(planRanges(1, 4), [{ start: 0, end: 0 }]);
    assert.deepEqual(planRanges(0, 4), []);
  });

  it('knows an ETag that is an MD5 from a multipart one', () => {
    assert.equal(plainMd5('"5D41402ABC4B2A76B9719D911017C592"'), '5d41402abc4b2a76b9719d911017c592');
    assert.equal(plainMd5('W/"5d41402abc4b2a76b9719d911017c592"'), '5d41402abc4b2a76b9719d911017c592');
    assert.equal(plainMd5('"5d41402abc4b2a76b9719d911017c592-3"'), undefined);
    assert.equal(plainMd5(undefined), undefined);
  });

  it('retries network failures, 5xx (SlowDown) and 429, and nothing else', () => {
    assert.equal(isRetryable(new LogqsError('unreachable', 'reset')), true);
    assert.equal(isRetryable(new LogqsError('remote', 'SlowDown', { status: 503 })), true);
    assert.equal(isRetryable(new LogqsError('remote', 'too many', { status: 429 })), true);
    assert.equal(isRetryable(new LogqsError('forbidden', 'no', { status: 403 })), false);
    assert.equal(isRetryable(new LogqsError('not-found', 'gone', { status: 404 })), false);
    assert.equal(isRetryable(new Error('plain')), false);
  });

  it('backs off exponentially with jitter, within the cap', () => {
    assert.equal(backoffMs(3, DEFAULT_RETRY, () => 0.5), DEFAULT_RETRY.baseDelayMs * 4);
    assert.equal(backoffMs(30, DEFAULT_RETRY, () => 0.999999), DEFAULT_RETRY.maxDelayMs - 1);
    assert.equal(backoffMs(2, DEFAULT_RETRY, () => 0), 0);
  });

  it('reports progress at most once per interval, the last counts always, and the rate over recent seconds', () => {
    let now = 0;
    const seen: TransferProgress[] = [];
    const meter = new ProgressMeter((update) => seen.push(update), { intervalMs: 250, now: () => now });
    meter.addTotal(2, 3000);
    for (let step = 0; step < 30; step++) {
      now += 10;
      meter.addBytes(100);
    }
    assert.equal(seen.length, 2, 'a burst within 300 ms is reported twice, not thirty times');
    now += 1000;
    meter.fileDone();
    meter.finish();
    const last = seen.at(-1)!;
    assert.deepEqual({ ...last, bytesPerSecond: undefined }, { filesDone: 1, filesTotal: 2, bytesDone: 3000, bytesTotal: 3000, bytesPerSecond: undefined });
    assert.ok(last.bytesPerSecond! > 0);
  });

  it('hides totals while a folder is still being listed', () => {
    const seen: TransferProgress[] = [];
    const meter = new ProgressMeter((update) => seen.push(update));
    meter.setTotalsKnown(false);
    meter.addTotal(5, 500);
    meter.finish();
    meter.setTotalsKnown(true);
    meter.finish();
    assert.equal(seen[0].filesTotal, undefined);
    assert.equal(seen[1].filesTotal, 5);
  });

  it('runs at most `limit` workers, pulls items only as lanes free up, and stops at the first failure', async () => {
    let running = 0;
    let most = 0;
    let pulled = 0;
    async function* items() {
      for (let index = 0; index < 20; index++) {
        pulled++;
        yield index;
      }
    }
    await forEachConcurrently(items(), 3, new AbortController().signal, async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 2));
      running--;
    });
    assert.equal(most, 3);
    assert.equal(pulled, 20);

    const done: number[] = [];
    await assert.rejects(
      forEachConcurrently([1, 2, 3, 4, 5, 6, 7, 8], 2, new AbortController().signal, async (item) => {
        if (item === 3) {
          throw new Error('third fails');
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
        done.push(item);
      }),
      /third fails/,
    );
    assert.ok(!done.includes(8), `items after the failure ran: ${done.join(',')}`);
  });

  it('lets every lane, and lanes of parts inside lanes of files, listen on the signal it is given without a leak warning', async () => {
    const signal = new AbortController().signal;
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const listenAWhile = async (_: number, partSignal: AbortSignal) => {
        const listeners = Array.from({ length: 3 }, () => () => undefined);
        listeners.forEach((listener) => partSignal.addEventListener('abort', listener));
        await new Promise((resolve) => setTimeout(resolve, 2));
        listeners.forEach((listener) => partSignal.removeEventListener('abort', listener));
      };
      await forEachConcurrently(Array.from({ length: 32 }, (_, index) => index), 16, signal, async (_, fileSignal) => {
        await forEachConcurrently([1, 2, 3, 4, 5, 6, 7, 8], 4, fileSignal, listenAWhile);
      });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings, []);
    assert.equal(getMaxListeners(signal), defaultMaxListeners, 'the job\'s own signal is given no allowance');
  });

  it('stops the items in flight at the first failure, and throws that failure, not their cancels', async () => {
    const stopped: number[] = [];
    const failure = new Error('the first failure');
    const running = forEachConcurrently([0, 1, 2, 3], 4, new AbortController().signal, (item, signal) =>
      item === 2
        ? new Promise((_resolve, reject) => setTimeout(() => reject(failure), 10))
        : new Promise((_resolve, reject) => signal.addEventListener('abort', () => (stopped.push(item), reject(new Error(`cancelled ${item}`))), { once: true })),
    );
    await assert.rejects(running, (error: unknown) => error === failure);
    assert.deepEqual(stopped.sort(), [0, 1, 3]);
  });

  it('names a copy "name (n).ext", for keys and paths alike', async () => {
    const taken = new Set(['a/b (1).txt']);
    assert.equal(await firstFreeName('a/b.txt', (candidate) => !taken.has(candidate)), 'a/b (2).txt');
    assert.equal(await firstFreeName('dir.d/noext', () => true), 'dir.d/noext (1)');
    assert.equal(await firstFreeName('C:\\x.y\\file.tar', () => true), 'C:\\x.y\\file (1).tar');
    // A name near the file system's limit is shortened before its number (whole characters only), not made too long to create.
    const long = `${'é'.repeat(123)}xyz.bag`; // 253 bytes: " (1)" would make it 257
    const copy = await firstFreeName(`/d/${long}`, () => true, { maxNameBytes: 255 });
    assert.equal(copy, `/d/${'é'.repeat(123)}x (1).bag`);
    assert.equal(Buffer.byteLength(copy.slice('/d/'.length)), 255);
    assert.equal(await firstFreeName(`/d/${'é'.repeat(126)}.bag`, () => true, { maxNameBytes: 255 }), `/d/${'é'.repeat(123)} (1).bag`, 'a two-byte character is dropped whole');
    // Counted as NTFS counts (UTF-16 units), 200 Japanese characters and " (1).pdf" fit whole; in bytes they would not.
    const japanese = `C:\\d\\${'\u65e5'.repeat(200)}.pdf`;
    assert.equal(await firstFreeName(japanese, () => true, { maxNameBytes: 255, length: (text) => text.length }), `C:\\d\\${'\u65e5'.repeat(200)} (1).pdf`);
    assert.equal(await firstFreeName(japanese, () => true, { maxNameBytes: 255 }), `C:\\d\\${'\u65e5'.repeat(82)} (1).pdf`);
  });

  it('writes into one file one write at a time, in order, and says when the last has ended', async () => {
    const queue = new WriteQueue();
    const events: string[] = [];
    const finish: (() => void)[] = [];
    for (const name of ['a', 'b', 'c']) {
      queue.run((done) => {
        events.push(`start ${name}`);
        finish.push(() => {
          events.push(`end ${name}`);
          done();
        });
      });
    }
    let idle = false;
    void queue.idle().then(() => (idle = true));
    for (let step = 0; step < 3; step++) {
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(finish.length, step + 1, 'the next write waits for the one before');
      assert.equal(idle, false);
      finish[step]();
    }
    await queue.idle();
    assert.equal(idle, true);
    assert.deepEqual(events, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('says a write the file refuses (a full disk) as the file system’s refusal, which no retry mends', async () => {
    const full = await fs.open('/dev/full', 'w');
    try {
      const out = new PositionalWriter(full.fd, 0, new WriteQueue());
      await assert.rejects(out.writeChunk(Buffer.alloc(1000)), (error: unknown) => code('storage')(error) && /ENOSPC/.test((error as Error).message));
    } finally {
      await full.close();
    }
  });

  it('puts the ranges of one file, written through one queue, at their offsets', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'logqs-queue-'));
    const file = await fs.open(path.join(dir, 'file.bin'), 'w+');
    try {
      const queue = new WriteQueue();
      const ranges = [Buffer.alloc(70_000, 1), Buffer.alloc(70_000, 2), Buffer.alloc(70_000, 3)];
      await Promise.all(
        ranges.map(async (bytes, index) => {
          const out = new PositionalWriter(file.fd, index * bytes.length, queue);
          for (let offset = 0; offset < bytes.length; offset += 16_384) {
            out.write(bytes.subarray(offset, offset + 16_384));
          }
          await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
          assert.equal(out.bytesWritten, bytes.length);
        }),
      );
      await queue.idle();
      assert.deepEqual(await fs.readFile(path.join(dir, 'file.bin')), Buffer.concat(ranges));
    } finally {
      await file.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
