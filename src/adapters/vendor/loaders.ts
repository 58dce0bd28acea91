/* eslint-disable @typescript-eslint/no-require-imports -- a require in a function runs at the first use; an import would run at start-up */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { lazy } from '../../core/lazy';

/*
 * The client libraries, loaded at their first use and once. Evaluating them
 * would cost more than the rest of activation together (the AWS SDK about
 * 70 ms, ky 20 ms, Node's HTTP and TLS modules 8 ms); activation only reads
 * records and builds the tree. Anything else takes only their types
 * (`import type`). In the bundle the first two load dist/vendor/*.js
 * (esbuild.mjs).
 */

let codeCacheDir: string | undefined;

/** Where V8's code cache of the vendor bundles is kept (the extension's global storage): see requireWithCodeCache. */
export function keepCodeCacheIn(dir: string): void {
  codeCacheDir = dir;
}

/**
 * A vendor bundle, dist/vendor/<name>.js beside the main bundle (names as in
 * esbuild.mjs), with its code cache; `plain` where there is no such file or
 * no cache (compiled by tsc, in tests: it requires the library itself).
 */
function vendor<T>(name: string, plain: () => T): T {
  const bundle = path.join(__dirname, 'vendor', `${name}.js`);
  if (codeCacheDir === undefined || !existsSync(bundle)) {
    return plain();
  }
  return (require('./codeCache') as typeof import('./codeCache')).requireWithCodeCache(bundle, codeCacheDir).exports as T;
}

export const loadAwsSdk = lazy(async () => vendor('aws-sdk', () => require('./awsSdk') as typeof import('./awsSdk')));
export type AwsSdk = Awaited<ReturnType<typeof loadAwsSdk>>;

export const loadKy = lazy(async () => vendor('ky', () => require('./ky') as typeof import('./ky')));

export const loadNodeHttp = lazy(async () => ({
  http: require('node:http') as typeof import('node:http'),
  net: require('node:net') as typeof import('node:net'),
  dns: require('node:dns') as typeof import('node:dns'),
}));

/**
 * node:https and node:tls, at the first https: URL: loading them costs more
 * than the other HTTP modules together (about 25 ms on Node 24, before a
 * download's first request), and servers on this machine or the local
 * network often speak plain HTTP. Synchronous: Node keeps what it loaded.
 */
export const nodeHttps = () => ({
  https: require('node:https') as typeof import('node:https'),
  tls: require('node:tls') as typeof import('node:tls'),
});
