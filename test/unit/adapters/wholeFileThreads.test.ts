import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createWholeFileThreads } from '../../../src/adapters/files/wholeFileThreads';
import { toLogqsError } from '../../../src/core/errors';
import { code } from '../../support/assertions';

/** The file threads on a real disk: what a commit leaves behind in each case, and how failures come back. */
describe('whole-file threads', () => {
  const files = createWholeFileThreads({ threads: 2 });
  let dir: string;
  const bytes = Buffer.from('the bytes of a small object');
  const md5 = createHash('md5').update(bytes).digest('hex');
  const commitWith = (threads: typeof files, name: string, options: { replace?: boolean; md5?: string } = {}) =>
    threads.commit({ target: path.join(dir, name), temporary: path.join(dir, `.${name}.partial`), bytes, replace: options.replace ?? false, md5: options.md5 });
  const commit = (name: string, options: { replace?: boolean; md5?: string } = {}) => commitWith(files, name, options);

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'logqs-files-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));
  after(() => files.dispose());

  it('writes a new file through a temporary that does not stay', async () => {
    assert.equal(await commit('new.bin', { md5 }), 'written');
    assert.deepEqual(await fs.readFile(path.join(dir, 'new.bin')), bytes);
    assert.deepEqual(await fs.readdir(dir), ['new.bin']);
  });

  it('leaves an existing file or folder alone unless told to replace the file', async () => {
    await fs.writeFile(path.join(dir, 'there.bin'), 'old');
    await fs.mkdir(path.join(dir, 'folder.bin'));
    assert.equal(await commit('there.bin'), 'exists');
    assert.equal(await fs.readFile(path.join(dir, 'there.bin'), 'utf8'), 'old');
    assert.equal(await commit('folder.bin'), 'folder');
    assert.equal(await commit('folder.bin', { replace: true }), 'folder');
    assert.equal(await commit('there.bin', { replace: true }), 'written');
    assert.deepEqual(await fs.readFile(path.join(dir, 'there.bin')), bytes);
    assert.deepEqual((await fs.readdir(dir)).sort(), ['folder.bin', 'there.bin']);
  });

  it('never lets two writers of one name replace each other: of commits racing onto one name from several threads, one writes it', async () => {
    const racing = createWholeFileThreads({ threads: 4 });
    try {
      // Looking at the name, then renaming onto it, let two threads both find it free and the second replace the first.
      for (let round = 0; round < 100; round++) {
        const writers = Array.from({ length: 8 }, (_, writer) => Buffer.from(`writer ${writer} of round ${round}`));
        const target = path.join(dir, `name-${round}.bin`);
        const results = await Promise.all(writers.map((content, writer) => racing.commit({ target, temporary: path.join(dir, `.${round}-${writer}.partial`), bytes: content, replace: false })));
        const winners = results.flatMap((result, writer) => (result === 'written' ? [writer] : []));
        assert.equal(winners.length, 1, `round ${round}: ${results.join(', ')}`);
        assert.deepEqual(await fs.readFile(target), writers[winners[0]]);
      }
      assert.equal((await fs.readdir(dir)).length, 100, 'no temporary file stays');
    } finally {
      racing.dispose();
    }
  });

  it('on a disk without hard links, writes a new file by looking, then renaming', async () => {
    // The real file thread on a disk whose link(2) refuses with EPERM, as FAT and some network disks do.
    const worker = path.join(__dirname, '../../../src/adapters/files/wholeFileWorker.js');
    const noLinks = path.join(dir, 'no-links.js');
    await fs.writeFile(
      noLinks,
      "require('node:fs').linkSync = () => { throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' }); };\n" +
        `require(${JSON.stringify(worker)});`,
    );
    const linkless = createWholeFileThreads({ workerFile: noLinks });
    try {
      await fs.writeFile(path.join(dir, 'there.bin'), 'old');
      assert.equal(await commitWith(linkless, 'there.bin'), 'exists');
      assert.equal(await commitWith(linkless, 'new.bin'), 'written');
      assert.deepEqual(await fs.readFile(path.join(dir, 'new.bin')), bytes);
      assert.equal(await fs.readFile(path.join(dir, 'there.bin'), 'utf8'), 'old');
      assert.deepEqual((await fs.readdir(dir)).sort(), ['new.bin', 'no-links.js', 'there.bin']);
    } finally {
      linkless.dispose();
    }
  });

  it('on Windows, stops trying a refused replace at a Cancel, and places nothing', async function () {
    this.timeout(10_000);
    // The real file thread, told it runs on Windows, where a rename over "held.bin" is refused as a virus scanner would.
    const worker = path.join(__dirname, '../../../src/adapters/files/wholeFileWorker.js');
    const heldWorker = path.join(dir, 'held-worker.js');
    await fs.writeFile(
      heldWorker,
      "Object.defineProperty(process, 'platform', { value: 'win32' });\n" +
        "const fs = require('node:fs'); const rename = fs.renameSync;\n" +
        "fs.renameSync = (from, to) => { if (to.endsWith('held.bin')) throw Object.assign(new Error('EBUSY: resource busy or locked, rename'), { code: 'EBUSY' }); return rename(from, to); };\n" +
        `require(${JSON.stringify(worker)});`,
    );
    const held = createWholeFileThreads({ workerFile: heldWorker, threads: 1 });
    try {
      await fs.writeFile(path.join(dir, 'held.bin'), 'old');
      const cancel = new AbortController();
      setTimeout(() => cancel.abort(), 200);
      const started = Date.now();
      await assert.rejects(held.commit({ target: path.join(dir, 'held.bin'), temporary: path.join(dir, '.held.partial'), bytes, replace: true }, cancel.signal), code('cancelled'));
      assert.ok(Date.now() - started < 1200, `${Date.now() - started} ms: the tries went on past the Cancel`);
      assert.equal(await fs.readFile(path.join(dir, 'held.bin'), 'utf8'), 'old');
      assert.deepEqual((await fs.readdir(dir)).sort(), ['held-worker.js', 'held.bin']);
      // Not cancelled, the same refusal is tried for 1.5 s, then said in-use.
      assert.equal(await held.commit({ target: path.join(dir, 'held.bin'), temporary: path.join(dir, '.held.partial'), bytes, replace: true }, new AbortController().signal), 'in-use');
      assert.deepEqual((await fs.readdir(dir)).sort(), ['held-worker.js', 'held.bin']);
    } finally {
      held.dispose();
    }
  });

  it('writes nothing of a commit cancelled while it waited its turn behind another, which ends whole', async () => {
    const one = createWholeFileThreads({ threads: 1 });
    try {
      // A commit that keeps the thread busy a while (its MD5 checked), then one queued behind it.
      const large = Buffer.alloc(64 * 1024 * 1024, 7);
      const first = one.commit({ target: path.join(dir, 'first.bin'), temporary: path.join(dir, '.first.partial'), bytes: large, replace: false, md5: createHash('md5').update(large).digest('hex') });
      const cancel = new AbortController();
      const queued = one.commit({ target: path.join(dir, 'queued.bin'), temporary: path.join(dir, '.queued.partial'), bytes, replace: false }, cancel.signal);
      cancel.abort();
      await assert.rejects(queued, code('cancelled'));
      assert.equal(await first, 'written');
      assert.deepEqual(await fs.readdir(dir), ['first.bin']);
      // Not cancelled, the same commit writes.
      assert.equal(await one.commit({ target: path.join(dir, 'queued.bin'), temporary: path.join(dir, '.queued.partial'), bytes, replace: false }, new AbortController().signal), 'written');
      await assert.rejects(one.commit({ target: path.join(dir, 'late.bin'), temporary: path.join(dir, '.late.partial'), bytes, replace: false }, cancel.signal), code('cancelled'));
      assert.deepEqual((await fs.readdir(dir)).sort(), ['first.bin', 'queued.bin']);
    } finally {
      one.dispose();
    }
  });

  it('writes nothing when the bytes are not the MD5 expected', async () => {
    assert.equal(await commit('damaged.bin', { md5: 'f'.repeat(32) }), 'damaged');
    assert.deepEqual(await fs.readdir(dir), []);
  });

  it('fails like fs does, with the code and path that make it a clear storage error', async () => {
    const missing = path.join(dir, 'no-such-folder', 'file.bin');
    const error = await files.commit({ target: missing, temporary: `${missing}.partial`, bytes, replace: false }).catch((failure: unknown) => failure);
    assert.equal((error as NodeJS.ErrnoException).code, 'ENOENT');
    const problem = toLogqsError(error);
    assert.equal(problem.code, 'storage');
    assert.match(problem.message, /no-such-folder/);
  });

  it('says a write the disk refuses (full) as the file system\'s refusal, not as a bug, and leaves no temporary file', async function () {
    if (!existsSync('/dev/full')) {
      this.skip(); // Linux's device that refuses every write with ENOSPC
    }
    // The real file thread, with every write going to /dev/full: Node's own ENOSPC, which (a write's) names no path.
    const worker = path.join(__dirname, '../../../src/adapters/files/wholeFileWorker.js');
    const full = path.join(dir, 'full-disk.js');
    await fs.writeFile(
      full,
      "const fs = require('node:fs'); const write = fs.writeSync; const device = fs.openSync('/dev/full', 'w');\n" +
        `fs.writeSync = (fd, ...rest) => write(device, ...rest); require(${JSON.stringify(worker)});`,
    );
    const filled = createWholeFileThreads({ workerFile: full });
    try {
      const error = await commitWith(filled, 'new.bin').catch((failure: unknown) => failure);
      const problem = toLogqsError(error);
      assert.equal(problem.code, 'storage', problem.message);
      assert.match(problem.message, /no space left/);
      assert.deepEqual((await fs.readdir(dir)).filter((name) => name !== 'full-disk.js'), []);
    } finally {
      filled.dispose();
    }
  });

  it('reads a whole file, and refuses one shorter or longer than it was listed', async () => {
    await fs.writeFile(path.join(dir, 'read.bin'), bytes);
    assert.deepEqual(Buffer.from(await files.read(path.join(dir, 'read.bin'), bytes.length)), bytes);
    await assert.rejects(files.read(path.join(dir, 'read.bin'), bytes.length + 1), code('changed'));
    // A log still being written: its first bytes are not the file.
    await assert.rejects(files.read(path.join(dir, 'read.bin'), bytes.length - 1), code('changed'));
  });

  it('leaves no temporary file of a commit whose thread died halfway through it', async () => {
    // A thread that stops (ended with the extension, out of memory) after it began the temporary file, before the rename.
    const dying = path.join(dir, 'dying-midway.js');
    await fs.writeFile(
      dying,
      "const { parentPort } = require('node:worker_threads'); const fs = require('node:fs');\n" +
        "parentPort.on('message', (request) => { fs.writeFileSync(request.commit.temporary, 'half'); process.exit(3); });",
    );
    const fragile = createWholeFileThreads({ workerFile: dying });
    try {
      await assert.rejects(commitWith(fragile, 'new.bin'), code('bug'));
      assert.deepEqual((await fs.readdir(dir)).filter((name) => name !== 'dying-midway.js'), []);
    } finally {
      fragile.dispose();
    }
  });

  /**
   * A commit on file threads whose opening of its temporary file is held in a system call no JavaScript can
   * interrupt (a slow or hung disk), once that call has begun. `sh -c script` stands in for the call: "$0" is the
   * temporary file, "$1" a marker the script makes as it begins.
   */
  async function commitHeldInOpen(script: string) {
    const worker = path.join(__dirname, '../../../src/adapters/files/wholeFileWorker.js');
    const wrapper = path.join(dir, 'held-open.js');
    const begun = path.join(dir, 'begun');
    await fs.writeFile(
      wrapper,
      "const fs = require('node:fs'); const { execFileSync } = require('node:child_process'); const open = fs.openSync;\n" +
        `fs.openSync = (file, ...rest) => { if (String(file).endsWith('.partial')) execFileSync('sh', ['-c', ${JSON.stringify(script)}, file, ${JSON.stringify(begun)}]); return open(file, ...rest); };\n` +
        `require(${JSON.stringify(worker)});`,
    );
    const threads = createWholeFileThreads({ workerFile: wrapper });
    const commit = commitWith(threads, 'new.bin').then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
    for (const deadline = Date.now() + 5000; !existsSync(begun) && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return { threads, commit };
  }

  it('leaves no temporary file of a commit under way when it is disposed of (the extension stopping), whatever its thread was doing', async function () {
    if (process.platform === 'win32') {
      this.skip(); // the held call is a POSIX shell's
    }
    this.timeout(10_000);
    // The call makes the file as it ends, after the thread was told to end.
    const { threads, commit } = await commitHeldInOpen(': > "$1"; sleep 0.4; : > "$0"');
    threads.dispose();
    const { error } = (await commit) as { error?: unknown };
    assert.ok(code('bug')(error), String(error));
    // Well past the held call's end: a thread still running then would have made its file by now.
    await new Promise((resolve) => setTimeout(resolve, 800));
    assert.deepEqual((await fs.readdir(dir)).sort(), ['begun', 'held-open.js']);
  });

  it('fails a commit under way when it is disposed of, even if its thread never ends (held in a system call, a network disk that hangs)', async function () {
    if (process.platform === 'win32') {
      this.skip(); // the held call is a POSIX shell's
    }
    this.timeout(10_000);
    const { threads, commit } = await commitHeldInOpen(': > "$1"; sleep 6; : > "$1-ended"');
    threads.dispose();
    const { error } = (await commit) as { error?: unknown };
    assert.ok(code('bug')(error), String(error));
    assert.ok(!existsSync(path.join(dir, 'begun-ended')), 'the commit waited for a thread that had not ended');
  });

  it('starts its threads when told commits are coming, before any request, and no more than it has; once disposed of, none, and requests are refused', async () => {
    const starts = path.join(dir, 'starts.log');
    const counting = path.join(dir, 'counting.js');
    // Each thread logs its start and answers every read with its thread id.
    await fs.writeFile(
      counting,
      `const { parentPort, threadId } = require('node:worker_threads'); require('node:fs').appendFileSync(${JSON.stringify(starts)}, 'started\\n');\n` +
        'parentPort.on(\'message\', (request) => setTimeout(() => parentPort.postMessage({ id: request.id, bytes: new Uint8Array([threadId]) }), 20));',
    );
    const started = async () => (existsSync(starts) ? (await fs.readFile(starts, 'utf8')).split('\n').filter(Boolean).length : 0);
    const prepared = createWholeFileThreads({ threads: 2, workerFile: counting });
    try {
      prepared.prepare?.();
      prepared.prepare?.();
      for (const deadline = Date.now() + 5000; (await started()) < 2 && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(await started(), 2, 'both threads started without a request');
      // Six reads at once go to the least busy threads: a third thread, had one been started, would answer some.
      const answers = await Promise.all(Array.from({ length: 6 }, () => prepared.read(counting, 1)));
      assert.equal(new Set(answers.map((bytes) => bytes[0])).size, 2);
    } finally {
      prepared.dispose();
    }
    prepared.prepare?.();
    await assert.rejects(prepared.read(counting, 1), code('cancelled'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(await started(), 2, 'none started once disposed of, by prepare or by a request');
  });

  it('fails the requests of a thread that dies, and starts a new one for the next', async () => {
    const dying = path.join(dir, 'dying.js');
    await fs.writeFile(dying, "require('node:worker_threads').parentPort.on('message', () => process.exit(3));");
    const fragile = createWholeFileThreads({ workerFile: dying });
    try {
      await assert.rejects(fragile.read(dying, 1), code('bug'));
      await assert.rejects(fragile.read(dying, 1), code('bug'));
    } finally {
      fragile.dispose();
    }
  });
});
