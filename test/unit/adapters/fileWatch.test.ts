import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { watchFile, watchFileNamed } from '../../../src/adapters/files/fileWatch';
import { writeJsonFile } from '../../../src/adapters/files/jsonDocument';

/** The records file watched, as another window writes it (a temporary file renamed over it). */
describe('watching a file', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'logqs-watch-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** Waits up to 2 s for `count()` to reach `at least`. */
  async function until(count: () => number, atLeast: number): Promise<void> {
    for (const end = Date.now() + 2000; count() < atLeast && Date.now() < end; ) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('tells of the file written or replaced, once per burst, and not of other files in its folder', async () => {
    const file = path.join(dir, 'store', 'object-stores.json');
    let calls = 0;
    const watcher = watchFile(file, () => calls++, { quietMs: 20 });
    try {
      await fs.writeFile(path.join(dir, 'store', 'other.json'), '{}');
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal(calls, 0, 'another file of the folder');
      await writeJsonFile(file, 'object stores file', { version: 1, objectStores: [] });
      await until(() => calls, 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(calls, 1, 'one call for the burst of one save');
      await writeJsonFile(file, 'object stores file', { version: 1, objectStores: [] });
      await until(() => calls, 2);
      assert.equal(calls, 2);
    } finally {
      watcher.dispose();
    }
    await writeJsonFile(file, 'object stores file', { version: 1, objectStores: [] });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(calls, 2, 'nothing once disposed');
  });

  it('follows the file a setting names: the new one once told, not the old one, and never makes its folder', async () => {
    const first = path.join(dir, 'first.json');
    const second = path.join(dir, 'second.json');
    const absent = path.join(dir, 'no such folder', 'managed.json');
    let named: string | undefined = first;
    let calls = 0;
    const watcher = watchFileNamed(() => named, () => calls++, 20);
    try {
      await fs.writeFile(first, '{}');
      await until(() => calls, 1);
      assert.equal(calls, 1, 'the file named first');
      named = second;
      watcher.follow();
      await fs.writeFile(first, '{"changed": true}');
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal(calls, 1, 'the file named before');
      await fs.writeFile(second, '{}');
      await until(() => calls, 2);
      assert.equal(calls, 2, 'the file named now');
      named = absent;
      watcher.follow();
      await assert.rejects(fs.stat(path.dirname(absent)), { code: 'ENOENT' });
      named = undefined;
      watcher.follow();
      await fs.writeFile(second, '{"changed": true}');
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal(calls, 2, 'no file named');
    } finally {
      watcher.dispose();
    }
  });
});
