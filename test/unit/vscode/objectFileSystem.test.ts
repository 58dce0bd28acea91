import '../../support/vscodeStubInstalled';
import * as assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import * as vscode from 'vscode';
import { LogqsError } from '../../../src/core/errors';
import { ObjectService } from '../../../src/core/objectService';
import type { ObjectWriter } from '../../../src/core/ports';
import type { RangeReader } from '../../../src/core/transfer';
import { StoreSources } from '../../../src/core/sources';
import { sameEtag } from '../../../src/core/transfer';
import { MAX_DIRECTORY_ENTRIES, ObjectFileSystem, objectUri } from '../../../src/vscode/fileSystem/objectFileSystem';
import type { OpenedObjectsMemory } from '../../../src/vscode/fileSystem/openedObjects';
import type { RunJob } from '../../../src/vscode/ui';
import { memoryGateway, memorySource, validInput, writingService } from '../../support/memoryPorts';

/** The logqs: file system as VS Code's file service drives it, over keys in memory. */
describe('object file system', () => {
  async function setup(keys: string[], storeOverrides: Record<string, unknown> = {}, { log = () => undefined }: { log?: (line: string) => void } = {}) {
    const { gateway } = memoryGateway(keys);
    const objects = gateway;
    const detailsOf = (key: string) => (keys.includes(key) ? { key, size: 1, etag: '"e"', metadata: {} } : undefined);
    objects.fetchObject = async (key) => {
      const details = detailsOf(key);
      if (!details) {
        throw new LogqsError('not-found', `The object no longer exists`);
      }
      return { details, presignedUrl: `http://s3/${key}` };
    };
    const { source } = memorySource({ gateways: () => objects });
    const store = await source.create(validInput(storeOverrides));
    const puts: string[] = [];
    const changedStores: string[] = [];
    const writer = {
      headObject: async (key: string) => detailsOf(key),
      putObject: async (key: string) => {
        puts.push(key);
        return {};
      },
    } as unknown as ObjectWriter;
    const service = writingService(writer);
    const fileSystem = new ObjectFileSystem({
      sources: new StoreSources([source]),
      objects: service,
      openSizeLimitBytes: () => 100,
      confirmOverwrite: async () => true,
      log,
      objectsChanged: (storeId) => changedStores.push(storeId),
    });
    const uri = (key: string) => objectUri({ sourceId: source.id, storeId: store.id, key });
    return { fileSystem, puts, uri, store, changedStores, sourceId: source.id, source, service };
  }

  /** What VS Code's FileService.writeFile does for a file that doesn't exist: make its folders (mkdirp), then write. */
  async function saveNewFile(fileSystem: ObjectFileSystem, uri: vscode.Uri) {
    const missing: vscode.Uri[] = [];
    // Folders as VS Code names them: the file's path cut at a "/", no trailing "/"; the store's root is never asked.
    for (let dir = uri.with({ path: uri.path.slice(0, uri.path.lastIndexOf('/')) }); dir.path.length > 1; dir = dir.with({ path: dir.path.slice(0, dir.path.lastIndexOf('/')) })) {
      try {
        const stat = await fileSystem.stat(dir);
        assert.equal(stat.type, vscode.FileType.Directory, `${dir.path} exists but is not a folder`);
        break;
      } catch (error) {
        if (!String((error as Error).message).startsWith('FileNotFound')) {
          throw error;
        }
        missing.unshift(dir);
      }
    }
    for (const dir of missing) {
      await fileSystem.createDirectory(dir);
    }
    await fileSystem.writeFile(uri, new Uint8Array([1]));
  }


  it('waits for the connections restored at start-up before it says a restored tab\'s object is not there', async () => {
    const { source, service, uri } = await setup(['a.txt']);
    const sources = new StoreSources([]);
    let restore: () => void = () => undefined;
    const restored = new Promise<void>((resolve) => (restore = resolve));
    const fileSystem = new ObjectFileSystem({
      sources,
      objects: service,
      openSizeLimitBytes: () => 100,
      confirmOverwrite: async () => true,
      log: () => undefined,
      objectsChanged: () => undefined,
      sourcesRestored: () => restored,
    });
    // VS Code reads a tab restored with the window as soon as the extension activates, before its DataStore is connected again.
    const stat = fileSystem.stat(uri('a.txt'));
    setTimeout(() => {
      sources.add(source);
      restore();
    }, 20);
    assert.equal((await stat).type, vscode.FileType.File);
    // A source not among those restored is not there.
    await assert.rejects(fileSystem.stat(uri('a.txt').with({ query: 'source=gone' })), /no longer connected/);
  });
  it('opens the store\'s root and the folders above the key prefix as folders that lead to it (breadcrumbs, Save As going up)', async () => {
    const { fileSystem, uri } = await setup(['team/logs/a.txt', 'team/logs/run 1/b.txt'], { key_prefix: 'team/logs/' });
    assert.equal((await fileSystem.stat(uri(''))).type, vscode.FileType.Directory);
    assert.deepEqual(await fileSystem.readDirectory(uri('')), [['team', vscode.FileType.Directory]]);
    assert.deepEqual(await fileSystem.readDirectory(uri('team')), [['logs', vscode.FileType.Directory]]);
    assert.deepEqual(await fileSystem.readDirectory(uri('team/logs')), [
      ['run 1', vscode.FileType.Directory],
      ['a.txt', vscode.FileType.File],
    ]);
    const unscoped = await setup(['a.txt', 'logs/b.txt']);
    assert.deepEqual(await unscoped.fileSystem.readDirectory(unscoped.uri('')), [
      ['logs', vscode.FileType.Directory],
      ['a.txt', vscode.FileType.File],
    ]);
  });

  it('lists the folder a key prefix ends inside of ("reports/2024.") with the prefix\'s objects, not a folder "2024." that isn\'t there', async () => {
    const { fileSystem, uri } = await setup(['reports/2024.README', 'reports/2024.q1/a.txt'], { key_prefix: 'reports/2024.' });
    assert.deepEqual(await fileSystem.readDirectory(uri('')), [['reports', vscode.FileType.Directory]]);
    assert.deepEqual(await fileSystem.readDirectory(uri('reports')), [
      ['2024.q1', vscode.FileType.Directory],
      ['2024.README', vscode.FileType.File],
    ]);
    for (const [name, type] of await fileSystem.readDirectory(uri('reports'))) {
      assert.equal((await fileSystem.stat(uri(`reports/${name}`))).type, type, name);
    }
  });

  it('makes a new file\'s folder in the folder a key prefix ends inside of ("reports/2024.new/" of the prefix "reports/2024.")', async () => {
    const { fileSystem, puts, uri } = await setup(['reports/2024.README'], { key_prefix: 'reports/2024.' });
    await saveNewFile(fileSystem, uri('reports/2024.new/x.txt'));
    assert.deepEqual(puts, ['reports/2024.new/', 'reports/2024.new/x.txt']);
  });

  it('says a folder is a folder when VS Code names it without the trailing "/", the key prefix and its parents included', async () => {
    const { fileSystem, uri } = await setup(['team/logs/run 1/a.txt'], { key_prefix: 'team/logs/' });
    for (const key of ['team/logs/run 1', 'team/logs', 'team']) {
      assert.equal((await fileSystem.stat(uri(key))).type, vscode.FileType.Directory, key);
    }
    await assert.rejects(fileSystem.stat(uri('team/logs/run 2')), /FileNotFound/);
  });

  it('says the key prefix\'s folder is a folder even when an object inside it has the folder\'s name ("logs/logs"), and knows no file outside the prefix', async () => {
    const { fileSystem, puts, uri } = await setup(['logs/logs', 'logs/a.txt'], { key_prefix: 'logs/' });
    assert.equal((await fileSystem.stat(uri('logs'))).type, vscode.FileType.Directory);
    assert.equal((await fileSystem.stat(uri('logs/logs'))).type, vscode.FileType.File);
    // "a.txt" is not "logs/a.txt": the URI names the full key.
    await assert.rejects(fileSystem.stat(uri('a.txt')), /FileNotFound/);
    await saveNewFile(fileSystem, uri('logs/run 2/new.txt'));
    assert.deepEqual(puts, ['logs/run 2/', 'logs/run 2/new.txt']);
  });

  it('saves a new file into an existing folder of a key-prefixed store without making folders nobody asked for', async () => {
    const { fileSystem, puts, uri } = await setup(['logs/run 1/a.txt'], { key_prefix: 'logs/' });
    await saveNewFile(fileSystem, uri('logs/run 1/new.txt'));
    assert.deepEqual(puts, ['logs/run 1/new.txt']);
  });

  it('makes the missing folder of a new file under the key prefix, never a copy of the prefix inside itself', async () => {
    const { fileSystem, puts, uri } = await setup(['logs/run 1/a.txt'], { key_prefix: 'logs/' });
    await saveNewFile(fileSystem, uri('logs/run 2/new.txt'));
    assert.deepEqual(puts, ['logs/run 2/', 'logs/run 2/new.txt']);
  });

  it('makes a new file\'s missing folder by its exact name, spaces kept, where the file then goes (Save As to "logs/ run 1/x.txt")', async () => {
    const { fileSystem, puts, uri } = await setup([], { key_prefix: 'logs/' });
    await saveNewFile(fileSystem, uri('logs/ run 1/x.txt'));
    assert.deepEqual(puts, ['logs/ run 1/', 'logs/ run 1/x.txt']);
  });

  it('tells the tree a save changed the store, so a new object (and its new folder) shows there', async () => {
    const { fileSystem, uri, store, changedStores } = await setup(['logs/run 1/a.txt'], { key_prefix: 'logs/' });
    await saveNewFile(fileSystem, uri('logs/run 2/new.txt'));
    assert.ok(changedStores.length > 0 && changedStores.every((id) => id === store.id), changedStores.join(', '));
  });

  it('says the objects open in tabs changed when their store is made read-only, so VS Code reads them again; not for a note', async () => {
    const { fileSystem, uri, store, sourceId, source } = await setup(['logs/a.txt'], { key_prefix: 'logs/' });
    await fileSystem.writeFile(uri('logs/a.txt'), new Uint8Array([1]));
    const seen: string[] = [];
    fileSystem.onDidChangeFile((events) => events.forEach((event) => seen.push(event.uri.path)));
    await source.update(store.id, { note: 'a note' });
    await fileSystem.storesChanged(sourceId, [store.id]);
    assert.deepEqual(seen, [], 'a note changes nothing a tab may do: nothing is read again');
    await source.update(store.id, { read_only: true });
    await fileSystem.storesChanged('another-source', [store.id]);
    await fileSystem.storesChanged(sourceId, ['another-store']);
    assert.deepEqual(seen, [], 'tabs of other stores are left alone');
    await fileSystem.storesChanged(sourceId, [store.id]);
    assert.deepEqual(seen, ['/logs/a.txt']);
  });

  it('makes the open tabs of a store read-only when it is disabled, and says them as they were without asking the store', async () => {
    const { fileSystem, uri, store, sourceId, source } = await setup(['logs/a.txt'], { key_prefix: 'logs/' });
    await fileSystem.writeFile(uri('logs/a.txt'), new Uint8Array([1]));
    const before = await fileSystem.stat(uri('logs/a.txt'));
    assert.equal(before.permissions, undefined);
    const seen: string[] = [];
    fileSystem.onDidChangeFile((events) => events.forEach((event) => seen.push(event.uri.path)));
    await source.update(store.id, { disabled: true });
    await fileSystem.storesChanged(sourceId, [store.id]);
    assert.deepEqual(seen, ['/logs/a.txt']);
    const after = await fileSystem.stat(uri('logs/a.txt'));
    assert.deepEqual([after.permissions, after.size, after.mtime], [vscode.FilePermission.Readonly, before.size, before.mtime]);
    await assert.rejects(fileSystem.writeFile(uri('logs/a.txt'), new Uint8Array([2])), /is disabled/);
  });

  it('logs why an object could not be opened or saved (the editor shows the message only), not a refusal by the store\'s own rules', async () => {
    const logged: string[] = [];
    const { fileSystem, uri } = await setup(['logs/a.txt', 'a.txt'], { key_prefix: 'logs/' }, { log: (line: string) => logged.push(line) });
    await assert.rejects(fileSystem.readFile(uri('logs/gone.txt')), /FileNotFound/);
    assert.equal(logged.length, 1, logged.join('\n'));
    assert.match(logged[0], /^Opening logs\/gone\.txt: \[not-found\]/);
    // A key outside the prefix is not permitted (not a passing failure), and not logged: the editor asks such things of breadcrumbs.
    await assert.rejects(fileSystem.readFile(uri('a.txt')), (error: Error) => /NoPermissions/.test(error.message));
    assert.equal(logged.length, 1, logged.join('\n'));
  });

  it('refuses to open or save a key outside the key prefix instead of reading or writing another object', async () => {
    // A hand-made URI, or a tab opened before the store got its key prefix: the URI names the full key.
    const { fileSystem, puts, uri } = await setup(['logs/a.txt', 'a.txt'], { key_prefix: 'logs/' });
    await assert.rejects(fileSystem.readFile(uri('a.txt')), /outside this object store's key prefix/);
    await assert.rejects(fileSystem.writeFile(uri('a.txt'), new Uint8Array([1])), /outside this object store's key prefix/);
    assert.deepEqual(puts, []);
  });

  it('makes no folder for a new file whose folder is outside the key prefix (a path typed into Save As), not even one under the prefix', async () => {
    const { fileSystem, puts, uri } = await setup(['logs/a.txt'], { key_prefix: 'logs/' });
    await assert.rejects(saveNewFile(fileSystem, uri('other/new.txt')), /outside this object store's key prefix/);
    await assert.rejects(fileSystem.createDirectory(uri('logs')), /FileExists/);
    assert.deepEqual(puts, []);
  });

  it('lists a folder of more than one page of keys whole (the Save As dialog browses it)', async () => {
    const keys = Array.from({ length: 1005 }, (_, index) => `logs/run 1/${String(index).padStart(4, '0')}.txt`);
    const { fileSystem, uri } = await setup(keys, { key_prefix: 'logs/' });
    const entries = await fileSystem.readDirectory(uri('logs/run 1'));
    assert.equal(entries.length, 1005);
    assert.deepEqual(entries.at(-1), ['1004.txt', vscode.FileType.File]);
  });

  it('lists only the first pages of a folder of millions for the Save As dialog, not every key before it shows', async () => {
    const keys = Array.from({ length: MAX_DIRECTORY_ENTRIES + 1500 }, (_, index) => `logs/many/${String(index).padStart(6, '0')}.txt`);
    const { fileSystem, uri } = await setup(keys, { key_prefix: 'logs/' });
    const entries = await fileSystem.readDirectory(uri('logs/many'));
    assert.equal(entries.length, MAX_DIRECTORY_ENTRIES);
  });

  it('lists a folder VS Code names without the trailing "/"', async () => {
    const { fileSystem, uri } = await setup(['logs/run 1/a.txt', 'logs/run 1/deeper/b.txt'], { key_prefix: 'logs/' });
    assert.deepEqual(await fileSystem.readDirectory(uri('logs/run 1')), [
      ['deeper', vscode.FileType.Directory],
      ['a.txt', vscode.FileType.File],
    ]);
  });
});

/** Open then save, over a bucket in memory that keeps each object's bytes, ETag, Content-Type and user metadata as S3 does. */
describe('object file system: saving back', () => {
  interface Stored {
    bytes: Uint8Array;
    etag: string;
    lastModified: Date;
    contentType?: string;
    metadata: Record<string, string>;
  }

  async function bucketSetup(options: { headEtag?: (etag: string) => string; writerMayNotRead?: boolean; runJob?: RunJob; memory?: OpenedObjectsMemory; refusesConditions?: boolean; hasUnsavedChanges?: () => boolean; hasUnsavedDocument?: () => boolean; putAnswersNoEtag?: boolean; declines?: boolean } = {}) {
    const bucket = new Map<string, Stored>();
    let version = 0;
    const headEtag = options.headEtag ?? ((etag: string) => etag);
    const { gateway } = memoryGateway([]);
    const detailsOf = (key: string) => {
      const stored = bucket.get(key);
      return stored && { key, size: stored.bytes.byteLength, etag: headEtag(stored.etag), lastModified: stored.lastModified, contentType: stored.contentType, metadata: { ...stored.metadata } };
    };
    gateway.fetchObject = async (key) => {
      const details = detailsOf(key);
      if (!details) {
        throw new LogqsError('not-found', 'The object no longer exists');
      }
      return { details, presignedUrl: `http://s3/${encodeURIComponent(key)}` };
    };
    const put = (key: string, bytes: Uint8Array, rest: { contentType?: string; metadata?: Record<string, string> } = {}) => {
      // S3 PutObject replaces the object whole: what isn't sent is gone.
      const etag = `"etag-${++version}"`;
      // Each version a second later than the one before, as S3's Last-Modified (whole seconds) would be.
      const lastModified = new Date(Date.UTC(2026, 11, 2) + version * 1000);
      bucket.set(key, { bytes, etag, lastModified, contentType: rest.contentType ?? 'application/octet-stream', metadata: rest.metadata ?? {} });
      return { etag };
    };
    const writer = {
      headObject: async (key: string) => {
        if (options.writerMayNotRead) {
          throw new LogqsError('forbidden', 'Access denied to bucket "b"', { status: 403 });
        }
        return detailsOf(key);
      },
      putObject: async (key: string, bytes: Uint8Array, rest?: { contentType?: string; metadata?: Record<string, string>; ifMatch?: string }) => {
        // As S3 does with If-Match: written only while the object is still that version.
        const there = bucket.get(key)?.etag;
        if (rest?.ifMatch !== undefined && (there === undefined || !sameEtag(there, rest.ifMatch) || options.refusesConditions)) {
          throw new LogqsError('changed', 'At least one of the pre-conditions you specified did not hold');
        }
        const answer = put(key, bytes, rest);
        return options.putAnswersNoEtag ? {} : answer;
      },
    } as unknown as ObjectWriter;
    const http = {
      get: async (url: string, range: { start: number; end?: number }) => {
        const stored = bucket.get(decodeURIComponent(url.slice('http://s3/'.length)))!;
        const end = range.end ?? stored.bytes.byteLength - 1;
        return { status: 206, etag: stored.etag, totalSize: stored.bytes.byteLength, start: range.start, body: Readable.from([Buffer.from(stored.bytes.subarray(range.start, end + 1))]) };
      },
    } as unknown as RangeReader;
    const { source } = memorySource({ gateways: () => gateway });
    const store = await source.create(validInput());
    const service = new ObjectService({
      writers: () => writer,
      http,
      files: undefined as never,
      settings: () => ({ partSizeBytes: 5 * 1024 * 1024, partConcurrency: 1, loopbackPartConcurrency: 1, fileConcurrency: 1, presignExpirySeconds: 3600 }),
      log: () => undefined,
    });
    const confirmations: string[] = [];
    const logged: string[] = [];
    /** What the Object Stores view was told to show again (see ObjectTreeModel.objectsChanged). */
    const viewRedrawn: { key: string; size?: number; created?: boolean }[] = [];
    /** What the person does when asked to overwrite (after it, they answer Overwrite). */
    const whileAsked: (() => void)[] = [];
    const deps = {
      sources: new StoreSources([source]),
      objects: service,
      openSizeLimitBytes: () => 1024,
      confirmOverwrite: async (_key: string, reason: string, deleted: boolean) => {
        confirmations.push(`${reason}${deleted ? ' (deleted)' : ''}`);
        whileAsked.shift()?.();
        return !options.declines;
      },
      log: (line: string) => void logged.push(line),
      objectsChanged: (storeId: string, key: string, saved?: { size: number; created?: boolean }) =>
        void viewRedrawn.push({ key, size: saved?.size, ...(saved?.created === undefined ? {} : { created: saved.created }) }),
      runJob: options.runJob,
      memory: options.memory,
      hasUnsavedChanges: options.hasUnsavedChanges,
      // Unless said otherwise, the unsaved changes are a text tab's.
      hasUnsavedDocument: options.hasUnsavedDocument ?? options.hasUnsavedChanges,
    };
    const fileSystem = new ObjectFileSystem(deps);
    const uri = (key: string) => objectUri({ sourceId: source.id, storeId: store.id, key });
    /** The file system of the window reloaded: what it kept is only what `memory` kept. */
    const reloaded = () => new ObjectFileSystem(deps);
    return { fileSystem, bucket, put, uri, confirmations, whileAsked, reloaded, viewRedrawn, logged };
  }

  /** A workspace's state, as VS Code keeps it from one session of the window to the next. */
  function workspaceMemory(): OpenedObjectsMemory {
    const kept = new Map<string, unknown>();
    return {
      get: (key) => kept.get(key),
      update: async (key, value) => void kept.set(key, JSON.parse(JSON.stringify(value))),
    };
  }

  it('keeps the object\'s Content-Type and user metadata when it is saved back', async () => {
    const { fileSystem, bucket, put, uri } = await bucketSetup();
    put('config/robot.json', Buffer.from('{}'), { contentType: 'application/json', metadata: { robot: 'r2', run: '7' } });
    await fileSystem.readFile(uri('config/robot.json'));
    await fileSystem.writeFile(uri('config/robot.json'), Buffer.from('{"a":1}'));
    const saved = bucket.get('config/robot.json')!;
    assert.equal(Buffer.from(saved.bytes).toString(), '{"a":1}');
    assert.equal(saved.contentType, 'application/json');
    assert.deepEqual(saved.metadata, { robot: 'r2', run: '7' });
  });

  it('saves back with credentials that may write but not read (a write-only policy), the version still checked through the store', async () => {
    const { fileSystem, bucket, put, uri, confirmations } = await bucketSetup({ writerMayNotRead: true });
    put('notes.txt', Buffer.from('a'));
    await fileSystem.readFile(uri('notes.txt'));
    await fileSystem.writeFile(uri('notes.txt'), Buffer.from('ab'));
    assert.equal(Buffer.from(bucket.get('notes.txt')!.bytes).toString(), 'ab');
    assert.deepEqual(confirmations, []);
    put('notes.txt', Buffer.from('someone else'));
    await fileSystem.writeFile(uri('notes.txt'), Buffer.from('abc'));
    assert.equal(confirmations.length, 1);
  });

  it('keeps an "Open Anyway" to the size agreed: read again it opens, grown since it asks again', async () => {
    const { fileSystem, put, uri } = await bucketSetup();
    put('big.bin', new Uint8Array(2000));
    await assert.rejects(fileSystem.readFile(uri('big.bin')), /more than/);
    fileSystem.allowLarge(uri('big.bin'));
    assert.equal((await fileSystem.readFile(uri('big.bin'))).byteLength, 2000);
    // VS Code reads again: Revert, Reopen Closed Editor, a binary file's "Open Anyway".
    assert.equal((await fileSystem.readFile(uri('big.bin'))).byteLength, 2000);
    put('big.bin', new Uint8Array(50_000));
    await assert.rejects(fileSystem.readFile(uri('big.bin')), /more than/);
  });

  it('shows in the view the size of an object grown past the limit since it was listed, so that opening it again asks first', async () => {
    const { fileSystem, put, uri, viewRedrawn } = await bucketSetup();
    put('growing.log', new Uint8Array(10));
    await fileSystem.readFile(uri('growing.log'));
    assert.deepEqual(viewRedrawn, []);
    put('growing.log', new Uint8Array(5000));
    await assert.rejects(fileSystem.readFile(uri('growing.log')), /is 5\.0 KB, more than the 1\.0 KB that open in an editor; download it instead/);
    assert.deepEqual(viewRedrawn, [{ key: 'growing.log', size: 5000, created: false }]);
  });

  it('tells the view whether a save made the object (its folders may be new) or replaced one (no listing changes)', async () => {
    const { fileSystem, put, uri, viewRedrawn } = await bucketSetup();
    put('notes.txt', Buffer.from('a'));
    await fileSystem.readFile(uri('notes.txt'));
    await fileSystem.writeFile(uri('notes.txt'), Buffer.from('ab'));
    await fileSystem.writeFile(uri('new/one.txt'), Buffer.from('new'));
    assert.deepEqual(viewRedrawn, [{ key: 'notes.txt', size: 2, created: false }, { key: 'new/one.txt', size: 3, created: true }]);
  });

  it('reads an object opened with "Open Anyway" under a notification whose Cancel stops it, and a small one at once', async () => {
    const jobs: string[] = [];
    const cancelledAtOnce: RunJob = async (title, job) => {
      jobs.push(title);
      const controller = new AbortController();
      controller.abort();
      return job(controller.signal, () => undefined);
    };
    const { fileSystem, put, uri } = await bucketSetup({ runJob: cancelledAtOnce });
    put('big.bin', new Uint8Array(2000));
    put('small.txt', new Uint8Array(10));
    assert.equal((await fileSystem.readFile(uri('small.txt'))).byteLength, 10);
    assert.deepEqual(jobs, []);
    fileSystem.allowLarge(uri('big.bin'));
    await assert.rejects(fileSystem.readFile(uri('big.bin')), /cancel/i);
    assert.deepEqual(jobs, ['Opening "big.bin"']);
  });

  it('reads again an object opened with "Open Anyway" after its own tab saved it larger (Revert, Reopen Closed Editor)', async () => {
    const { fileSystem, put, uri } = await bucketSetup();
    put('big.log', new Uint8Array(2000));
    fileSystem.allowLarge(uri('big.log'));
    await fileSystem.readFile(uri('big.log'));
    await fileSystem.writeFile(uri('big.log'), new Uint8Array(2100));
    assert.equal((await fileSystem.readFile(uri('big.log'))).byteLength, 2100);
    put('big.log', new Uint8Array(50_000));
    await assert.rejects(fileSystem.readFile(uri('big.log')), /more than/);
  });

  it('saves twice in a row without asking, when the server passes ETags on unquoted', async () => {
    const { fileSystem, put, uri, confirmations } = await bucketSetup({ headEtag: (etag) => etag.replace(/"/g, '') });
    put('notes.txt', Buffer.from('a'));
    await fileSystem.readFile(uri('notes.txt'));
    await fileSystem.writeFile(uri('notes.txt'), Buffer.from('ab'));
    await fileSystem.writeFile(uri('notes.txt'), Buffer.from('abc'));
    assert.deepEqual(confirmations, []);
  });

  it('compares the second save with the ETag the first save made, and asks when someone wrote in between', async () => {
    const { fileSystem, put, uri, confirmations } = await bucketSetup();
    put('notes.txt', Buffer.from('a'));
    await fileSystem.readFile(uri('notes.txt'));
    await fileSystem.writeFile(uri('notes.txt'), Buffer.from('ab'));
    await fileSystem.writeFile(uri('notes.txt'), Buffer.from('abc'));
    assert.deepEqual(confirmations, []);
    put('notes.txt', Buffer.from('someone else'));
    await fileSystem.writeFile(uri('notes.txt'), Buffer.from('abcd'));
    assert.equal(confirmations.length, 1);
  });

  it('saves one object\'s two editors saved at once (Save All) one after the other, the second checked against the first\'s version', async () => {
    const { fileSystem, put, uri, confirmations, bucket } = await bucketSetup();
    put('notes.txt', Buffer.from('a'));
    await fileSystem.readFile(uri('notes.txt'));
    await Promise.all([fileSystem.writeFile(uri('notes.txt'), Buffer.from('from the text editor')), fileSystem.writeFile(uri('notes.txt'), Buffer.from('from the hex editor'))]);
    assert.deepEqual(confirmations, [], 'the first save is no change by someone else');
    assert.equal(Buffer.from(bucket.get('notes.txt')!.bytes).toString(), 'from the hex editor');
  });

  it('overwrites only the version the person was asked about: one written while they were asked is asked about too', async () => {
    const { fileSystem, bucket, put, uri, confirmations, whileAsked } = await bucketSetup();
    put('notes.txt', Buffer.from('a'));
    await fileSystem.readFile(uri('notes.txt'));
    put('notes.txt', Buffer.from('colleague B'));
    whileAsked.push(() => put('notes.txt', Buffer.from('colleague C')));
    await fileSystem.writeFile(uri('notes.txt'), Buffer.from('mine'));
    assert.equal(confirmations.length, 2, 'C, written while B was asked about, was asked about too');
    assert.equal(Buffer.from(bucket.get('notes.txt')!.bytes).toString(), 'mine', 'then overwritten, as the person said');
  });

  it('tells the other editors of an object to read it again when one reads a newer version, which its saves are then checked against', async () => {
    const { fileSystem, put, uri } = await bucketSetup();
    const told: string[] = [];
    fileSystem.onDidChangeFile((events) => events.forEach((event) => told.push(event.uri.path)));
    put('notes.txt', Buffer.from('a'));
    await fileSystem.readFile(uri('notes.txt'));
    await fileSystem.readFile(uri('notes.txt'));
    assert.deepEqual(told, [], 'the same version read again changes nothing');
    put('notes.txt', Buffer.from('colleague'));
    // A second editor (the hex editor) opens it: the text tab still shows "a".
    await fileSystem.readFile(uri('notes.txt'));
    assert.deepEqual(told, ['/notes.txt']);
  });

  it('keeps the newer version when Overwrite is declined, and logs no failure for what the person chose', async () => {
    const { fileSystem, bucket, put, uri, confirmations, logged } = await bucketSetup({ declines: true });
    put('notes.txt', Buffer.from('a'));
    await fileSystem.readFile(uri('notes.txt'));
    put('notes.txt', Buffer.from('colleague'));
    await assert.rejects(fileSystem.writeFile(uri('notes.txt'), Buffer.from('mine')), /changed in .* since it was opened/);
    assert.equal(confirmations.length, 1);
    assert.equal(Buffer.from(bucket.get('notes.txt')!.bytes).toString(), 'colleague');
    assert.deepEqual(logged.filter((line) => line.startsWith('Saving')), []);
  });

  it('asks whether to save again an object deleted on the server since it was opened, saying it was deleted, not changed', async () => {
    const { fileSystem, bucket, put, uri, confirmations } = await bucketSetup();
    put('notes.txt', Buffer.from('a'));
    await fileSystem.readFile(uri('notes.txt'));
    bucket.delete('notes.txt');
    await fileSystem.writeFile(uri('notes.txt'), Buffer.from('mine'));
    assert.equal(confirmations.length, 1);
    assert.match(confirmations[0], /was deleted from .* since it was opened \(deleted\)$/);
    assert.equal(Buffer.from(bucket.get('notes.txt')!.bytes).toString(), 'mine');
  });

  it('checks the save of a tab restored unsaved after a reload against the version it was opened as, not the one there now', async () => {
    const memory = workspaceMemory();
    const { fileSystem, put, uri, confirmations, reloaded } = await bucketSetup({ memory });
    put('config/robot.yaml', Buffer.from('speed: 10'));
    await fileSystem.readFile(uri('config/robot.yaml'));
    // The window reloads; VS Code restores the tab's unsaved text from its backup, without reading the object again.
    const afterReload = reloaded();
    put('config/robot.yaml', Buffer.from('speed: 20'));
    await afterReload.writeFile(uri('config/robot.yaml'), Buffer.from('speed: 15'));
    assert.equal(confirmations.length, 1, 'the colleague\'s change is not written over unasked');
    assert.match(confirmations[0], /changed in .* since it was opened/);
  });

  it('asks once, then says the refusal, when the server refuses to write on the very version it reports (no endless questions)', async () => {
    const { fileSystem, bucket, put, uri, confirmations } = await bucketSetup({ refusesConditions: true });
    put('notes.txt', Buffer.from('a'));
    await fileSystem.readFile(uri('notes.txt'));
    put('notes.txt', Buffer.from('colleague'));
    await assert.rejects(fileSystem.writeFile(uri('notes.txt'), Buffer.from('mine')), /was not saved: the server refused to write over the version it reports, even after Overwrite/);
    assert.equal(confirmations.length, 1);
    assert.equal(Buffer.from(bucket.get('notes.txt')!.bytes).toString(), 'colleague');
  });

  it('keeps checking a tab with unsaved changes against the version they were made to, when the object is read again meanwhile', async () => {
    let dirty = false;
    const { fileSystem, bucket, put, uri, confirmations } = await bucketSetup({ hasUnsavedChanges: () => dirty });
    put('notes.txt', Buffer.from('a'));
    await fileSystem.readFile(uri('notes.txt'));
    dirty = true;
    // Of the same size: VS Code's own check can't see it (see the next tests).
    put('notes.txt', Buffer.from('b'));
    // The same object opened again elsewhere (Reopen Editor With… the hex editor) while the text tab is dirty.
    await fileSystem.readFile(uri('notes.txt'));
    await fileSystem.writeFile(uri('notes.txt'), Buffer.from('mine'));
    assert.equal(confirmations.length, 1, 'the colleague\'s version is not written over unasked');
    assert.equal(Buffer.from(bucket.get('notes.txt')!.bytes).toString(), 'mine');
    // Saved, the tab is clean: a read now is the version its next changes are made to.
    dirty = false;
    await fileSystem.readFile(uri('notes.txt'));
    await fileSystem.writeFile(uri('notes.txt'), Buffer.from('mine again'));
    assert.equal(confirmations.length, 1);
  });

  it('does not ask again about a change VS Code itself has just asked about ("the content of the file is newer") and was told to overwrite', async () => {
    // VS Code refuses a text editor's save when the modified time went past the one it knows and the size changed.
    const { fileSystem, bucket, put, uri, confirmations } = await bucketSetup({ hasUnsavedChanges: () => true });
    put('notes.txt', Buffer.from('a'));
    await fileSystem.readFile(uri('notes.txt'));
    put('notes.txt', Buffer.from('colleague'));
    // VS Code's own check before the save: a stat, which finds the colleague's version and makes VS Code ask.
    await fileSystem.stat(uri('notes.txt'));
    await fileSystem.writeFile(uri('notes.txt'), Buffer.from('mine'));
    assert.deepEqual(confirmations, [], 'one question for one change: VS Code\'s');
    assert.equal(Buffer.from(bucket.get('notes.txt')!.bytes).toString(), 'mine');
  });

  it('asks about a version written while VS Code asked about another, which VS Code never showed', async () => {
    const { fileSystem, bucket, put, uri, confirmations } = await bucketSetup({ hasUnsavedChanges: () => true });
    put('notes.txt', Buffer.from('a'));
    await fileSystem.readFile(uri('notes.txt'));
    put('notes.txt', Buffer.from('colleague'));
    await fileSystem.stat(uri('notes.txt'));
    // Written while VS Code's question was open; its Overwrite then saves (with a stat of its own, which it checks no more).
    put('notes.txt', Buffer.from('a second colleague'));
    await fileSystem.stat(uri('notes.txt'));
    await fileSystem.writeFile(uri('notes.txt'), Buffer.from('mine'));
    assert.equal(confirmations.length, 1);
    assert.equal(Buffer.from(bucket.get('notes.txt')!.bytes).toString(), 'mine');
  });

  it('asks about a change VS Code\'s own check can\'t see (the same size), and about any save not made from a text editor', async () => {
    const sameSize = await bucketSetup({ hasUnsavedChanges: () => true });
    sameSize.put('notes.txt', Buffer.from('a'));
    await sameSize.fileSystem.readFile(sameSize.uri('notes.txt'));
    sameSize.put('notes.txt', Buffer.from('b'));
    await sameSize.fileSystem.stat(sameSize.uri('notes.txt'));
    await sameSize.fileSystem.writeFile(sameSize.uri('notes.txt'), Buffer.from('mine'));
    assert.equal(sameSize.confirmations.length, 1);
    // The hex editor, or an extension, writes without VS Code's check: its tab has unsaved changes, but no text document.
    const hexEditor = await bucketSetup({ hasUnsavedChanges: () => true, hasUnsavedDocument: () => false });
    hexEditor.put('data.bin', Buffer.from('a'));
    await hexEditor.fileSystem.readFile(hexEditor.uri('data.bin'));
    hexEditor.put('data.bin', Buffer.from('colleague'));
    await hexEditor.fileSystem.stat(hexEditor.uri('data.bin'));
    await hexEditor.fileSystem.writeFile(hexEditor.uri('data.bin'), Buffer.from('mine'));
    assert.equal(hexEditor.confirmations.length, 1);
  });

  it('after a save, compares with the version VS Code was told of then (its stat of what was saved), not the one opened', async () => {
    const { fileSystem, put, uri, confirmations } = await bucketSetup({ hasUnsavedChanges: () => true });
    put('notes.txt', Buffer.from('a'));
    await fileSystem.readFile(uri('notes.txt'));
    await fileSystem.writeFile(uri('notes.txt'), Buffer.from('ab'));
    // What VS Code does after each write: it asks the file system what the file now is.
    await fileSystem.stat(uri('notes.txt'));
    // The size of the save, not of the version opened: VS Code's check can't see this change, so it is asked about here.
    put('notes.txt', Buffer.from('xy'));
    await fileSystem.writeFile(uri('notes.txt'), Buffer.from('abc'));
    assert.equal(confirmations.length, 1);
    // Another size than the save's: VS Code asked about this one itself (its stat before the save finds it).
    await fileSystem.stat(uri('notes.txt'));
    put('notes.txt', Buffer.from('a longer text'));
    await fileSystem.stat(uri('notes.txt'));
    await fileSystem.writeFile(uri('notes.txt'), Buffer.from('abcd'));
    assert.equal(confirmations.length, 1);
  });

  it('checks the save after a save against the version saved, when the server\'s PUT answers without an ETag', async () => {
    const { fileSystem, put, uri, confirmations } = await bucketSetup({ putAnswersNoEtag: true });
    put('notes.txt', Buffer.from('a'));
    await fileSystem.readFile(uri('notes.txt'));
    await fileSystem.writeFile(uri('notes.txt'), Buffer.from('ab'));
    await fileSystem.writeFile(uri('notes.txt'), Buffer.from('abc'));
    assert.deepEqual(confirmations, [], 'its own saves are no change');
    put('notes.txt', Buffer.from('someone else'));
    await fileSystem.writeFile(uri('notes.txt'), Buffer.from('abcd'));
    assert.equal(confirmations.length, 1);
  });

  it('follows every read-only change of a store in its open tabs, not only the first', async () => {
    const { fileSystem, uri } = await bucketSetup();
    const { source, store, sourceId } = await (async () => {
      const sources = (fileSystem as unknown as { deps: { sources: StoreSources } }).deps.sources;
      const [only] = sources.all();
      return { source: only, store: (await only.list())[0], sourceId: only.id };
    })();
    await fileSystem.writeFile(uri('notes.txt'), Buffer.from('a'));
    const seen: string[] = [];
    fileSystem.onDidChangeFile((events) => events.forEach((event) => seen.push(event.uri.path)));
    for (const readOnly of [true, false, true]) {
      await source.update(store.id, { read_only: readOnly });
      await fileSystem.storesChanged(sourceId, [store.id]);
    }
    assert.deepEqual(seen, ['/notes.txt', '/notes.txt', '/notes.txt'], 'read-only, writable again, read-only again');
  });
});
