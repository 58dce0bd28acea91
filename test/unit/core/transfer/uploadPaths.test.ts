import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createWholeFileThreads } from '../../../../src/adapters/files/wholeFileThreads';
import { scopeKey } from '../../../../src/core/keyPrefix';
import { type UploadContext, uploadFiles } from '../../../../src/core/transfer';

/** Which keys an upload's local paths go to, against a store in memory. */
describe('upload keys', () => {
  let dir: string;
  const files = createWholeFileThreads({ threads: 1 });
  after(() => files.dispose());
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'logqs-upload-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  function context(stored: Map<string, string>): UploadContext {
    const put = async (key: string, body: Uint8Array) => {
      // Slow enough that the files of a job overlap, as they do on a network.
      await new Promise((resolve) => setTimeout(resolve, 10));
      stored.set(key, Buffer.from(body).toString());
      return {};
    };
    return {
      writer: {
        putObject: put,
        createMultipartUpload: async () => assert.fail('no large file here'),
        uploadPart: async () => assert.fail('no large file here'),
        completeMultipartUpload: async () => assert.fail('no large file here'),
        abortMultipartUpload: async () => undefined,
        deleteObjects: async () => assert.fail('no delete here'),
      },
      head: async (key) => (stored.has(key) ? { key, size: 0, metadata: {} } : undefined),
      list: async (prefix) => ({ folders: [], objects: [...stored.keys()].filter((key) => key.startsWith(prefix)).map((key) => ({ key, size: 0 })) }),
      scopeKey: (key) => scopeKey('store/', key),
      files,
      settings: { partSizeBytes: 1024 * 1024, partConcurrency: 2, fileConcurrency: 4, presignExpirySeconds: 60 },
      log: () => undefined,
    };
  }

  const request = (paths: string[]) => ({
    paths,
    destinationPrefix: 'store/',
    signal: new AbortController().signal,
    onProgress: () => undefined,
    onConflict: async () => 'overwrite' as const,
  });

  it('never sends two files of one job to one key', async () => {
    await fs.mkdir(path.join(dir, 'x'));
    await fs.mkdir(path.join(dir, 'y'));
    await fs.writeFile(path.join(dir, 'x', 'a.txt'), 'from x');
    await fs.writeFile(path.join(dir, 'y', 'a.txt'), 'from y');
    const stored = new Map<string, string>();
    const report = await uploadFiles(context(stored), request([path.join(dir, 'x', 'a.txt'), path.join(dir, 'y', 'a.txt')]));
    assert.deepEqual(report.keys, ['store/a.txt']);
    assert.equal(report.skipped.length, 1, JSON.stringify(report));
    assert.match(report.skipped[0].reason, /another file of this upload/);
    assert.equal(stored.get('store/a.txt'), 'from x');
  });

  it('follows a folder that was picked through a link (links inside it are still not followed)', async () => {
    await fs.mkdir(path.join(dir, 'real', 'sub'), { recursive: true });
    await fs.writeFile(path.join(dir, 'real', 'sub', 'f.txt'), 'f');
    await fs.symlink(path.join(dir, 'real'), path.join(dir, 'picked'));
    await fs.symlink(path.join(dir, 'real'), path.join(dir, 'real', 'loop'));
    const stored = new Map<string, string>();
    const report = await uploadFiles(context(stored), request([path.join(dir, 'picked')]));
    assert.deepEqual(report.keys, ['store/picked/sub/f.txt']);
    assert.deepEqual(report.skipped.map((entry) => path.basename(entry.path)), ['loop']);
  });

  it('keeps empty folders, as the folder markers New Folder makes', async () => {
    await fs.mkdir(path.join(dir, 'top', 'empty', 'deeper'), { recursive: true });
    await fs.mkdir(path.join(dir, 'nothing'));
    await fs.writeFile(path.join(dir, 'top', 'f.txt'), 'f');
    const stored = new Map<string, string>();
    await uploadFiles(context(stored), request([path.join(dir, 'top'), path.join(dir, 'nothing')]));
    assert.deepEqual([...stored.keys()].sort(), ['store/nothing/', 'store/top/empty/deeper/', 'store/top/f.txt']);
  });
});
