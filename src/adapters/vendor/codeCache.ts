import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';

/** Where the code caches are kept: a folder of the extension's global storage (`globalStorage`). */
export function codeCacheFolder(globalStorage: string): string {
  return path.join(globalStorage, 'code-cache');
}

/**
 * Requires a CommonJS file with V8's code cache for it kept in `cacheDir`:
 * compiling the AWS SDK's bundle is most of the 150 ms its first require
 * takes on Node 24, and VS Code's extension host keeps no cache of an
 * extension's code. With the cache, V8 reads the compiled code instead of
 * compiling the source again (about 65 ms instead of 155).
 *
 * The cache is V8's for this very source on this very Node (V8 itself
 * checks only its length and version): its name carries a hash of both, so
 * no other is read. A cache V8 refuses (other flags, a damaged file) costs
 * only the compile; one missing or refused is written anew, once the file
 * has run (so that what its loading compiled is in it), beside the others
 * of the same file, which it replaces. Nothing here fails the require: the
 * cache only saves time.
 *
 * The module is registered in require's cache under its file name, as
 * require itself would, so a plain require of it later gets the same one.
 */
export function requireWithCodeCache(file: string, cacheDir: string): { exports: unknown; fromCache: boolean } {
  const known = require.cache[file];
  if (known) {
    return { exports: known.exports, fromCache: false };
  }
  const source = fs.readFileSync(file, 'utf8');
  const tag = createHash('sha256').update(`${process.version} ${process.arch}\n`).update(source).digest('hex').slice(0, 16);
  const name = path.basename(file, '.js');
  const cacheFile = path.join(cacheDir, `${name}-${tag}.v8cache`);
  const cachedData = readIfThere(cacheFile);
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const module = new Module(file);
  module.filename = file;
  module.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(file));
  require.cache[file] = module;
  try {
    const body = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
    body.call(module.exports, module.exports, Module.createRequire(file), module, file, path.dirname(file));
  } catch (error) {
    delete require.cache[file];
    throw error;
  }
  module.loaded = true;
  const fromCache = cachedData !== undefined && !script.cachedDataRejected;
  if (!fromCache) {
    // Right after this turn (a process that ends then still writes it): what the file's loading compiled goes in too.
    setImmediate(() => save(script, cacheDir, cacheFile, name));
  }
  return { exports: module.exports, fromCache };
}

function readIfThere(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Writes the cache whole or not at all (a temporary file renamed), and drops the file's older caches. */
function save(script: vm.Script, cacheDir: string, cacheFile: string, name: string): void {
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, script.createCachedData());
    fs.renameSync(temporary, cacheFile);
    for (const other of fs.readdirSync(cacheDir)) {
      if (other.startsWith(`${name}-`) && other.endsWith('.v8cache') && path.join(cacheDir, other) !== cacheFile) {
        fs.rmSync(path.join(cacheDir, other), { force: true });
      }
    }
  } catch {
    // A cache that can't be written (a read-only or full disk) only means compiling next time.
  }
}
