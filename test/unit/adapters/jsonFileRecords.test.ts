import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { LockedJsonFile, withFileLock, writeJsonFile } from '../../../src/adapters/files/jsonDocument';
import { JsonFileRecordRepository } from '../../../src/adapters/files/jsonFileRecords';
import { readManagedStoresFile } from '../../../src/adapters/files/managedStoresFile';
import { LogqsError } from '../../../src/core/errors';
import { memorySource, validInput } from '../../support/memoryPorts';

/** A fresh temporary folder for each test of the calling describe block. */
function useTemporaryFolder(): () => string {
  let dir = '';
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'logqs-test-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });
  return () => dir;
}

describe('JSON file record repository', () => {
  const folder = useTemporaryFolder();

  it('starts empty and round-trips records without secrets', async () => {
    const file = path.join(folder(), 'nested', 'object-stores.json');
    const repository = new JsonFileRecordRepository(file);
    assert.deepEqual(await repository.load(), []);
    const registry = memorySource({ records: repository }).source;
    const created = await registry.create(validInput({ key_prefix: 'logs/', context: { robot: 'r2' } }));
    const reloaded = await new JsonFileRecordRepository(file).load();
    assert.deepEqual(reloaded, [created]);
    const text = await fs.readFile(file, 'utf8');
    assert.ok(!text.includes('super-secret-value'));
    assert.deepEqual(await fs.readdir(path.dirname(file)), ['object-stores.json']);
  });

  it('keeps every record when two windows, sharing the file, change it at the same time', async () => {
    // Each editor window runs its own extension host: its own source and queue over the same file and secret storage.
    const file = path.join(folder(), 'object-stores.json');
    const windowA = memorySource({ records: new JsonFileRecordRepository(file) });
    const windowB = memorySource({ records: new JsonFileRecordRepository(file), secrets: windowA.vault });
    const names = ['a1', 'b1', 'a2', 'b2', 'a3', 'b3'];
    await Promise.all(names.map((name) => (name.startsWith('a') ? windowA : windowB).source.create(validInput({ name }))));
    assert.deepEqual((await windowA.source.list()).map((store) => store.name), [...names].sort());
    assert.equal(windowA.vault.secrets.size, names.length);
    await assert.rejects(
      Promise.all([windowA.source.create(validInput({ name: 'twin' })), windowB.source.create(validInput({ name: 'twin' }))]),
      (error: unknown) => LogqsError.is(error, 'conflict'),
    );
    assert.equal((await windowB.source.list()).filter((store) => store.name === 'twin').length, 1);
    assert.deepEqual((await fs.readdir(folder())).sort(), ['object-stores.json']);
  });

  it('lets one window at a time take over a lock left by a window that died holding it', async () => {
    const file = path.join(folder(), 'object-stores.json');
    await fs.writeFile(`${file}.lock`, '12345\n');
    const longAgo = new Date(Date.now() - 120_000);
    await fs.utimes(`${file}.lock`, longAgo, longAgo);
    let inside = 0;
    let most = 0;
    // Several windows find the dead window's lock at once; each removing "the stale lock" must not remove another's new one.
    await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        new Promise((resolve) => setTimeout(resolve, index % 4)).then(() => withFileLock(file, 'test file', async () => {
          inside++;
          most = Math.max(most, inside);
          await new Promise((resolve) => setTimeout(resolve, 2));
          inside--;
        })),
      ),
    );
    assert.equal(most, 1, 'two windows held the lock at once');
    assert.deepEqual(await fs.readdir(folder()), [], 'the lock and whatever it was moved to are gone');
  });

  it('keeps its lock while a change waits long (on the keychain, say): another window waits, and does not take it for a dead window\'s', async () => {
    const file = path.join(folder(), 'object-stores.json');
    // Times shortened: a lock untouched for 200 ms is stale here; its holder touches it every 40 ms.
    const timing = { staleMs: 200, touchMs: 40, waitMs: 5000, maxHoldMs: 60_000 };
    const events: string[] = [];
    const slow = withFileLock(file, 'test file', async () => {
      events.push('A in');
      await new Promise((resolve) => setTimeout(resolve, 700));
      events.push('A out');
    }, timing);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const waiting = withFileLock(file, 'test file', async () => void events.push('B in'), timing);
    await Promise.all([slow, waiting]);
    assert.deepEqual(events, ['A in', 'A out', 'B in']);
    assert.deepEqual(await fs.readdir(folder()), [], 'no lock left behind');
  });

  it('runs one window\'s changes of a file in turn, however long the first takes: it holds one lock at a time', async () => {
    const file = path.join(folder(), 'object-stores.json');
    // Waiting 100 ms at most for another window's lock: the second change here waits for the first instead.
    const window = new LockedJsonFile(file, 'test file', { staleMs: 200, touchMs: 40, waitMs: 100, maxHoldMs: 60_000 });
    const events: string[] = [];
    const first = window.exclusive(async () => {
      events.push('first in');
      await new Promise((resolve) => setTimeout(resolve, 300));
      await window.write({ from: 'first' });
      events.push('first out');
    });
    const second = window.exclusive(async () => {
      events.push('second in');
      await window.write({ from: 'second' });
    });
    await Promise.all([first, second]);
    assert.deepEqual(events, ['first in', 'first out', 'second in']);
    assert.deepEqual(JSON.parse(await fs.readFile(file, 'utf8')), { from: 'second' });
  });

  it('stops touching the lock of a change that hangs for good, so the other windows get in at last; the hung change then saves nothing', async () => {
    const file = path.join(folder(), 'object-stores.json');
    const timing = { staleMs: 200, touchMs: 40, waitMs: 5000, maxHoldMs: 100 };
    let release = () => undefined as void;
    // Two windows' views of one file.
    const [windowA, windowB] = [new LockedJsonFile(file, 'test file', timing), new LockedJsonFile(file, 'test file', timing)];
    const hung = windowA.exclusive(async () => {
      await new Promise<void>((resolve) => (release = resolve));
      // Its records, loaded before the other window's change: saved now, they would lose that change.
      await windowA.write({ from: 'the hung change' });
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await windowB.exclusive(() => windowB.write({ from: 'the other window' }));
    release();
    await assert.rejects(hung, (error: unknown) => LogqsError.is(error, 'storage') && /changed by another window/.test((error as Error).message));
    assert.deepEqual(JSON.parse(await fs.readFile(file, 'utf8')), { from: 'the other window' });
    assert.deepEqual(await fs.readdir(folder()), ['object-stores.json'], 'no temporary file or lock left');
  });

  /** The records as the file holds them. */
  const recordsIn = async (file: string) => (JSON.parse(await fs.readFile(file, 'utf8')) as { objectStores: Record<string, unknown>[] }).objectStores;

  it('refuses, naming them, records with one id or one name, two defaults, or a secret written in: an edit of one would overwrite the other', async () => {
    const file = path.join(folder(), 'object-stores.json');
    const registry = memorySource({ records: new JsonFileRecordRepository(file) }).source;
    const prod = await registry.create(validInput({ name: 'prod', default: true }));
    const good = await fs.readFile(file, 'utf8');
    const copies = [
      { ...prod, name: 'staging', bucket_name: 'staging-logs', default: false },
      { ...prod, id: '00000000-0000-4000-8000-0000000000aa', bucket_name: 'staging-logs', default: false },
      { ...prod, id: '00000000-0000-4000-8000-0000000000bb', name: 'staging' },
      { ...prod, id: '00000000-0000-4000-8000-0000000000dd', name: 'staging', default: false, secret_access_key: 'hand-written-secret-value' },
    ];
    const problems = [
      /records 1 and 2 have the same id/,
      /records 1 and 2 have the same name "prod"/,
      /"prod" and "staging" are each marked the default/,
      /record 2 holds secret_access_key, which is never kept in this file/,
    ];
    // Left by an earlier version, a disabled default is read as what it means: not the default.
    await fs.writeFile(file, JSON.stringify({ version: 1, objectStores: [{ ...prod, disabled: true }] }));
    assert.deepEqual(await new JsonFileRecordRepository(file).load(), [{ ...prod, disabled: true, default: false }]);
    for (const [index, copy] of copies.entries()) {
      await fs.writeFile(file, JSON.stringify({ version: 1, objectStores: [prod, copy] }));
      await assert.rejects(registry.update(prod.id, { note: 'edited' }), (error: unknown) => LogqsError.is(error, 'storage') && /damaged and was left untouched/.test((error as Error).message) && problems[index].test((error as Error).message) && !(error as Error).message.includes('hand-written'));
      assert.deepEqual((await recordsIn(file))[1], copy, 'the file is left as it was');
    }
    await fs.writeFile(file, good);
    assert.equal((await registry.list()).length, 1);
  });

  it('keeps the fields of a record it doesn\'t know (added by hand, or by a newer version) when it saves', async () => {
    const file = path.join(folder(), 'object-stores.json');
    const registry = memorySource({ records: new JsonFileRecordRepository(file) }).source;
    const created = await registry.create(validInput({ name: 'prod' }));
    const [record] = await recordsIn(file);
    await fs.writeFile(file, JSON.stringify({ version: 1, objectStores: [{ ...record, team: 'perception' }] }));
    await registry.update(created.id, { note: 'edited' });
    await registry.create(validInput({ name: 'other' }));
    const saved = (await recordsIn(file)).find((store) => store.name === 'prod');
    assert.equal(saved?.team, 'perception');
    assert.equal(saved?.note, 'edited');
  });

  it('refuses to load or overwrite a damaged file', async () => {
    const file = path.join(folder(), 'object-stores.json');
    await fs.writeFile(file, '{"version": 1, "objectStores": [{"name": 3}]}');
    const registry = memorySource({ records: new JsonFileRecordRepository(file) }).source;
    await assert.rejects(registry.list(), (error: unknown) => LogqsError.is(error, 'storage') && /damaged/.test(error.message));
    await assert.rejects(registry.create(validInput()), /damaged/);
    assert.equal(await fs.readFile(file, 'utf8'), '{"version": 1, "objectStores": [{"name": 3}]}');
  });

  it('never leaves a mixed or half-written file when two saves of it overlap', async () => {
    const file = path.join(folder(), 'object-stores.json');
    const long = { version: 1, objectStores: [], padding: 'x'.repeat(20_000) };
    const short = { version: 1, objectStores: [] };
    for (let round = 0; round < 20; round++) {
      // Started in the same millisecond: each save must have its own temporary file.
      await Promise.all([writeJsonFile(file, 'object stores file', long), writeJsonFile(file, 'object stores file', short)]);
      const saved: unknown = JSON.parse(await fs.readFile(file, 'utf8'));
      assert.ok(isDeepStrictEqual(saved, long) || isDeepStrictEqual(saved, short), `round ${round}: the file is neither save`);
    }
    assert.deepEqual(await fs.readdir(folder()), ['object-stores.json']);
  });

  it('puts a save\'s bytes on the disk before its name points at them (datasync, then rename), and leaves only the file', async () => {
    const file = path.join(folder(), 'object-stores.json');
    const events: string[] = [];
    const probe = await fs.open(path.join(folder(), 'probe'), 'w');
    const handles = Object.getPrototypeOf(probe) as { datasync: (this: unknown) => Promise<void> };
    await probe.close();
    const { datasync } = handles;
    const { rename } = fs;
    handles.datasync = function (this: unknown) {
      events.push('datasync');
      return datasync.call(this);
    };
    fs.rename = async (from, to) => {
      events.push(`rename to ${path.basename(String(to))}`);
      return rename(from, to);
    };
    try {
      await writeJsonFile(file, 'records file', { version: 1 });
    } finally {
      handles.datasync = datasync;
      fs.rename = rename;
    }
    assert.deepEqual(events, ['datasync', 'rename to object-stores.json']);
    assert.deepEqual(JSON.parse(await fs.readFile(file, 'utf8')), { version: 1 });
    assert.deepEqual((await fs.readdir(folder())).sort(), ['object-stores.json', 'probe']);
  });

  it('reports a save it cannot make as a storage error', async () => {
    const blocker = path.join(folder(), 'not-a-dir');
    await fs.writeFile(blocker, 'x');
    const repository = new JsonFileRecordRepository(path.join(blocker, 'object-stores.json'));
    await assert.rejects(repository.save([]), (error: unknown) => LogqsError.is(error, 'storage'));
  });
});

describe('managed object stores file', () => {
  const folder = useTemporaryFolder();

  const write = async (content: unknown) => {
    const file = path.join(folder(), 'managed.json');
    await fs.writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };

  it('reads valid entries', async () => {
    const file = await write({ objectStores: [validInput({ endpoint_url: 'http://127.0.0.1:7480/' })] });
    const [entry] = await readManagedStoresFile(file);
    assert.equal(entry.endpoint_url, 'http://127.0.0.1:7480');
    assert.equal(entry.secret_access_key, 'super-secret-value');
  });

  it('names the bad field without echoing any secret', async () => {
    const file = await write({ objectStores: [validInput({ secret_access_key: 'has space secret' })] });
    await assert.rejects(readManagedStoresFile(file), (error: unknown) =>
      LogqsError.is(error, 'invalid-input') && /objectStores\.0\.secret_access_key/.test(error.message) && !error.message.includes('has space secret'));
  });

  it('says where a syntax error is without quoting the secret around it', async () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    // The fault (a missing quote) sits right before the secret, as in the report that found the leak.
    const file = await write(`{\n  "objectStores": [\n    { "name": "a", "secret_access_key": ${secret}" }\n  ]\n}`);
    await assert.rejects(readManagedStoresFile(file), (error: unknown) => {
      const message = (error as Error).message;
      assert.match(message, /not valid JSON at line 3, column 41/);
      for (let start = 0; start + 6 <= secret.length; start++) {
        assert.ok(!message.includes(secret.slice(start, start + 6)), `a fragment of the secret leaked: ${message}`);
      }
      return true;
    });
  });

  it('reads a file saved with a byte order mark, as Windows editors and PowerShell write UTF-8', async () => {
    const file = await write(`\ufeff${JSON.stringify({ objectStores: [validInput()] })}`);
    assert.deepEqual((await readManagedStoresFile(file)).map((entry) => entry.name), ['robots']);
  });

  it('refuses duplicate names, bad JSON and a missing file', async () => {
    await assert.rejects(readManagedStoresFile(await write({ objectStores: [validInput(), validInput()] })), /names must be unique/);
    // One text, its accent written two ways: both entries would follow one record, each in turn.
    await assert.rejects(
      readManagedStoresFile(await write({ objectStores: [validInput({ name: 'caf\u00e9' }), validInput({ name: 'x' }), validInput({ name: 'cafe\u0301' })] })),
      /objectStores\.2\.name is the name of objectStores\.0 too/,
    );
    // Which entry repeats which, names compared as they are kept (trimmed).
    const entries = [validInput({ name: 'a' }), validInput({ name: 'b' }), validInput({ name: ' a ' })];
    await assert.rejects(readManagedStoresFile(await write({ objectStores: entries })), /objectStores\.2\.name is the name of objectStores\.0 too/);
    await assert.rejects(readManagedStoresFile(await write('{nope')), /not valid JSON/);
    await assert.rejects(readManagedStoresFile(path.join(folder(), 'missing.json')), (error: unknown) => LogqsError.is(error, 'storage'));
  });
});
