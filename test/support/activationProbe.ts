/**
 * Activates the extension in this (fresh) Node process with the stub
 * `vscode`, optionally lists the first page of one store's objects through
 * the tree, as the editor does when the store is expanded, and prints what
 * it measured and which modules were loaded, as one line of JSON.
 *
 *   node activationProbe.js <extension module> [--store '<json of ProbeStore>'] [--modules] [--code-cache DIR]
 *
 * `--code-cache DIR`: the code caches of the global storage are taken from DIR
 * and put back there, so that the runs after the first start as the editor's
 * later sessions do, with V8's code cached.
 *
 * The start-up test runs it on the compiled sources and on a bundle; the
 * activation benchmark on the packaged bundle. A fresh process per run:
 * module loading is what is measured, and Node caches modules.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { storeSecretKey } from '../../src/vscode/secretVault';
import { fakeExtensionContext, installVscodeStub } from './vscodeStub';

/** The store whose objects are listed: an S3 endpoint, its bucket and the keys to it. */
export interface ProbeStore {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  keyPrefix?: string;
}

export interface ProbeResult {
  requireMs: number;
  activateMs: number;
  /** From before the require to the first page of the store's objects, listed. */
  firstPageMs?: number;
  /** The labels of the first page's nodes (a message node's text when listing failed). */
  firstPage?: string[];
  /** Notifications shown (errors, say). */
  messages: string[];
  /** Loaded module files right after `activate`, and after the first page. */
  modulesAtActivation?: string[];
  modulesAfterFirstPage?: string[];
  /** The files of the vendor bundles' code cache in the extension's global storage, after the first page. */
  codeCache?: string[];
}

interface ProbeNode {
  kind: string;
  id: string;
  text?: string;
  entry?: { key: string };
  prefix?: string;
}

interface ProbeTree {
  getChildren(node?: ProbeNode): Promise<ProbeNode[]>;
}

/** The records file and secret of one store, as the extension keeps them. */
function seedStore(storageDir: string, secrets: Map<string, string>, store: ProbeStore): void {
  const id = randomUUID();
  const now = new Date().toISOString();
  const record = {
    id,
    name: 'probe',
    bucket_name: store.bucket,
    region_name: 'us-east-1',
    access_key_id: store.accessKeyId,
    endpoint_url: store.endpoint,
    key_prefix: store.keyPrefix ?? null,
    default: false,
    managed: false,
    disabled: false,
    read_only: false,
    note: null,
    context: null,
    created_at: now,
    updated_at: now,
  };
  mkdirSync(storageDir, { recursive: true });
  writeFileSync(path.join(storageDir, 'object-stores.json'), JSON.stringify({ version: 1, objectStores: [record] }));
  secrets.set(storeSecretKey(id), store.secretAccessKey);
}

const label = (node: ProbeNode) => node.text ?? node.entry?.key ?? node.prefix ?? node.id;

async function probe(extensionPath: string, store: ProbeStore | undefined, withModules: boolean, keptCodeCache?: string): Promise<ProbeResult> {
  const storageDir = mkdtempSync(path.join(tmpdir(), 'logqs-probe-'));
  const codeCache = path.join(storageDir, 'code-cache');
  if (keptCodeCache && existsSync(keptCodeCache)) {
    cpSync(keptCodeCache, codeCache, { recursive: true });
  }
  try {
    const secrets = new Map<string, string>();
    if (store) {
      seedStore(storageDir, secrets, store);
    }
    const stub = installVscodeStub();
    const context = fakeExtensionContext(storageDir, secrets);
    const modules = () => (withModules ? Object.keys(require.cache) : undefined);

    const started = performance.now();
    // The synchronous require the editor's extension host does: its cost is what is measured.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const extension = require(path.resolve(extensionPath)) as { activate(context: unknown): unknown };
    const required = performance.now();
    extension.activate(context);
    const activated = performance.now();
    const result: ProbeResult = { requireMs: required - started, activateMs: activated - required, messages: stub.messages, modulesAtActivation: modules() };

    if (store) {
      const tree = stub.treeDataProviders.get('logqs.objectStores') as ProbeTree;
      const roots = await tree.getChildren();
      const storeNode = roots.find((node) => node.kind === 'store');
      const page = storeNode ? await tree.getChildren(storeNode) : roots;
      result.firstPageMs = performance.now() - started;
      result.firstPage = page.map(label);
      result.modulesAfterFirstPage = modules();
      // Written right after the SDK's bundle is loaded (see requireWithCodeCache), so by now.
      result.codeCache = existsSync(codeCache) ? readdirSync(codeCache) : [];
    }
    context.subscriptions.forEach((disposable) => disposable.dispose());
    if (keptCodeCache) {
      // Caches are written right after the turn that loaded their bundle: by now.
      await new Promise((resolve) => setImmediate(resolve));
      rmSync(keptCodeCache, { recursive: true, force: true });
      if (existsSync(codeCache)) {
        cpSync(codeCache, keptCodeCache, { recursive: true });
      }
    }
    return result;
  } finally {
    rmSync(storageDir, { recursive: true, force: true });
  }
}

function main(): void {
  const [extensionPath, ...options] = process.argv.slice(2);
  const storeIndex = options.indexOf('--store');
  const store = storeIndex >= 0 ? (JSON.parse(options[storeIndex + 1]) as ProbeStore) : undefined;
  const cacheIndex = options.indexOf('--code-cache');
  probe(extensionPath, store, options.includes('--modules'), cacheIndex >= 0 ? options[cacheIndex + 1] : undefined).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0); // an S3 client's idle sockets would keep the process alive
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}

if (require.main === module) {
  main();
}
