import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireWithCodeCache } from '../../../src/adapters/vendor/codeCache';

/** A module that uses what CommonJS gives it; `factor` changes its code, not its length. */
const moduleSource = (factor: number) => `const path = require('node:path');
exports.where = () => [path.basename(__filename), __dirname];
exports.times = (n) => n * ${factor};
exports.isModule = module.exports === exports;
`;

/** Loads `file` as a new extension host would, in a fresh process: what it computed, and whether V8 took the cache. */
function loadInFreshProcess(file: string, cacheDir: string): { times: number; fromCache: boolean } {
  const script = `
    const { requireWithCodeCache } = require(${JSON.stringify(path.resolve(__dirname, '../../../src/adapters/vendor/codeCache.js'))});
    const { exports, fromCache } = requireWithCodeCache(${JSON.stringify(file)}, ${JSON.stringify(cacheDir)});
    console.log(JSON.stringify({ times: exports.times(21), fromCache }));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { times: number; fromCache: boolean };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('requireWithCodeCache', function () {
  this.timeout(20_000);
  let folder: string;
  let file: string;
  let cacheDir: string;
  const caches = () => readdirSync(cacheDir).sort();

  beforeEach(() => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'logqs-code-cache-'));
    file = path.join(folder, 'library.js');
    cacheDir = path.join(folder, 'cache');
    writeFileSync(file, moduleSource(2));
  });
  afterEach(() => {
    delete require.cache[file];
    rmSync(folder, { recursive: true, force: true });
  });

  it('runs the file as require does, registers it in require’s cache, and writes its code cache once it has run', async () => {
    const { exports, fromCache } = requireWithCodeCache(file, cacheDir);
    const library = exports as { where(): string[]; times(n: number): number; isModule: boolean };
    assert.equal(fromCache, false);
    assert.deepEqual(library.where(), ['library.js', folder]);
    assert.equal(library.times(21), 42);
    assert.equal(library.isModule, true);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    assert.equal(require(file), exports, 'a plain require gets the same module');
    await settle();
    assert.equal(caches().length, 1);
    assert.match(caches()[0], /^library-[0-9a-f]{16}\.v8cache$/);
  });

  it('is read from its cache by the next process, never from the cache of other code of the same length, and a damaged cache is replaced', async () => {
    assert.deepEqual(loadInFreshProcess(file, cacheDir), { times: 42, fromCache: false });
    const [first] = caches();
    assert.deepEqual(loadInFreshProcess(file, cacheDir), { times: 42, fromCache: true });

    writeFileSync(file, moduleSource(3));
    assert.deepEqual(loadInFreshProcess(file, cacheDir), { times: 63, fromCache: false }, 'the new code runs, not the cached one');
    assert.equal(caches().length, 1, 'the old cache is replaced');
    assert.notEqual(caches()[0], first);

    const damaged = path.join(cacheDir, caches()[0]);
    writeFileSync(damaged, Buffer.alloc(readFileSync(damaged).length, 7));
    assert.deepEqual(loadInFreshProcess(file, cacheDir), { times: 63, fromCache: false });
    assert.deepEqual(loadInFreshProcess(file, cacheDir), { times: 63, fromCache: true }, 'written again');
  });

  it('loads the file all the same where no cache can be written', async () => {
    const { exports } = requireWithCodeCache(file, path.join(file, 'cache'));
    assert.equal((exports as { times(n: number): number }).times(21), 42);
    await settle();
  });
});
