import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { codeCacheFolder, requireWithCodeCache } from '../adapters/vendor/codeCache';

/*
 * The extension's entry (package.json "main", dist/extension.js): it loads the
 * rest of the extension, dist/main.js, with V8's code cache kept in the
 * extension's global storage, as the vendor bundles are (codeCache.ts). VS Code
 * keeps no compiled code of an extension: compiling main.js was most of the
 * time its require took (40 to 55 ms of 60 to 100 here), at every start.
 * Compiled by tsc (tests), there is no main.js beside this file: extension.ts
 * is required as it is.
 */

type Extension = typeof import('./extension');

let extension: Extension | undefined;

function load(context: vscode.ExtensionContext): Extension {
  const bundle = path.join(__dirname, 'main.js');
  if (existsSync(bundle)) {
    return requireWithCodeCache(bundle, codeCacheFolder(context.globalStorageUri.fsPath)).exports as Extension;
  }
  // Compiled by tsc (tests): the sources as they are; a path, so that esbuild does not bundle them in here.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(__dirname, 'extension')) as Extension;
}

export function activate(context: vscode.ExtensionContext): void {
  extension = load(context);
  extension.activate(context);
}

export function deactivate(): Promise<void> | undefined {
  return extension?.deactivate();
}
