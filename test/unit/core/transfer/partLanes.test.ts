import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { downloadObjects } from '../../../../src/core/transfer/download';
import { LaneTuner, forEachPartOnLanes } from '../../../../src/core/transfer/partLanes';
import type { DownloadContext } from '../../../../src/core/transfer';
import { engineScratch, memoryDownloadContext } from '../../../support/transfers';

/**
 * Drives a tuner as lanes would: each step, every running lane brings one
 * part of `partBytes` in `msPerPart(lanes)`; returns the lane counts it asked for.
 */
function drive(tuner: LaneTuner, msPerPart: (lanes: number) => number, steps: number, partBytes = 100): number[] {
  const seen: number[] = [];
  let now = 0;
  const clocked = new LaneTuner(tuner.lanes, () => now);
  for (let step = 0; step < steps && clocked.settled === undefined; step++) {
    const lanes = clocked.lanes;
    seen.push(lanes);
    now += msPerPart(lanes);
    for (let lane = 0; lane < lanes; lane++) {
      clocked.partDone(partBytes, lanes);
    }
  }
  seen.push(clocked.settled ?? -1);
  return seen;
}

describe('lanes of a large download', () => {
  it('halves the lanes while fewer are as fast, down to one, and settles there', () => {
    // One stream fills the link: a part takes as long as the lanes sharing it are many.
    const counts = drive(new LaneTuner(4), (lanes) => lanes * 10, 50);
    assert.equal(counts.at(-1), 1);
    assert.deepEqual([...new Set(counts.slice(0, -1))], [4, 2, 1]);
  });

  it('keeps the lanes where fewer are slower (a per-stream cap), going back after one try', () => {
    // Each stream is held back on its own: parts take as long whatever the lanes.
    const counts = drive(new LaneTuner(4), () => 10, 50);
    assert.equal(counts.at(-1), 4);
    assert.deepEqual([...new Set(counts.slice(0, -1))], [4, 2]);
  });

  it('goes back to the count it came from, not beyond the setting', () => {
    assert.equal(drive(new LaneTuner(3), () => 10, 50).at(-1), 3);
    assert.equal(drive(new LaneTuner(1), () => 10, 50).at(-1), 1);
  });

  it('asks one part a request while lanes share them, a few while one lane is tried, the rest once settled at one', () => {
    let now = 0;
    const tuner = new LaneTuner(2, () => now);
    const seen = [tuner.partsPerRequest];
    while (tuner.settled === undefined) {
      const lanes = tuner.lanes;
      now += lanes * 10;
      for (let lane = 0; lane < lanes; lane++) {
        tuner.partDone(100, lanes);
      }
      seen.push(tuner.partsPerRequest);
    }
    assert.deepEqual([...new Set(seen)], [1, 2, Infinity]);
    assert.equal(new LaneTuner(1).partsPerRequest, Infinity);
  });

  it('measures only while the lanes running are the lanes wanted', () => {
    let now = 0;
    const tuner = new LaneTuner(2, () => now);
    tuner.partDone(100, 2); // opens the window
    for (let part = 0; part < 10; part++) {
      now += 10;
      tuner.partDone(100, 3); // lanes still leaving: not measured, and the window starts again
    }
    assert.equal(tuner.lanes, 2);
    assert.equal(tuner.settled, undefined);
  });

  it('runs every part, never more lanes than wanted, and lets the extra lanes go when it wants fewer', async () => {
    let now = 0;
    const tuner = new LaneTuner(4, () => now);
    const parts = Array.from({ length: 40 }, (_, index) => index);
    const done: number[] = [];
    let running = 0;
    let most = 0;
    const mostAfterSettling: number[] = [];
    await forEachPartOnLanes(
      () => parts.shift(),
      () => 100,
      tuner,
      new AbortController().signal,
      async (part) => {
        running++;
        most = Math.max(most, running);
        if (tuner.settled !== undefined) {
          mostAfterSettling.push(running);
        }
        await new Promise((resolve) => setImmediate(resolve));
        // As if one stream filled the link: the more lanes, the longer each part.
        now += running * 10;
        running--;
        done.push(part);
      },
    );
    assert.deepEqual(
      done.sort((a, b) => a - b),
      Array.from({ length: 40 }, (_, index) => index),
    );
    assert.equal(most, 4);
    assert.equal(tuner.settled, 1);
    assert.ok(mostAfterSettling.length > 0 && mostAfterSettling.every((lanes) => lanes === 1), mostAfterSettling.join());
  });

  it('ends only once every lane has brought its parts, lanes added back while others ran included', async () => {
    // Parts of uneven lengths, on a clock that moves unevenly: lanes are let go and added back in every order.
    for (let trial = 0; trial < 30; trial++) {
      let now = 0;
      const tuner = new LaneTuner(4, () => now);
      const parts = Array.from({ length: 21 }, (_, index) => index);
      let underWay = 0;
      const done: number[] = [];
      await forEachPartOnLanes(
        () => parts.shift(),
        () => 100,
        tuner,
        new AbortController().signal,
        async (part) => {
          underWay++;
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
          now += Math.random() * 10;
          underWay--;
          done.push(part);
        },
      );
      assert.equal(underWay, 0, `trial ${trial}: parts still under way`);
      assert.equal(done.length, 21, `trial ${trial}`);
    }
  });

  it('stops taking parts at the first failure and throws it once the parts under way have ended', async () => {
    const parts = Array.from({ length: 20 }, (_, index) => index);
    const started: number[] = [];
    let underWay = 0;
    await assert.rejects(
      forEachPartOnLanes(
        () => parts.shift(),
        () => 1,
        new LaneTuner(3),
        new AbortController().signal,
        async (part) => {
          started.push(part);
          underWay++;
          await new Promise((resolve) => setTimeout(resolve, part === 1 ? 1 : 5));
          underWay--;
          if (part === 1) {
            throw new Error('part 1 failed');
          }
        },
      ),
      /part 1 failed/,
    );
    assert.equal(underWay, 0, 'nothing runs on after the failure is thrown');
    assert.deepEqual(started, [0, 1, 2]);
  });
});

describe('the requests of a download by key', () => {
  const scratch = engineScratch('logqs-lanes-');

  /** Downloads `bytes` in parts of 1 MiB on `partConcurrency` lanes: the ranges asked for, and the file written. */
  async function download(partConcurrency: number, bytes: Buffer): Promise<{ asked: string[]; written: Buffer }> {
    const context = memoryDownloadContext({ 'big.bin': bytes }, scratch.files);
    const asked: string[] = [];
    const counting: DownloadContext = {
      ...context,
      settings: { ...context.settings, partSizeBytes: 1024 * 1024, partConcurrency },
      http: {
        get: ((url: string, range: { start: number; end: number }, signal: AbortSignal) => {
          asked.push(`${range.start}-${range.end}`);
          return context.http.get(url, range, signal);
        }) as DownloadContext['http']['get'],
      },
    };
    const request = { keys: ['big.bin'], prefixes: [], targetDir: scratch.dir, signal: new AbortController().signal, onProgress: () => undefined, onConflict: async () => 'overwrite' as const };
    const report = await downloadObjects(counting, request);
    return { asked, written: await fs.readFile(report.files[0].path) };
  }

  it('tells the reader to get ready for GETs into files before the sizes of keys asked for are fetched, not for a folder', async () => {
    const context = memoryDownloadContext({ 'big.bin': Buffer.alloc(10), 'f/a.bin': Buffer.alloc(10) }, scratch.files);
    const said: string[] = [];
    const watched: DownloadContext = {
      ...context,
      fetch: (key, signal, listed) => (said.push('fetch'), context.fetch(key, signal, listed)),
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
    assert.ok(!said.includes('prepare'), said.join());
  });

  it('asks for the rest as one range: one request, not one a part', async () => {
    const bytes = Buffer.alloc(5 * 1024 * 1024 + 7, 3);
    bytes.write('end', bytes.length - 3);
    const { asked, written } = await download(1, bytes);
    assert.deepEqual(asked, [`0-${bytes.length - 1}`]);
    assert.ok(written.equals(bytes));
  });

  it('asks part by part while several lanes share the parts', async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024, 5);
    bytes.write('end', bytes.length - 3);
    const { asked, written } = await download(2, bytes);
    assert.deepEqual(asked.sort(), ['0-1048575', '1048576-2097151', '2097152-3145727']);
    assert.ok(written.equals(bytes));
  });
});
