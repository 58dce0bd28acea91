import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SMALL_OBJECT_BYTES, downloadObjects } from '../../../../src/core/transfer/download';
import type { ConflictChoice } from '../../../../src/core/transfer';
import { createWholeFileThreads } from '../../../../src/adapters/files/wholeFileThreads';
import { engineScratch, memoryDownloadContext } from '../../../support/transfers';

/** Where a download puts its files: keys that meet on one local name, names a key may hold, links in the folder. */
describe('download placement', () => {
  const scratch = engineScratch('logqs-places-');
  const { files } = scratch;

  const context = (objects: Record<string, Buffer>) => memoryDownloadContext(objects, files, { delayMs: 20 });

  const request = (keys: string[], prefixes: string[], choice: ConflictChoice = 'overwrite', asked: string[] = []) => ({
    keys,
    prefixes,
    targetDir: scratch.dir,
    signal: new AbortController().signal,
    onProgress: () => undefined,
    onConflict: async (existing: string) => {
      asked.push(existing);
      return choice;
    },
  });

  for (const [route, size] of [['small', 10], ['large', SMALL_OBJECT_BYTES + 10]] as const) {
    it(`never lets two keys of one job land on one file, nor asks about a file the job wrote itself (${route})`, async () => {
      const objects = { 'a/x.bin': Buffer.alloc(size, 'a'), 'b/x.bin': Buffer.alloc(size, 'b') };
      const asked: string[] = [];
      const report = await downloadObjects(context(objects), request(['a/x.bin', 'b/x.bin'], [], 'overwrite', asked));
      assert.deepEqual(asked, [], 'no question about a file this job wrote');
      assert.equal(report.files.length, 1, JSON.stringify(report));
      assert.equal(report.skipped.length, 1);
      // Said as what it is: two keys of one name, not a disk that folds case.
      assert.match(report.skipped[0].reason, /another key of this download has the same name/);
      const written = await fs.readFile(path.join(scratch.dir, 'x.bin'));
      assert.deepEqual(written, objects[report.files[0].key as keyof typeof objects]);
    });

    it(`never replaces a file another key of the job wrote where the disk takes two names for one (a case-folding mount on Linux) (${route})`, async () => {
      // Two spellings of one folder, as a disk that folds case has them (WSL's /mnt/c, exFAT): here, a link.
      await fs.mkdir(path.join(scratch.dir, 'camera'));
      await fs.symlink('camera', path.join(scratch.dir, 'Camera'));
      const objects = { 'Camera/front.bin': Buffer.alloc(size, 'A'), 'camera/front.bin': Buffer.alloc(size, 'a') };
      const ctx = context(objects);
      ctx.settings = { ...ctx.settings, fileConcurrency: 1 };
      const asked: string[] = [];
      const report = await downloadObjects(ctx, request([], ['Camera/', 'camera/'], 'overwrite', asked));
      assert.deepEqual(asked, [], 'the file written by this job is not asked about as one that was there');
      assert.deepEqual(report.skipped.map((entry) => entry.key), ['camera/front.bin']);
      assert.match(report.skipped[0].reason, /another key of this download lands on the same file/);
      assert.deepEqual(await fs.readFile(path.join(scratch.dir, 'camera', 'front.bin')), objects['Camera/front.bin']);
    });

    it(`knows a file placed after the job first met an existing one, on a case-folding disk too (${route})`, async () => {
      await fs.mkdir(path.join(scratch.dir, 'camera'));
      await fs.symlink('camera', path.join(scratch.dir, 'Camera'));
      // There before: asked about (and overwritten) before Camera/front.bin is placed.
      await fs.writeFile(path.join(scratch.dir, 'camera', 'a.bin'), 'old');
      const objects = { 'Camera/a.bin': Buffer.alloc(size, 'x'), 'Camera/front.bin': Buffer.alloc(size, 'A'), 'camera/front.bin': Buffer.alloc(size, 'a') };
      const ctx = context(objects);
      ctx.settings = { ...ctx.settings, fileConcurrency: 1 };
      const asked: string[] = [];
      const report = await downloadObjects(ctx, request([], ['Camera/', 'camera/'], 'overwrite', asked));
      assert.deepEqual(asked.map((file) => path.relative(scratch.dir, file)), [path.join('Camera', 'a.bin')]);
      assert.deepEqual(report.skipped.map((entry) => entry.key), ['camera/front.bin']);
      assert.deepEqual(await fs.readFile(path.join(scratch.dir, 'camera', 'front.bin')), objects['Camera/front.bin']);
    });

    it(`keeps both without ever writing over a file another key of the job lands on (${route})`, async () => {
      await fs.mkdir(path.join(scratch.dir, 'f'));
      await fs.writeFile(path.join(scratch.dir, 'f', 'x.bin'), 'mine');
      const objects = { 'f/x.bin': Buffer.alloc(size, 'x'), 'f/x (1).bin': Buffer.alloc(size, 'y') };
      const report = await downloadObjects(context(objects), request([], ['f/'], 'keepBoth'));
      const paths = report.files.map((file) => file.path);
      assert.equal(new Set(paths).size, paths.length, `two keys reported at one path: ${paths.join(', ')}`);
      for (const file of report.files) {
        assert.deepEqual(await fs.readFile(file.path), objects[file.key as keyof typeof objects], file.key);
      }
      assert.equal(await fs.readFile(path.join(scratch.dir, 'f', 'x.bin'), 'utf8'), 'mine');
    });
  }

  it('skips, saying why, a file the system won\'t replace (one open in another program, on Windows), and replaces the rest', async () => {
    // Windows refuses to rename over a file another program holds open (EPERM, EBUSY): the large route renames on this
    // thread, the small one on a file thread, each given a rename that refuses for "in-use" names.
    const refusing = (rename: (from: string, to: string) => unknown) => (from: string, to: string) => {
      // Self-contained: its text is the file thread's too.
      if (/[\\/]in-use[^\\/]*$/.test(to)) {
        throw Object.assign(new Error(`EBUSY: resource busy or locked, rename '${from}' -> '${to}'`), { code: 'EBUSY' });
      }
      return rename(from, to);
    };
    const worker = path.join(__dirname, '../../../../src/adapters/files/wholeFileWorker.js');
    const refusingWorker = path.join(os.tmpdir(), `logqs-refusing-rename-${process.pid}.js`);
    await fs.writeFile(
      refusingWorker,
      `const fs = require('node:fs'); const rename = fs.renameSync; fs.renameSync = (${refusing.toString()})(rename);\nrequire(${JSON.stringify(worker)});`,
    );
    const refusingFiles = createWholeFileThreads({ workerFile: refusingWorker, threads: 1 });
    const rename = fs.rename;
    fs.rename = (async (from: string, to: string) => refusing((a, b) => rename(a, b))(from, to)) as typeof fs.rename;
    try {
      const objects = { 'k/in-use-small.csv': Buffer.from('new small'), 'k/in-use-large.bin': Buffer.alloc(SMALL_OBJECT_BYTES + 10, 'n'), 'k/free.csv': Buffer.from('new free') };
      for (const name of ['in-use-small.csv', 'in-use-large.bin', 'free.csv']) {
        await fs.writeFile(path.join(scratch.dir, name), 'old');
      }
      const report = await downloadObjects(memoryDownloadContext(objects, refusingFiles, { delayMs: 20 }), request(Object.keys(objects), [], 'overwrite'));
      assert.deepEqual(report.files.map((file) => file.key), ['k/free.csv']);
      assert.deepEqual(report.skipped.map((entry) => entry.key).sort(), ['k/in-use-large.bin', 'k/in-use-small.csv']);
      report.skipped.forEach((entry) => assert.match(entry.reason, /could not be replaced: it is open in another program, read-only/));
      assert.equal(await fs.readFile(path.join(scratch.dir, 'free.csv'), 'utf8'), 'new free');
      for (const name of ['in-use-small.csv', 'in-use-large.bin']) {
        assert.equal(await fs.readFile(path.join(scratch.dir, name), 'utf8'), 'old', name);
      }
      assert.deepEqual((await fs.readdir(scratch.dir)).sort(), ['free.csv', 'in-use-large.bin', 'in-use-small.csv'], 'no temporary file left');
    } finally {
      fs.rename = rename;
      refusingFiles.dispose();
      await fs.rm(refusingWorker, { force: true });
    }
  });

  it('does not replace, unasked, a file that came to the target while a large object was downloading (another download, say)', async () => {
    const objects = { 'k/x.bin': Buffer.alloc(SMALL_OBJECT_BYTES + 10, 'k') };
    const target = path.join(scratch.dir, 'x.bin');
    const ctx = context(objects);
    const get = ctx.http.get.bind(ctx.http);
    // The target is free when the download starts; the other download's file lands there while the bytes come.
    ctx.http.get = (async (...args: Parameters<typeof get>) => {
      await fs.writeFile(target, 'another download', { flag: 'wx' }).catch(() => undefined);
      return get(...args);
    }) as typeof get;
    const asked: string[] = [];
    const report = await downloadObjects(ctx, request(['k/x.bin'], [], 'skip', asked));
    const there = await fs.readFile(target, 'utf8');
    assert.ok(there === 'another download', `the other file was replaced by ${there.length} bytes`);
    assert.deepEqual(asked, [target]);
    assert.deepEqual(report.files, []);
    assert.deepEqual(await fs.readdir(scratch.dir), ['x.bin'], 'no temporary file left');
  });

  it('of two downloads of one large object into one place at once, lets one write the file and asks the other', async () => {
    const objects = { 'k/x.bin': Buffer.alloc(SMALL_OBJECT_BYTES + 10, 'k') };
    const ctx = context(objects);
    const get = ctx.http.get.bind(ctx.http);
    // Both find the name free, then their bytes come in step: both are ready to place the file at once.
    let arrived = 0;
    let bothArrived: () => void = () => undefined;
    const together = new Promise<void>((resolve) => (bothArrived = resolve));
    ctx.http.get = (async (...args: Parameters<typeof get>) => {
      if (++arrived === 2) {
        bothArrived();
      }
      await together;
      return get(...args);
    }) as typeof get;
    const asked: string[] = [];
    const reports = await Promise.all([downloadObjects(ctx, request(['k/x.bin'], [], 'skip', asked)), downloadObjects(ctx, request(['k/x.bin'], [], 'skip', asked))]);
    const written = reports.map((report) => report.files.length).sort();
    assert.deepEqual(written, [0, 1], 'one download writes the file; the other, finding it there, does not replace it unasked');
    assert.deepEqual(asked, [path.join(scratch.dir, 'x.bin')]);
    assert.deepEqual(await fs.readdir(scratch.dir), ['x.bin'], 'no temporary file left');
  });

  it('downloads a key whose name is near the 255 bytes a file name may have (its temporary name too)', async () => {
    const long = `${'é'.repeat(120)}.bin`;
    const objects = { [`s/${long}`]: Buffer.from('small'), [`l/${long}`]: Buffer.alloc(SMALL_OBJECT_BYTES + 10, 'l') };
    const report = await downloadObjects(context(objects), request([], ['s/', 'l/']));
    assert.deepEqual(report.files.map((file) => path.relative(scratch.dir, file.path)).sort(), [path.join('l', long), path.join('s', long)]);
  });

  it('keeps both of a name near the 255-byte limit that holds a "\\" or a very long extension, making a name the file system takes', async function () {
    if (process.platform === 'win32') {
      this.skip(); // "\\" separates folders there; Windows names replace it with "_"
    }
    // On Linux and macOS a "\\" is part of the name, counted in its 255 bytes like the rest.
    const names = [`a\\${'y'.repeat(247)}.bag`, `a.${'x'.repeat(251)}`];
    for (const name of names) {
      await fs.writeFile(path.join(scratch.dir, name), 'mine');
    }
    const report = await downloadObjects(context(Object.fromEntries(names.map((name) => [`k/${name}`, Buffer.from('theirs')]))), request(names.map((name) => `k/${name}`), [], 'keepBoth'));
    assert.equal(report.files.length, 2, JSON.stringify(report));
    for (const file of report.files) {
      assert.equal(path.dirname(file.path), scratch.dir);
      assert.ok(Buffer.byteLength(path.basename(file.path)) <= 255, path.basename(file.path));
      assert.equal(await fs.readFile(file.path, 'utf8'), 'theirs');
    }
    for (const name of names) {
      assert.equal(await fs.readFile(path.join(scratch.dir, name), 'utf8'), 'mine');
    }
  });

  it('skips a key nested deeper than the file system\'s paths go, saying why, and downloads the rest', async () => {
    const deep = `deep/${`${'d'.repeat(250)}/`.repeat(20)}x.bin`;
    const objects = { [deep]: Buffer.from('deep'), 'deep/ok.txt': Buffer.from('ok') };
    const report = await downloadObjects(context(objects), request([], ['deep/']));
    assert.deepEqual(report.files.map((file) => path.relative(scratch.dir, file.path)), [path.join('deep', 'ok.txt')]);
    assert.deepEqual(report.skipped.map((entry) => [entry.key, entry.reason]), [[deep, 'its path would be longer than this file system allows']]);
  });

  it('skips, saying why, a key whose path fits the file system and whose temporary name beside it does not', async function () {
    // A path of 4090 bytes, under Linux's 4096: its temporary name (".x.bin.<id>.logqs-partial") goes past.
    if (process.platform !== 'linux') {
      this.skip();
    }
    const name = 'x.bin';
    const budget = 4090 - `${scratch.dir}/deep/`.length - name.length;
    const folders = Array.from({ length: Math.floor(budget / 201) }, () => 'd'.repeat(200));
    const rest = budget - folders.length * 201;
    if (rest > 1) {
      folders.push('e'.repeat(rest - 1));
    }
    const key = `deep/${folders.map((folder) => `${folder}/`).join('')}${name}`;
    const target = path.join(scratch.dir, key);
    assert.ok(target.length >= 4085 && target.length < 4095, `${target.length} bytes`);
    for (const size of [4, SMALL_OBJECT_BYTES + 10]) {
      const objects = { [key]: Buffer.alloc(size, 'x'), 'deep/ok.txt': Buffer.from('ok') };
      const report = await downloadObjects(context(objects), request([], ['deep/']));
      assert.deepEqual(report.files.map((file) => file.key), ['deep/ok.txt'], `${size} bytes`);
      assert.deepEqual(report.skipped.map((entry) => [entry.key, entry.reason]), [[key, 'its path, or the temporary name it is written under first, would be longer than this file system allows']]);
      await fs.rm(path.join(scratch.dir, 'deep'), { recursive: true });
    }
  });

  it('leaves none of the folders it made empty when cancelled, keeping the files placed before and a folder that was there', async () => {
    const objects = Object.fromEntries(['run/a/1.bin', 'run/b/2.bin', 'run/c/d/3.bin', 'run/c/e/4.bin', 'run/f/5.bin', 'run/keep/6.bin'].map((key) => [key, Buffer.from(key)]));
    await fs.mkdir(path.join(scratch.dir, 'run', 'keep'), { recursive: true });
    const ctx = context(objects);
    ctx.settings = { ...ctx.settings, fileConcurrency: 3 };
    const cancel = new AbortController();
    // Cancelled at the fourth GET: three files are on their way or in place, their folders made.
    const get = ctx.http.get.bind(ctx.http);
    let gets = 0;
    ctx.http.get = ((...args: Parameters<typeof get>) => {
      if (++gets === 4) {
        cancel.abort();
      }
      return get(...args);
    }) as typeof get;
    await assert.rejects(downloadObjects(ctx, { ...request([], ['run/']), signal: cancel.signal }), /cancel/i);
    /** Each folder under the download folder, and whether a file is somewhere in it. */
    const holdsFiles = new Map<string, boolean>();
    const walk = async (folder: string): Promise<boolean> => {
      let any = false;
      for (const entry of await fs.readdir(path.join(scratch.dir, folder), { withFileTypes: true })) {
        const relative = path.join(folder, entry.name);
        assert.ok(!entry.name.endsWith('.logqs-partial'), relative);
        any = (entry.isDirectory() ? await walk(relative) : true) || any;
      }
      holdsFiles.set(folder, any);
      return any;
    };
    await walk('run');
    const empty = [...holdsFiles].filter(([, any]) => !any).map(([folder]) => folder);
    assert.deepEqual(empty, [path.join('run', 'keep')], 'only the folder that was there before is without files');
    assert.ok([...holdsFiles].some(([folder, any]) => any && folder !== 'run'), 'some files were placed before the cancel, in folders kept');
  });

  it('keeps a folder it made, cancelled, where another download\'s file is on its way', async () => {
    // Job A makes run/a and is cancelled while job B, which found run/a made, still fetches its file into it.
    const a = context({ 'run/a/1.bin': Buffer.from('one') });
    const b = memoryDownloadContext({ 'run/a/2.bin': Buffer.from('two') }, files, { delayMs: 300 });
    const cancel = new AbortController();
    const get = a.http.get.bind(a.http);
    a.http.get = (async (...args: Parameters<typeof get>) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      cancel.abort();
      return get(...args);
    }) as typeof get;
    const jobA = downloadObjects(a, { ...request([], ['run/']), signal: cancel.signal });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const jobB = downloadObjects(b, request([], ['run/']));
    await assert.rejects(jobA, /cancel/i);
    const report = await jobB;
    assert.deepEqual(report.files.map((file) => file.key), ['run/a/2.bin']);
    assert.equal(await fs.readFile(path.join(scratch.dir, 'run', 'a', '2.bin'), 'utf8'), 'two');
  });

  it('downloads only what a filtered folder lists, each file kept relative to the folder', async () => {
    const objects = { 'logs/run/2023-a.bag': Buffer.from('a'), 'logs/run/2023/deep.bag': Buffer.from('d'), 'logs/run/2024-b.bag': Buffer.from('b') };
    const report = await downloadObjects(context(objects), { ...request([], ['logs/run/']), listedAs: new Map([['logs/run/', 'logs/run/2023']]) });
    assert.deepEqual(report.files.map((file) => path.relative(scratch.dir, file.path)).sort(), [path.join('run', '2023-a.bag'), path.join('run', '2023', 'deep.bag')].sort());
  });

  it('downloads a key whose name starts with ".." (it is not a ".." segment)', async () => {
    const objects = { 'logs/..hidden': Buffer.from('h'), '..cache/a.txt': Buffer.from('c') };
    const report = await downloadObjects(context(objects), request(['logs/..hidden'], ['..cache/']));
    assert.deepEqual(report.files.map((file) => path.relative(scratch.dir, file.path)).sort(), [path.join('..cache', 'a.txt'), '..hidden']);
  });

  it('makes no folder outside the download folder through a link inside it', async () => {
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'logqs-outside-'));
    try {
      await fs.symlink(outside, path.join(scratch.dir, 'linked'));
      const objects = { 'linked/deeper/file.txt': Buffer.from('through the link'), 'plain/file.txt': Buffer.from('plain') };
      const report = await downloadObjects(context(objects), request([], ['linked/', 'plain/']));
      assert.deepEqual(await fs.readdir(outside), []);
      // That key is skipped, saying why; the others still come.
      assert.deepEqual(report.skipped.map((entry) => [entry.key, entry.reason]), [['linked/deeper/file.txt', `a link in the download folder leads its folder ${path.join('linked', 'deeper')} outside it`]]);
      assert.deepEqual(report.files.map((file) => path.relative(scratch.dir, file.path)), [path.join('plain', 'file.txt')]);
    } finally {
      await fs.rm(outside, { recursive: true, force: true });
    }
  });

  it('skips a key whose folder goes through a loop of links, saying why, and downloads the rest', async () => {
    await fs.symlink('loop-b', path.join(scratch.dir, 'loop-a'));
    await fs.symlink('loop-a', path.join(scratch.dir, 'loop-b'));
    const objects = { 'loop-a/file.txt': Buffer.from('looped'), 'ok.txt': Buffer.from('ok') };
    const report = await downloadObjects(context(objects), request(['ok.txt'], ['loop-a/']));
    assert.deepEqual(report.skipped.map((entry) => [entry.key, entry.reason]), [['loop-a/file.txt', 'its folder loop-a goes through a loop of links']]);
    assert.deepEqual(report.files.map((file) => path.relative(scratch.dir, file.path)), ['ok.txt']);
  });
});
