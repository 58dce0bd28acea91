import * as vscode from 'vscode';
import type { ObjectBrowser } from '../core/objectBrowser';
import type { ObjectStore } from '../core/objectStore';
import type { ObjectStoreRegistry } from '../core/registryService';
import { type Log, reportError } from './log';
import { confirmDelete, pickStore, promptForNewStore, promptForStoreChange } from './prompts';
import { LoadMoreNode, type ObjectStoreTreeProvider, StoreNode } from './tree';

interface Deps {
  registry: ObjectStoreRegistry;
  browser: ObjectBrowser;
  tree: ObjectStoreTreeProvider;
  log: Log;
}

/** A plain object given to a command (from another extension or a test) rather than a tree node. */
function isInputObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;
}

export function registerCommands(context: vscode.ExtensionContext, { registry, browser, tree, log }: Deps): void {
  /** Every command body runs through here: one error path, one log line per action. */
  const register = (id: string, failure: string, body: (...args: unknown[]) => Promise<unknown>) => {
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await body(...args);
        } catch (error) {
          reportError(log, failure, error);
          return undefined;
        }
      }),
    );
  };

  /** The store a command acts on: the clicked tree node, or one picked from a list. */
  const targetStore = async (arg: unknown, placeHolder: string, fits: (store: ObjectStore) => boolean = () => true) => {
    if (arg instanceof StoreNode) {
      return registry.get(arg.store.id);
    }
    return pickStore((await registry.list()).filter(fits), placeHolder);
  };

  register('logqs.addObjectStore', 'Couldn\'t add the object store', async (arg) => {
    const input = isInputObject(arg) ? arg : await promptForNewStore(await registry.list());
    const created = await registry.create(input);
    log.info(`Added object store "${created.name}" (bucket ${created.bucket_name}, prefix ${created.key_prefix ?? 'none'})`);
    void vscode.window.showInformationMessage(`Added object store "${created.name}".`);
    void checkConnection(created);
    return created.id;
  });

  register('logqs.editObjectStore', 'Couldn\'t edit the object store', async (arg, change) => {
    const store = await targetStore(arg, 'Object store to edit', (candidate) => !candidate.managed);
    const patch = isInputObject(change) ? change : await promptForStoreChange(store, await registry.list());
    const updated = await registry.update(store.id, patch);
    log.info(`Edited object store "${updated.name}": ${Object.keys(patch).join(', ')}`);
    void vscode.window.showInformationMessage(`Saved object store "${updated.name}".`);
  });

  register('logqs.deleteObjectStore', 'Couldn\'t delete the object store', async (arg) => {
    const store = await targetStore(arg, 'Object store to delete', (candidate) => !candidate.managed);
    if (!(await confirmDelete(store))) {
      return;
    }
    await registry.delete(store.id);
    log.info(`Deleted object store "${store.name}"`);
    void vscode.window.showInformationMessage(`Deleted object store "${store.name}".`);
  });

  register('logqs.setDefaultObjectStore', 'Couldn\'t set the default object store', async (arg) => {
    const store = await targetStore(arg, 'Object store to make the default', (candidate) => !candidate.default && !candidate.disabled);
    await registry.setDefault(store.id);
    log.info(`Default object store is now "${store.name}"`);
    void vscode.window.showInformationMessage(`"${store.name}" is now the default object store.`);
  });

  register('logqs.refresh', 'Couldn\'t refresh', async (arg) => {
    tree.refresh(arg instanceof StoreNode ? arg : undefined);
  });

  register('logqs.loadMore', 'Couldn\'t load more objects', async (arg) => {
    if (arg instanceof LoadMoreNode) {
      await tree.loadMore(arg);
    }
  });

  /** Lists one key right after adding, so bad credentials show up at once rather than on first expand. */
  async function checkConnection(store: ObjectStore): Promise<void> {
    if (store.disabled) {
      return;
    }
    try {
      await browser.listPage(store.id, { pageSize: 1 });
      log.info(`Connected to "${store.name}"`);
    } catch (error) {
      reportError(log, `Added "${store.name}", but its objects can't be listed`, error);
    }
  }
}
