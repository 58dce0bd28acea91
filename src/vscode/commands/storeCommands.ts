import { browsePage } from '../../core/objectBrowser';
import type { ObjectStore } from '../../core/objectStore';
import type { ObjectStoreSource } from '../../core/ports';
import type { StoreRef } from '../../core/sources';
import { assertNotManaged, canBecomeDefault } from '../../core/storeRules';
import { isDataStoreSource } from '../../adapters/logqs/logqsStoreSource';
import { SourceNode, StoreNode } from '../explorer/nodes';
import { type CommandDeps, isInputObject } from './deps';

/** Add, edit, delete and make default: the object-store commands, each a function of its dependencies and argument. */

type Deps = Pick<CommandDeps, 'sources' | 'ui' | 'log' | 'report'>;

/** A store named by id, as scripts and other extensions pass it: `{ id: "…" }`. */
function storeIdIn(arg: unknown): string | undefined {
  return isInputObject(arg) && typeof arg.id === 'string' ? arg.id : undefined;
}

/**
 * The store a command acts on: the clicked tree node (re-read, it may be
 * stale), a store named by id, or one picked from a list.
 */
export async function targetStore(
  deps: Pick<CommandDeps, 'sources' | 'ui' | 'report'>,
  arg: unknown,
  placeHolder: string,
  fits: (store: ObjectStore, source: ObjectStoreSource) => boolean = () => true,
): Promise<StoreRef> {
  if (arg instanceof StoreNode) {
    return { source: arg.source, store: await arg.source.get(arg.store.id) };
  }
  const id = storeIdIn(arg);
  if (id !== undefined) {
    return deps.sources.find(id);
  }
  const stores = await deps.sources.allStores((source, error) => deps.report(`Couldn't load the object stores of ${source.label}`, error));
  return deps.ui.pickStore(stores.filter((ref) => fits(ref.store, ref.source)), placeHolder);
}

/** The source a new store goes to: the clicked one, the only one, or one picked. */
async function targetSource(deps: Deps, arg: unknown): Promise<ObjectStoreSource> {
  if (arg instanceof SourceNode) {
    return arg.source;
  }
  const sources = deps.sources.all();
  return sources.length === 1 ? sources[0] : deps.ui.pickSource(sources, 'Add the object store to which data store?');
}

export const addObjectStore = (deps: Deps) => async (arg?: unknown) => {
  const source = await targetSource(deps, arg);
  const secretKeptBy = isDataStoreSource(source) ? `sent to the LogQS DataStore "${source.label}", which keeps it` : 'kept in this editor\'s secret storage';
  const input = isInputObject(arg) ? arg : await deps.ui.promptNewStore(await source.list(), secretKeptBy);
  const created = await source.create(input);
  deps.log.info(`Added object store "${created.name}" to ${source.label} (bucket ${created.bucket_name}, prefix ${created.key_prefix ?? 'none'})`);
  deps.ui.info(`Added object store "${created.name}".`);
  void checkConnection(deps, source, created);
  return created.id;
};

export const editObjectStore = (deps: Deps) => async (arg?: unknown, change?: unknown) => {
  const { source, store } = await targetStore(deps, arg, 'Object store to edit', (candidate) => !candidate.managed);
  // A store named by id (or clicked, then found managed) is refused before its form is filled in for nothing.
  assertNotManaged(store, 'edited');
  const patch = isInputObject(change) ? change : await deps.ui.promptStoreChange(store, await source.list());
  const updated = await source.update(store.id, patch);
  deps.log.info(`Edited object store "${updated.name}": ${Object.keys(patch).join(', ')}`);
  deps.ui.info(`Saved object store "${updated.name}".`);
};

export const deleteObjectStore = (deps: Deps) => async (arg?: unknown) => {
  const { source, store } = await targetStore(deps, arg, 'Object store to delete', (candidate) => !candidate.managed);
  assertNotManaged(store, 'deleted');
  // A caller that names the store by id has decided already; a person is asked.
  const confirmed = storeIdIn(arg) !== undefined || await deps.ui.confirm(
    `Delete object store "${store.name}"?`,
    // A DataStore's store is deleted there: for every person and program that uses it, not only in this editor.
    isDataStoreSource(source)
      ? `It is deleted from the LogQS DataStore "${source.label}", with its secret key, for everyone who uses it. Objects in the bucket are not touched.`
      : 'Its record and its secret key are removed from this editor. Objects in the bucket are not touched.',
    'Delete',
  );
  if (!confirmed) {
    return;
  }
  await source.delete(store.id);
  deps.log.info(`Deleted object store "${store.name}"`);
  deps.ui.info(`Deleted object store "${store.name}".`);
};

export const setDefaultObjectStore = (deps: Deps) => async (arg?: unknown) => {
  const { source, store } = await targetStore(deps, arg, 'Object store to make the default', canBecomeDefault);
  await source.setDefault(store.id);
  deps.log.info(`Default object store is now "${store.name}"`);
  deps.ui.info(`"${store.name}" is now the default object store.`);
};

/** Lists one key right after adding, so bad credentials show up at once rather than on first expand. */
async function checkConnection(deps: Deps, source: ObjectStoreSource, store: ObjectStore): Promise<void> {
  if (store.disabled) {
    return;
  }
  try {
    await browsePage(source, store.id, { pageSize: 1 });
    deps.log.info(`Connected to "${store.name}"`);
  } catch (error) {
    deps.report(`Added "${store.name}", but its objects can't be listed`, error);
  }
}
