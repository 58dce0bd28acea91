import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { LogqsError } from '../../../../src/core/errors';
import { scopeKey } from '../../../../src/core/keyPrefix';
import { Claims, type TransferProgress, type UploadContext, uploadFiles } from '../../../../src/core/transfer';
import { pickedName } from '../../../../src/core/transfer/upload';
import { code } from '../../../support/assertions';
import { engineScratch } from '../../../support/transfers';

/** Which keys an upload's local paths go to, against a store in memory. */
describe('upload keys', () => {
  const scratch = engineScratch('logqs-upload-');
  const { files } = scratch;

  function context(stored: Map<string, string>, keyPrefix = 'store/', keysInFlight = new Claims()): UploadContext {
    const put = async (key: string, body: Uint8Array) => {
      // Slow enough that the files of a job overlap, as they do on a network.
      await new Promise((resolve) => setTimeout(resolve, 10));
      stored.set(key, Buffer.from(body).toString());
      return {};
    };
    return {
      writer: {
        headObject: async () => assert.fail('no save here'),
        putObject: put,
        createMultipartUpload: async () => assert.fail('no large file here'),
        uploadPart: async () => assert.fail('no large file here'),
        completeMultipartUpload: async () => assert.fail('no large file here'),
        abortMultipartUpload: async () => undefined,
        deleteObjects: async () => assert.fail('no delete here'),
      },
      head: async (key) => (stored.has(key) ? { key, size: 0, metadata: {} } : undefined),
      list: async (prefix) => ({ folders: [], objects: [...stored.keys()].filter((key) => key.startsWith(prefix)).map((key) => ({ key, size: 0 })) }),
      scopeKey: (key) => scopeKey(keyPrefix, key),
      keysInFlight,
      files,
      settings: { partSizeBytes: 1024 * 1024, partConcurrency: 2, loopbackPartConcurrency: 2, fileConcurrency: 4, presignExpirySeconds: 60 },
      log: () => undefined,
    };
  }

  const request = (paths: string[], choice: 'overwrite' | 'skip' | 'keepBoth' = 'overwrite', progress: TransferProgress[] = []) => ({
    paths,
    destinationPrefix: 'store/',
    signal: new AbortController().signal,
    onProgress: (update: TransferProgress) => progress.push(update),
    onConflict: async () => choice,
  });

  it('never sends two files of one job to one key', async () => {
    await fs.mkdir(path.join(scratch.dir, 'x'));
    await fs.mkdir(path.join(scratch.dir, 'y'));
    await fs.writeFile(path.join(scratch.dir, 'x', 'a.txt'), 'from x');
    await fs.writeFile(path.join(scratch.dir, 'y', 'a.txt'), 'from y');
    const stored = new Map<string, string>();
    const report = await uploadFiles(context(stored), request([path.join(scratch.dir, 'x', 'a.txt'), path.join(scratch.dir, 'y', 'a.txt')]));
    assert.deepEqual(report.keys, ['store/a.txt']);
    assert.equal(report.skipped.length, 1, JSON.stringify(report));
    assert.match(report.skipped[0].reason, /another file of this upload/);
    assert.equal(stored.get('store/a.txt'), 'from x');
  });

  it('looks for each file by itself in a destination folder of millions, instead of listing it whole before the first byte', async () => {
    await fs.mkdir(path.join(scratch.dir, 'bags'));
    await fs.writeFile(path.join(scratch.dir, 'bags', 'today-1.bag'), 'one');
    await fs.writeFile(path.join(scratch.dir, 'bags', 'today-2.bag'), 'two');
    const stored = new Map<string, string>([['store/bags/today-2.bag', 'yesterday']]);
    const base = context(stored);
    let pages = 0;
    const heads: string[] = [];
    const report = await uploadFiles(
      {
        ...base,
        // A folder that never ends: every page of a thousand old keys says there are more.
        list: async (prefix) => {
          pages++;
          assert.ok(pages < 1000, 'listed on and on');
          return { folders: [], objects: Array.from({ length: 1000 }, (_, index) => ({ key: `${prefix}old-${pages}-${index}.bag`, size: 1 })), nextContinuationToken: `page-${pages}` };
        },
        head: async (key, headSignal) => {
          heads.push(key);
          return base.head(key, headSignal);
        },
      },
      request([path.join(scratch.dir, 'bags')], 'skip'),
    );
    assert.equal(pages, 10);
    assert.deepEqual(heads.sort(), ['store/bags/today-1.bag', 'store/bags/today-2.bag']);
    assert.deepEqual(report.keys, ['store/bags/today-1.bag']);
    assert.deepEqual(report.skipped.map((entry) => entry.reason), ['"store/bags/today-2.bag" exists already']);
  });

  it('sends a file picked with the folder it is in once, under its folder', async () => {
    await fs.mkdir(path.join(scratch.dir, 'data', 'sub'), { recursive: true });
    await fs.writeFile(path.join(scratch.dir, 'data', 'a.txt'), 'a');
    await fs.writeFile(path.join(scratch.dir, 'data', 'sub', 'b.txt'), 'b');
    const stored = new Map<string, string>();
    const picked = [path.join(scratch.dir, 'data', 'a.txt'), path.join(scratch.dir, 'data'), path.join(scratch.dir, 'data', 'sub')];
    const report = await uploadFiles(context(stored), request(picked));
    assert.deepEqual([...stored.keys()].sort(), ['store/data/a.txt', 'store/data/sub/b.txt']);
    assert.deepEqual(report.skipped, []);
  });

  it('stops the files on their way when the question about an existing key is dismissed (Cancel)', async () => {
    await fs.writeFile(path.join(scratch.dir, 'a.txt'), 'new a');
    await fs.writeFile(path.join(scratch.dir, 'b.txt'), 'new b');
    const stored = new Map([['store/a.txt', 'old a']]);
    const ctx = context(stored);
    const stopped: string[] = [];
    ctx.writer.putObject = (key, _body, options) =>
      new Promise((_resolve, reject) => options?.signal?.addEventListener('abort', () => (stopped.push(key), reject(options.signal?.reason as Error)), { once: true }));
    const dismissed = async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      throw new LogqsError('cancelled', 'Cancelled');
    };
    await assert.rejects(uploadFiles(ctx, { ...request([path.join(scratch.dir, 'a.txt'), path.join(scratch.dir, 'b.txt')]), onConflict: dismissed }), (error: unknown) => LogqsError.is(error, 'cancelled'));
    assert.deepEqual(stopped, ['store/b.txt']);
    assert.equal(stored.get('store/a.txt'), 'old a');
  });

  it('takes a file skipped as existing out of the totals, so the bar ends full', async () => {
    await fs.writeFile(path.join(scratch.dir, 'a.txt'), 'new a');
    await fs.writeFile(path.join(scratch.dir, 'b.txt'), 'new b');
    const stored = new Map([['store/a.txt', 'old a']]);
    const progress: TransferProgress[] = [];
    const report = await uploadFiles(context(stored), request([path.join(scratch.dir, 'a.txt'), path.join(scratch.dir, 'b.txt')], 'skip', progress));
    assert.deepEqual(report.keys, ['store/b.txt']);
    const last = progress[progress.length - 1];
    assert.equal(last.filesDone, last.filesTotal, JSON.stringify(last));
    assert.equal(last.bytesDone, last.bytesTotal, JSON.stringify(last));
  });

  it('says which file failed when one of many is refused', async () => {
    await fs.writeFile(path.join(scratch.dir, 'a.txt'), 'a');
    await fs.writeFile(path.join(scratch.dir, 'b.txt'), 'b');
    const ctx = context(new Map());
    const put = ctx.writer.putObject.bind(ctx.writer);
    ctx.writer.putObject = async (key, body, options) => (key.endsWith('b.txt') ? Promise.reject(new LogqsError('forbidden', 'Access denied to bucket "x"', { status: 403 })) : put(key, body, options));
    await assert.rejects(uploadFiles(ctx, request([path.join(scratch.dir, 'a.txt'), path.join(scratch.dir, 'b.txt')])), (error: unknown) =>
      LogqsError.is(error, 'forbidden') && error.message.includes(path.join(scratch.dir, 'b.txt')),
    );
  });

  it('keeps both without ever writing over a key another file of the job goes to', async () => {
    await fs.mkdir(path.join(scratch.dir, 'top'));
    await fs.writeFile(path.join(scratch.dir, 'top', 'a.txt'), 'new a');
    await fs.writeFile(path.join(scratch.dir, 'top', 'a (1).txt'), 'new a (1)');
    await fs.writeFile(path.join(scratch.dir, 'top', 'b.txt'), 'new b');
    const stored = new Map([['store/top/a.txt', 'old a'], ['store/top/b.txt', 'old b']]);
    const report = await uploadFiles(context(stored), request([path.join(scratch.dir, 'top')], 'keepBoth'));
    assert.equal(new Set(report.keys).size, 3, report.keys.join(', '));
    assert.equal(stored.get('store/top/a.txt'), 'old a');
    assert.equal(stored.get('store/top/a (1).txt'), 'new a (1)');
    assert.deepEqual(new Set(stored.values()), new Set(['old a', 'old b', 'new a', 'new a (1)', 'new b']));
  });

  it('keeps both across two jobs into one folder at once: each file gets a number of its own', async () => {
    // Two uploads started together (two drops, two windows' worth of clicks) of a file named as one already there.
    await fs.mkdir(path.join(scratch.dir, 'first'));
    await fs.mkdir(path.join(scratch.dir, 'second'));
    await fs.writeFile(path.join(scratch.dir, 'first', 'run.bag'), 'first run');
    await fs.writeFile(path.join(scratch.dir, 'second', 'run.bag'), 'second run');
    const stored = new Map([['store/run.bag', 'old run']]);
    const keysInFlight = new Claims();
    const reports = await Promise.all(
      ['first', 'second'].map((folder) => uploadFiles(context(stored, 'store/', keysInFlight), request([path.join(scratch.dir, folder, 'run.bag')], 'keepBoth'))),
    );
    assert.deepEqual(reports.map((report) => report.keys).flat().sort(), ['store/run (1).bag', 'store/run (2).bag']);
    assert.deepEqual(new Set(stored.values()), new Set(['old run', 'first run', 'second run']));
    assert.equal(keysInFlight.has('store/run (1).bag') || keysInFlight.has('store/run (2).bag'), false, 'a number given back once its file is up');
  });

  it('uploads the files of a drive or file system root straight under the destination (it has no name to make a folder of)', () => {
    assert.equal(pickedName('E:\\', path.win32), '');
    assert.equal(pickedName('/', path.posix), '');
    assert.equal(pickedName('E:\\logs\\', path.win32), 'logs');
    assert.equal(pickedName('/data/bags/', path.posix), 'bags');
    assert.equal(pickedName('/data/bags/day 1/..', path.posix), 'bags');
  });

  it('keeps both inside a key prefix that ends in the middle of a name ("reports/2024.")', async () => {
    // The store's root is its key prefix: a file "README" goes to "reports/2024.README". Numbered before its last
    // dot, the copy would be "reports/2024 (1).README", outside the prefix.
    await fs.writeFile(path.join(scratch.dir, 'README'), 'new');
    const stored = new Map([['reports/2024.README', 'old']]);
    const report = await uploadFiles(context(stored, 'reports/2024.'), { ...request([path.join(scratch.dir, 'README')], 'keepBoth'), destinationPrefix: 'reports/2024.' });
    assert.deepEqual(report.keys, ['reports/2024.README (1)']);
    assert.deepEqual([...stored.keys()].filter((key) => !key.startsWith('reports/2024.')), []);
    assert.equal(stored.get('reports/2024.README'), 'old');
  });

  it('keeps both within S3\'s 1024 bytes a key, the name shortened before its number', async () => {
    await fs.writeFile(path.join(scratch.dir, 'flight-recording.bag'), 'new');
    // A destination deep enough that "flight-recording (1).bag" would make a key of 1025 bytes.
    const destination = `store/${'é'.repeat(497)}/`;
    const existing = `${destination}flight-recording.bag`;
    assert.equal(Buffer.byteLength(existing) + ' (1)'.length, 1025);
    const stored = new Map([[existing, 'old']]);
    const report = await uploadFiles(context(stored), { ...request([path.join(scratch.dir, 'flight-recording.bag')], 'keepBoth'), destinationPrefix: destination });
    assert.deepEqual(report.keys, [`${destination}flight-recordin (1).bag`]);
    assert.equal(Buffer.byteLength(report.keys[0]), 1024);
    assert.equal(stored.get(existing), 'old');
  });

  it('skips, saying why, a picked folder whose name makes a key too long at the destination, and uploads the rest', async () => {
    const folder = path.join(scratch.dir, 'a-folder-with-a-rather-long-name');
    await fs.mkdir(folder);
    await fs.writeFile(path.join(folder, 'f.bag'), 'f');
    await fs.writeFile(path.join(scratch.dir, 'x'), 'x');
    // 1000 bytes: "x" fits after it, the folder's name doesn't.
    const destination = `store/${'d'.repeat(993)}/`;
    const stored = new Map<string, string>();
    const report = await uploadFiles(context(stored), { ...request([folder, path.join(scratch.dir, 'x')]), destinationPrefix: destination });
    assert.deepEqual(report.keys, [`${destination}x`]);
    assert.deepEqual(report.skipped.map((entry) => entry.path), [folder]);
    assert.match(report.skipped[0].reason, /1024 bytes/);
  });

  it('follows a folder that was picked through a link (links inside it are still not followed)', async () => {
    await fs.mkdir(path.join(scratch.dir, 'real', 'sub'), { recursive: true });
    await fs.writeFile(path.join(scratch.dir, 'real', 'sub', 'f.txt'), 'f');
    await fs.symlink(path.join(scratch.dir, 'real'), path.join(scratch.dir, 'picked'));
    await fs.symlink(path.join(scratch.dir, 'real'), path.join(scratch.dir, 'real', 'loop'));
    const stored = new Map<string, string>();
    const report = await uploadFiles(context(stored), request([path.join(scratch.dir, 'picked')]));
    assert.deepEqual(report.keys, ['store/picked/sub/f.txt']);
    assert.deepEqual(report.skipped.map((entry) => path.basename(entry.path)), ['loop']);
  });

  it('stops looking through the picked folders at a Cancel, before a file is sent', async () => {
    const tree = path.join(scratch.dir, 'tree');
    for (let folder = 0; folder < 10; folder++) {
      await fs.mkdir(path.join(tree, `f${folder}`), { recursive: true });
      for (let file = 0; file < 30; file++) {
        await fs.writeFile(path.join(tree, `f${folder}`, `${file}.txt`), 'x');
      }
    }
    const stored = new Map<string, string>();
    const controller = new AbortController();
    const lstat = fs.lstat;
    let looked = 0;
    // The engine's own fs.promises: each entry of the walk is looked at once (lstat); the Cancel comes at the 20th.
    fs.lstat = ((...args: Parameters<typeof lstat>) => {
      if (++looked === 20) {
        controller.abort();
      }
      return lstat(...args);
    }) as typeof lstat;
    try {
      await assert.rejects(uploadFiles(context(stored), { ...request([tree]), signal: controller.signal }), code('cancelled'));
    } finally {
      fs.lstat = lstat;
    }
    assert.ok(looked <= 21, `${looked} entries looked at after the Cancel at the 20th`);
    assert.equal(stored.size, 0);
  });

  it('skips, saying why, a file gone since it was listed (a recorder renames "x.bag.active" when it ends), and uploads the rest', async () => {
    await fs.mkdir(path.join(scratch.dir, 'top'));
    await fs.writeFile(path.join(scratch.dir, 'top', 'a.txt'), 'a');
    await fs.writeFile(path.join(scratch.dir, 'top', 'b.txt'), 'b');
    // Larger than a part: opened by the engine itself, for a multipart upload.
    await fs.writeFile(path.join(scratch.dir, 'top', 'c.bag.active'), new Uint8Array(1024 * 1024 + 1));
    // Replaced by folders of their names: Linux and macOS open a folder, and fail only its read.
    await fs.writeFile(path.join(scratch.dir, 'top', 'd.txt'), 'd');
    await fs.writeFile(path.join(scratch.dir, 'top', 'e.bag'), new Uint8Array(1024 * 1024 + 1));
    const stored = new Map<string, string>();
    const ctx = context(stored);
    ctx.settings.fileConcurrency = 1;
    const put = ctx.writer.putObject.bind(ctx.writer);
    let changed = false;
    ctx.writer.putObject = async (key, body, options) => {
      if (!changed) {
        changed = true;
        await fs.rm(path.join(scratch.dir, 'top', 'b.txt'));
        await fs.rename(path.join(scratch.dir, 'top', 'c.bag.active'), path.join(scratch.dir, 'top', 'c.bag'));
        for (const name of ['d.txt', 'e.bag']) {
          await fs.rm(path.join(scratch.dir, 'top', name));
          await fs.mkdir(path.join(scratch.dir, 'top', name));
        }
      }
      return put(key, body, options);
    };
    const progress: TransferProgress[] = [];
    const report = await uploadFiles(ctx, request([path.join(scratch.dir, 'top')], 'overwrite', progress));
    assert.deepEqual(report.keys, ['store/top/a.txt']);
    assert.deepEqual(report.skipped.map((entry) => path.basename(entry.path)).sort(), ['b.txt', 'c.bag.active', 'd.txt', 'e.bag']);
    report.skipped.forEach((entry) => assert.match(entry.reason, /no longer there/));
    const last = progress[progress.length - 1];
    assert.equal(last.filesDone, last.filesTotal, JSON.stringify(last));
  });

  it('uploads a folder picked twice, spelled two ways ("dir" and "dir/"), once, skipping nothing', async () => {
    await fs.mkdir(path.join(scratch.dir, 'dir'));
    await fs.writeFile(path.join(scratch.dir, 'dir', 'a.txt'), 'a');
    const stored = new Map<string, string>();
    const report = await uploadFiles(context(stored), request([path.join(scratch.dir, 'dir'), `${path.join(scratch.dir, 'dir')}${path.sep}`]));
    assert.deepEqual(report.keys, ['store/dir/a.txt']);
    assert.deepEqual(report.skipped, []);
  });

  /** A folder "run" of small files, sent one at a time, `beforePut` run before each is stored. */
  const runFolder = async (names: string[], beforePut: (key: string) => Promise<void>) => {
    await fs.mkdir(path.join(scratch.dir, 'run'));
    for (const name of names) {
      await fs.writeFile(path.join(scratch.dir, 'run', name), name);
    }
    const ctx = context(new Map<string, string>());
    ctx.settings.fileConcurrency = 1;
    const put = ctx.writer.putObject.bind(ctx.writer);
    ctx.writer.putObject = async (key, body, options) => {
      await beforePut(key);
      return put(key, body, options);
    };
    return ctx;
  };

  it('skips, saying why, a small file that grew since it was listed (a log still being written), and uploads the rest', async () => {
    const ctx = await runFolder(['a.txt', 'b.log', 'c.txt'], () => fs.appendFile(path.join(scratch.dir, 'run', 'b.log'), ' more'));
    const report = await uploadFiles(ctx, request([path.join(scratch.dir, 'run')]));
    assert.deepEqual(report.keys.sort(), ['store/run/a.txt', 'store/run/c.txt']);
    assert.deepEqual(report.skipped.map((entry) => [path.basename(entry.path), entry.reason]), [['b.log', 'changed size while it was being uploaded (is it still being written?)']]);
  });

  it('reports its final counts when it fails part way, however recently it reported, so that what it had sent can be said', async () => {
    const ctx = await runFolder(['a.txt', 'b.txt', 'c.txt'], async (key) => {
      if (key.endsWith('c.txt')) {
        throw new LogqsError('forbidden', 'Access denied');
      }
    });
    const progress: TransferProgress[] = [];
    await assert.rejects(uploadFiles(ctx, request([path.join(scratch.dir, 'run')], 'overwrite', progress)), code('forbidden'));
    // b.txt was done within a quarter second of a.txt, which is reported: only the final report says it.
    assert.deepEqual(progress.at(-1) && [progress.at(-1)?.filesDone, progress.at(-1)?.filesTotal], [2, 3]);
  });

  it('fails the job, naming it, when the picked folder is gone (a drive removed), rather than skipping every file after', async () => {
    const drive = path.join(scratch.dir, 'drive');
    await fs.mkdir(path.join(drive, 'run'), { recursive: true });
    for (const name of ['a.txt', 'b.txt', 'c.txt', 'd.txt']) {
      await fs.writeFile(path.join(drive, 'run', name), name);
    }
    // A file picked by itself on that drive: the folder it was in is gone too.
    await fs.writeFile(path.join(drive, 'alone.txt'), 'alone');
    const stored = new Map<string, string>();
    const ctx = context(stored);
    ctx.settings.fileConcurrency = 1;
    const put = ctx.writer.putObject.bind(ctx.writer);
    ctx.writer.putObject = async (key, body, options) => {
      await fs.rename(drive, path.join(scratch.dir, 'unplugged'));
      ctx.writer.putObject = put;
      return put(key, body, options);
    };
    await assert.rejects(uploadFiles(ctx, request([path.join(drive, 'run')], 'overwrite')), (error: Error) => {
      assert.equal(LogqsError.is(error) && error.code, 'storage');
      assert.match(error.message, /"[^"]*drive[\\/]run" is no longer there/);
      return true;
    });
    assert.deepEqual([...stored.keys()], ['store/run/a.txt']);
    await fs.rename(path.join(scratch.dir, 'unplugged'), drive);
    ctx.writer.putObject = async (key, body, options) => {
      await fs.rename(drive, path.join(scratch.dir, 'unplugged'));
      ctx.writer.putObject = put;
      return put(key, body, options);
    };
    await assert.rejects(uploadFiles(ctx, request([path.join(drive, 'run', 'a.txt'), path.join(drive, 'alone.txt')], 'overwrite')), /drive" is no longer there/);
  });

  it('skips, saying why, a folder it can\'t read while listing what to upload, and uploads the rest', async () => {
    await fs.mkdir(path.join(scratch.dir, 'top', 'locked'), { recursive: true });
    await fs.writeFile(path.join(scratch.dir, 'top', 'a.txt'), 'a');
    const stored = new Map<string, string>();
    const real = fs.readdir;
    // Root reads any folder: the refusal a person would meet is stood in for.
    (fs as { readdir: unknown }).readdir = async (folder: string) => {
      if (folder.endsWith('locked')) {
        throw Object.assign(new Error(`EACCES: permission denied, scandir '${folder}'`), { code: 'EACCES', path: folder });
      }
      return real(folder);
    };
    try {
      const report = await uploadFiles(context(stored), request([path.join(scratch.dir, 'top')]));
      assert.deepEqual(report.keys, ['store/top/a.txt']);
      assert.equal(report.skipped.length, 1);
      assert.match(report.skipped[0].reason, /permission denied/);
    } finally {
      (fs as { readdir: unknown }).readdir = real;
    }
  });

  it('skips, saying why, a file it may not read (no permission), and uploads the rest', async () => {
    await fs.mkdir(path.join(scratch.dir, 'top'));
    await fs.writeFile(path.join(scratch.dir, 'top', 'a.txt'), 'a');
    await fs.writeFile(path.join(scratch.dir, 'top', 'locked.txt'), 'locked');
    // Larger than a part: opened by the engine itself, for a multipart upload (which the writer here refuses to start).
    await fs.writeFile(path.join(scratch.dir, 'top', 'locked.bin'), new Uint8Array(1024 * 1024 + 1));
    const stored = new Map<string, string>();
    const ctx = context(stored);
    // Root reads any file: the refusal a person would meet (chmod 000, a file another program holds on Windows) is stood in for.
    ctx.files = {
      ...files,
      read: async (file, size) => {
        if (file.endsWith('locked.txt')) {
          throw Object.assign(new Error(`EACCES: permission denied, open '${file}'`), { code: 'EACCES', path: file });
        }
        return files.read(file, size);
      },
    };
    const realOpen = fs.open;
    (fs as { open: unknown }).open = async (file: string, flags: string) => {
      if (file.endsWith('locked.bin')) {
        throw Object.assign(new Error(`EACCES: permission denied, open '${file}'`), { code: 'EACCES', path: file });
      }
      return realOpen(file, flags);
    };
    try {
      const progress: TransferProgress[] = [];
      const report = await uploadFiles(ctx, request([path.join(scratch.dir, 'top')], 'overwrite', progress));
      assert.deepEqual(report.keys, ['store/top/a.txt']);
      assert.deepEqual(report.skipped.map((entry) => path.basename(entry.path)).sort(), ['locked.bin', 'locked.txt']);
      report.skipped.forEach((entry) => assert.match(entry.reason, /permission denied/));
      const last = progress[progress.length - 1];
      assert.equal(last.filesDone, last.filesTotal, JSON.stringify(last));
      assert.equal(last.bytesDone, last.bytesTotal, JSON.stringify(last));
    } finally {
      (fs as { open: unknown }).open = realOpen;
    }
  });

  it('keeps empty folders, as the folder markers New Folder makes', async () => {
    await fs.mkdir(path.join(scratch.dir, 'top', 'empty', 'deeper'), { recursive: true });
    await fs.mkdir(path.join(scratch.dir, 'nothing'));
    await fs.writeFile(path.join(scratch.dir, 'top', 'f.txt'), 'f');
    const stored = new Map<string, string>();
    const report = await uploadFiles(context(stored), request([path.join(scratch.dir, 'top'), path.join(scratch.dir, 'nothing')]));
    assert.deepEqual([...stored.keys()].sort(), ['store/nothing/', 'store/top/empty/deeper/', 'store/top/f.txt']);
    // In the report too: a folder of empty folders would otherwise read "uploaded 0 files".
    assert.deepEqual(report.folders?.sort(), ['store/nothing/', 'store/top/empty/deeper/']);
  });

  it('joins a folder\'s relative path with "/" in its keys, a "\\" becoming "/" as it is a separator on Windows', async () => {
    await fs.mkdir(path.join(scratch.dir, 'run', 'cam 1', 'été'), { recursive: true });
    await fs.writeFile(path.join(scratch.dir, 'run', 'cam 1', 'été', 'frame+1.jpg'), 'frame');
    // On Linux and macOS "\\" is part of a name: the key takes it for a folder, as the same folder's key from Windows would.
    await fs.writeFile(path.join(scratch.dir, 'run', 'left\\right.txt'), 'both');
    const stored = new Map<string, string>();
    const report = await uploadFiles(context(stored), request([path.join(scratch.dir, 'run')]));
    assert.deepEqual(report.keys.sort(), ['store/run/cam 1/été/frame+1.jpg', 'store/run/left/right.txt']);
    assert.equal(stored.get('store/run/left/right.txt'), 'both');
  });

  it('skips, saying why, a file whose name can\'t make a key downloads take back (a "\\" at its end or doubled, a control character)', async function () {
    if (process.platform === 'win32') {
      this.skip(); // names Windows itself refuses
    }
    await fs.mkdir(path.join(scratch.dir, 'run'));
    for (const name of ['ok.txt', 'trailing\\', 'a\\\\b.txt', 'bell\u0007.txt']) {
      await fs.writeFile(path.join(scratch.dir, 'run', name), name);
    }
    await fs.mkdir(path.join(scratch.dir, 'run', 'empty\u0001'));
    const stored = new Map<string, string>();
    const report = await uploadFiles(context(stored), request([path.join(scratch.dir, 'run')]));
    assert.deepEqual(report.keys, ['store/run/ok.txt']);
    assert.deepEqual([...stored.keys()], ['store/run/ok.txt'], 'no folder marker for a folder whose name holds a control character');
    const reasons = Object.fromEntries(report.skipped.map((entry) => [path.basename(entry.path), entry.reason]));
    assert.match(reasons['trailing\\'], /empty folder name/);
    assert.match(reasons['a\\\\b.txt'], /empty folder name/);
    assert.match(reasons['bell\u0007.txt'], /control character/);
    assert.match(reasons['empty\u0001'], /control character/);
  });

  it('skips, saying why, a file larger than the 5 TiB an object may hold, before sending any of it', async function () {
    const huge = path.join(scratch.dir, 'huge.bag');
    // Sparse: no disk is used.
    const made = await fs.writeFile(huge, '').then(() => fs.truncate(huge, 5 * 1024 ** 4 + 1)).then(() => true, () => false);
    if (!made) {
      this.skip(); // a file system that holds no file that large
    }
    const stored = new Map<string, string>();
    const report = await uploadFiles(context(stored), request([huge]));
    assert.deepEqual(report.keys, []);
    assert.deepEqual(stored.size, 0);
    assert.match(report.skipped[0].reason, /larger than the 5 TiB an object may hold/);
  });
});
