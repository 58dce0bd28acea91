// Bundles the extension into CommonJS files; `vscode` is provided by the editor.
// dist/extension.js and dist/main.js (which it loads with V8's code cache) are
// all that activation evaluates. The client libraries (the AWS SDK, ky) are
// bundled apart, into dist/vendor/*.js, and required at their first use
// (src/adapters/vendor/loaders.ts), so start-up never even parses them.
import * as esbuild from 'esbuild';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));

/** Each vendor bundle: its entry (a file of re-exports) and its name in dist/vendor/. */
export const vendorBundles = { 'src/adapters/vendor/awsSdk.ts': 'aws-sdk', 'src/adapters/vendor/ky.ts': 'ky' };

/** Worker threads' entries, each bundled to dist/<name>.js, beside the main bundle that starts them. */
const workerBundles = { 'src/adapters/files/wholeFileWorker.ts': 'wholeFileWorker', 'src/adapters/http/rangeThreadWorker.ts': 'rangeThreadWorker' };

/** In the main bundle, a require of a vendor entry becomes a require of its bundle, next to it. */
const vendorBundlesExternal = {
  name: 'vendor-bundles-external',
  setup(build) {
    const withoutExtension = (file) => file.replace(/\.[cm]?[jt]s$/, '');
    const bundleOf = new Map(Object.entries(vendorBundles).map(([entry, name]) => [withoutExtension(path.join(root, entry)), `./vendor/${name}.js`]));
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      const bundle = bundleOf.get(withoutExtension(path.resolve(args.resolveDir, args.path)));
      return bundle ? { path: bundle, external: true } : undefined;
    });
  },
};

/**
 * Packages' ES module builds first: esbuild can leave out what nothing uses
 * from those, not from CommonJS. The AWS SDK's bundle is 30% smaller, and
 * the first S3 request loads it 50 ms sooner.
 */
const mainFields = ['module', 'main'];

/**
 * A package's `import('node:http')` becomes a `require`: in a CommonJS bundle a dynamic import goes
 * through Node's ES module loader, whose facade of node:http reads every export, and on Node 22 and
 * later one of them loads undici. The SDK's HTTP handler does that at its first request: 50 ms on
 * Node 24, against 3 ms on Node 20.
 */
const supported = { 'dynamic-import': false };

/** The builds: the extension (dist/extension.js, its entry, and dist/main.js), the vendor bundles (dist/vendor/), the worker threads (dist/). */
export function buildOptions({ production = false, outdir = path.join(root, 'dist'), logLevel = 'info' } = {}) {
  const common = { absWorkingDir: root, bundle: true, format: 'cjs', platform: 'node', target: 'node20', mainFields, sourcemap: !production, minify: production, logLevel, supported };
  return [
    // dist/extension.js is the entry (package.json "main"): it loads dist/main.js, the extension, with V8's code cache (src/vscode/entry.ts).
    {
      ...common,
      entryPoints: [
        { in: 'src/vscode/entry.ts', out: 'extension' },
        { in: 'src/vscode/extension.ts', out: 'main' },
      ],
      outdir,
      external: ['vscode'],
      plugins: [vendorBundlesExternal],
    },
    { ...common, entryPoints: Object.entries(vendorBundles).map(([entry, name]) => ({ in: entry, out: name })), outdir: path.join(outdir, 'vendor') },
    { ...common, entryPoints: Object.entries(workerBundles).map(([entry, name]) => ({ in: entry, out: name })), outdir },
  ];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const production = process.argv.includes('--production');
  const watch = process.argv.includes('--watch');
  const contexts = await Promise.all(buildOptions({ production }).map((options) => esbuild.context(options)));
  if (watch) {
    await Promise.all(contexts.map((context) => context.watch()));
  } else {
    await Promise.all(contexts.map((context) => context.rebuild()));
    await Promise.all(contexts.map((context) => context.dispose()));
  }
}
