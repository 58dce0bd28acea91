import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as esbuild from 'esbuild';
import type { ProbeResult, ProbeStore } from '../../support/activationProbe';

/*
 * Start-up loads what activation needs (records, the tree) and nothing of the
 * client libraries: the AWS SDK (S3 and STS) and ky load at their first
 * request. Checked by the modules a fresh process has loaded, never by time.
 */

const root = path.resolve(__dirname, '../../../..');
const probeScript = path.join(__dirname, '../../support/activationProbe.js');

/** The bucket whose listings the stand-in refuses unless the SDK asks: the lean listing then leaves them to the SDK. */
const SDK_ONLY_BUCKET = 'sdk-only';

/**
 * A stand-in S3 endpoint that answers any ListObjectsV2 of `bucket` (and of SDK_ONLY_BUCKET, asked by the
 * SDK) with one folder and one object.
 */
async function fakeS3(bucket: string): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const asked = url.pathname.replace(/\/$/, '').slice(1);
    if (request.method !== 'GET' || (asked !== bucket && asked !== SDK_ONLY_BUCKET) || url.searchParams.get('list-type') !== '2') {
      response.writeHead(404).end();
      return;
    }
    if (asked === SDK_ONLY_BUCKET && !/aws-sdk/.test(request.headers['user-agent'] ?? '')) {
      response.writeHead(403, { 'content-type': 'application/xml' }).end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code></Error>');
      return;
    }
    const prefix = url.searchParams.get('prefix') ?? '';
    response.writeHead(200, { 'content-type': 'application/xml' }).end(
      '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        `<Name>${bucket}</Name><Prefix>${prefix}</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><IsTruncated>false</IsTruncated>` +
        `<Contents><Key>${prefix}robot.bag</Key><LastModified>2026-11-24T12:00:00.000Z</LastModified><ETag>"0123"</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents>` +
        `<CommonPrefixes><Prefix>${prefix}run-001/</Prefix></CommonPrefixes></ListBucketResult>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Activates `extension` in a fresh Node process and lists the store's first page there. */
function probe(extension: string, store: ProbeStore): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [probeScript, extension, '--store', JSON.stringify(store), '--modules'], { cwd: root }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${error.message}\n${stderr}`));
        return;
      }
      resolve(JSON.parse(stdout) as ProbeResult);
    });
  });
}

const loaded = (modules: string[] | undefined, pattern: RegExp) => (modules ?? []).filter((file) => pattern.test(file.split(path.sep).join('/')));

const AWS_SDK = /\/node_modules\/(@aws-sdk|@smithy)\//;
const STS = /\/node_modules\/@aws-sdk\/client-sts\//;
const KY = /\/node_modules\/ky\//;

describe('start-up', function () {
  this.timeout(60_000);
  this.slow(10_000);

  let s3: Awaited<ReturnType<typeof fakeS3>>;
  let store: ProbeStore;
  before(async () => {
    s3 = await fakeS3('robot-logs');
    store = { endpoint: s3.endpoint, bucket: 'robot-logs', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret', keyPrefix: 'logs/' };
  });
  after(() => s3.close());

  it('activates without the AWS SDK, STS or ky, and lists the first page without them too (a presigned listing), or with the SDK where that is refused', async () => {
    const result = await probe(path.join(root, 'out/src/vscode/extension.js'), store);
    assert.ok(loaded(result.modulesAtActivation, /\/out\/src\/vscode\/extension\.js$/).length === 1, 'the probe sees the modules activation loaded');
    assert.deepEqual(loaded(result.modulesAtActivation, AWS_SDK), []);
    assert.deepEqual(loaded(result.modulesAtActivation, STS), []);
    assert.deepEqual(loaded(result.modulesAtActivation, KY), []);
    assert.deepEqual(result.messages, []);

    assert.deepEqual(result.firstPage, ['logs/run-001/', 'logs/robot.bag']);
    assert.deepEqual(loaded(result.modulesAfterFirstPage, AWS_SDK), [], 'the listing loaded no SDK');
    assert.deepEqual(loaded(result.modulesAfterFirstPage, KY), [], 'S3 alone needs no ky');

    const refused = await probe(path.join(root, 'out/src/vscode/extension.js'), { ...store, bucket: SDK_ONLY_BUCKET });
    assert.deepEqual(refused.firstPage, ['logs/run-001/', 'logs/robot.bag']);
    assert.ok(loaded(refused.modulesAfterFirstPage, /\/node_modules\/@aws-sdk\/client-s3\//).length > 0, 'the listing asked again through the SDK');
    assert.deepEqual(loaded(refused.modulesAfterFirstPage, KY), [], 'S3 alone needs no ky');
    assert.deepEqual(refused.codeCache, [], 'no code cache without the vendor bundles');
  });

  it('bundles the client libraries apart, and activation of the bundle requires none of them', async () => {
    const outdir = await mkdtemp(path.join(tmpdir(), 'logqs-bundle-'));
    try {
      const build = (await import(pathToFileURL(path.join(root, 'esbuild.mjs')).href)) as {
        buildOptions(options: { outdir: string; logLevel: esbuild.LogLevel }): esbuild.BuildOptions[];
      };
      const { build: bundle } = (await import('esbuild')) as typeof esbuild;
      const [main, ...vendors] = build.buildOptions({ outdir, logLevel: 'silent' });
      const { metafile } = await bundle({ ...main, metafile: true });
      await Promise.all(vendors.map((options) => bundle(options)));
      const libraries = Object.keys(metafile.inputs).filter((input) => /node_modules\/(@aws-sdk|@smithy|ky)\//.test(input));
      assert.deepEqual(libraries, [], 'the main bundle holds no client library');
      // A dynamic import in a CommonJS bundle goes through Node's ES module loader (see esbuild.mjs): the SDK's HTTP handler's is a require.
      for (const file of (await readdir(path.join(outdir, 'vendor'))).filter((name) => name.endsWith('.js'))) {
        const text = await readFile(path.join(outdir, 'vendor', file), 'utf8');
        assert.deepEqual(text.match(/\bimport\(\s*["'][^"']*["']\s*\)/g) ?? [], [], `${file} imports no module dynamically`);
      }

      const result = await probe(path.join(outdir, 'extension.js'), store);
      assert.deepEqual(loaded(result.modulesAtActivation, /\/vendor\//), []);
      assert.deepEqual(result.firstPage, ['logs/run-001/', 'logs/robot.bag']);
      assert.deepEqual(loaded(result.modulesAfterFirstPage, /\/vendor\//), [], 'a presigned listing loads no vendor bundle');
      assert.deepEqual(loaded(result.modulesAtActivation, /\/main\.js$/).map((file) => path.basename(file)), ['main.js'], 'the entry loads the extension from main.js');

      // A listing left to the SDK loads its bundle, whose code cache is kept.
      const refused = await probe(path.join(outdir, 'extension.js'), { ...store, bucket: SDK_ONLY_BUCKET });
      assert.deepEqual(refused.firstPage, ['logs/run-001/', 'logs/robot.bag']);
      assert.deepEqual(loaded(refused.modulesAfterFirstPage, /\/vendor\//).map((file) => path.basename(file)), ['aws-sdk.js']);
      assert.deepEqual(
        refused.codeCache?.map((file) => file.replace(/-[0-9a-f]{16}\./, '-HASH.')).sort(),
        ['aws-sdk-HASH.v8cache', 'main-HASH.v8cache'],
        'V8’s code cache of the extension’s bundle and of the SDK’s, in the global storage',
      );
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  });
});
