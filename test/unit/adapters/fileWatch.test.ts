import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { watchFile } from '../../../src/adapters/files/fileWatch';
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
    const watcher = watchFile(file, () => calls++, 20);
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
});
