import { LogqsError } from '../../core/errors';
import { filterAfterPrefix, scopeKey } from '../../core/keyPrefix';
import type { ObjectStore } from '../../core/objectStore';
import type { StoreRef } from '../../core/sources';
import { assertUsable, assertWritable, isWritable } from '../../core/storeRules';
import { FolderNode, LoadMoreNode, MessageNode, ObjectNode, SourceNode, StoreNode, type TreeNode, childPrefixOf } from '../explorer/nodes';
import { type CommandDeps, isInputObject } from './deps';

/**
 * What a data-plane command acts on. From the tree: the clicked node and,
 * with multi-select, every selected node. From a script: `{ id, key }` (a
 * store id and a key or folder prefix). From the palette: a store picked,
 * then browsed.
 */

/** A key or folder in a store, and the tree node it came from when it came from the tree. */
export interface Target {
  ref: StoreRef;
  kind: 'object' | 'folder';
  /** Full key, or full prefix ("" for a store's root). */
  key: string;
  /** Known size of an object listed in the tree. */
  size?: number;
  node?: TreeNode;
  /** A folder shown filtered in the tree: the longer prefix that lists what it shows (see shownAsFiltered). */
  listedAs?: string;
}

type TargetDeps = Pick<CommandDeps, 'sources' | 'ui' | 'report'>;

/** The nodes a command acts on: the whole selection when the clicked node is part of it. */
export function selection(arg: unknown, selected: unknown): TreeNode[] {
  if (Array.isArray(selected) && selected.includes(arg)) {
    return selected as TreeNode[];
  }
  return isNode(arg) ? [arg] : [];
}

function isNode(value: unknown): value is TreeNode {
  return value instanceof StoreNode || value instanceof FolderNode || value instanceof ObjectNode;
}

function fromNode(node: TreeNode): Target | undefined {
  switch (node.kind) {
    case 'store':
      return { ref: { source: node.source, store: node.store }, kind: 'folder', key: node.store.key_prefix ?? '', node };
    case 'folder':
      return { ref: { source: node.storeNode.source, store: node.storeNode.store }, kind: 'folder', key: node.prefix, node };
    case 'object':
      return { ref: { source: node.storeNode.source, store: node.storeNode.store }, kind: 'object', key: node.entry.key, size: node.entry.size, node };
    default:
      return undefined;
  }
}

/** Which stores a command can use, and what it says when there are stores but none of them. */
export interface StoreFit {
  fits(store: ObjectStore): boolean;
  noneFit: string;
}

export const USABLE: StoreFit = { fits: (store) => !store.disabled, noneFit: 'Every object store is disabled: edit one to enable it' };
export const WRITABLE: StoreFit = {
  fits: isWritable,
  noneFit: 'No object store can be written to: each is read-only or disabled',
};

/** Every store of every source that fits, for a picker; refused, saying why, when there are stores and none fits. */
export async function storesThatFit(deps: TargetDeps, fit: StoreFit): Promise<StoreRef[]> {
  let unloaded = false;
  const stores = await deps.sources.allStores((source, error) => {
    unloaded = true;
    deps.report(`Couldn't load the object stores of ${source.label}`, error);
  });
  const fitting = stores.filter((ref) => fit.fits(ref.store));
  if (fitting.length === 0 && stores.length > 0) {
    // Next to the report of a source that failed, said of the stores it could load only.
    throw new LogqsError('invalid-input', unloaded ? `${fit.noneFit} (of those that could be loaded)` : fit.noneFit);
  }
  return fitting;
}

/**
 * The targets of a command: tree nodes, scripted `{ id, key }`, or else a
 * store that fits, picked and browsed for what `want` allows. A store the
 * command may not use (disabled; read-only for a write) is refused here,
 * before any question, dialog or progress (the core refuses again, against
 * the store as it is when the job runs).
 */
export async function resolveTargets(
  deps: TargetDeps,
  arg: unknown,
  selected: unknown,
  request: {
    title: string;
    want: 'object' | 'folder' | 'either';
    writes: boolean;
    /** False when a whole store is no target: its node in a selection, its root given by a script or picked (Delete: it does not empty stores). */
    wholeStore?: boolean;
  },
): Promise<Target[]> {
  const assertFits = request.writes ? assertWritable : assertUsable;
  const fromTree = selection(arg, selected).map(fromNode).filter((target): target is Target => target !== undefined);
  if (fromTree.length > 0) {
    const targets = fromTree
      .filter((target) => request.want === 'either' || target.kind === request.want || (request.want === 'folder' && target.node?.kind === 'store'))
      .filter((target) => request.wholeStore !== false || target.node?.kind !== 'store');
    // Every store acted on is checked before the first is: none is asked about, or changed, then refused. A node left
    // out (a store's, for Delete) is no reason to refuse the rest. Checked against each record as it is now, not as the
    // tree drew it: another window, or the LogQS server, may have made the store read-only or disabled since.
    const records = new Map<string, Promise<ObjectStore>>();
    const current = async ({ source, store }: StoreRef): Promise<StoreRef> => {
      const id = `${source.id}/${store.id}`;
      const record = records.get(id) ?? source.get(store.id);
      records.set(id, record);
      return { source, store: await record };
    };
    const checked = await Promise.all(targets.map(async (target) => ({ ...target, ref: await current(target.ref) })));
    checked.forEach((target) => assertFits(target.ref.store));
    return checked;
  }
  // Rows of the tree that are no object or folder ("Load more…", a message), alone or selected together: not a palette
  // run, whose store and folder are asked for.
  if (arg instanceof LoadMoreNode || arg instanceof MessageNode || arg instanceof SourceNode) {
    throw new LogqsError('invalid-input', request.want === 'folder' ? `${request.title} works on stores and folders: select one` : `${request.title} works on objects and folders: select some`);
  }
  if (isInputObject(arg) && typeof arg.id === 'string') {
    const ref = await deps.sources.find(arg.id);
    assertFits(ref.store);
    // A script may give a key without the prefix (the seed prepends it); a target's key is the full key.
    const key = typeof arg.key === 'string' && arg.key !== '' ? scopeKey(ref.store.key_prefix, arg.key) : (ref.store.key_prefix ?? '');
    const kind = key === '' || key.endsWith('/') ? 'folder' : 'object';
    if (request.wholeStore === false && kind === 'folder' && key === (ref.store.key_prefix ?? '')) {
      return [];
    }
    // A key says its kind by its "/": an object's key given to Upload would be glued to the names of the files under it.
    if (request.want !== 'either' && kind !== request.want) {
      throw new LogqsError('invalid-input', `${request.title} works on ${request.want === 'object' ? 'an object\'s key' : 'a folder (a key that ends in "/") or a store'}`);
    }
    return [{ ref, kind, key }];
  }
  const candidates = await storesThatFit(deps, request.writes ? WRITABLE : USABLE);
  const ref = await deps.ui.pickStore(candidates, `${request.title}: which object store?`);
  // Refused here too: a picker may have been offered a store that changed since.
  assertFits(ref.store);
  const item = await deps.ui.browseStore(ref, { title: request.title, want: request.want, rootFolder: request.wholeStore !== false });
  return [{ ref, kind: item.kind, key: item.key }];
}

/** The one target of a command that acts on one thing. */
export async function resolveTarget(deps: TargetDeps, arg: unknown, request: Parameters<typeof resolveTargets>[3]): Promise<Target> {
  const [first] = await resolveTargets(deps, arg, undefined, request);
  if (!first) {
    throw new LogqsError('invalid-input', `${request.title} works on ${request.want === 'object' ? 'an object' : 'a folder or store'}`);
  }
  return first;
}

/** Targets grouped by store: a job runs in one store at a time. */
export function byStore(targets: readonly Target[]): Target[][] {
  const groups = new Map<string, Target[]>();
  for (const target of targets) {
    const id = `${target.ref.source.id}/${target.ref.store.id}`;
    groups.set(id, [...(groups.get(id) ?? []), target]);
  }
  return [...groups.values()];
}

/** Targets of one store without those a selected folder holds already: each object counted, deleted or downloaded once. */
export function outermost(group: Target[]): Target[] {
  // A filtered folder holds only what its filter shows.
  const folders = group.filter((target) => target.kind === 'folder').map((target) => target.listedAs ?? target.key);
  return group.filter((target) => !folders.some((prefix) => target.key !== prefix && target.key.startsWith(prefix)));
}

/**
 * Targets as the tree shows them: a filtered folder (or store) only as far as its filter shows (see
 * shownAsFiltered), and none whose filter can show no names.
 */
export function shownTargets(targets: readonly Target[], filterOf: (node: TreeNode) => string | undefined): Target[] {
  return targets.flatMap((target) => shownAsFiltered(target, filterOf) ?? []);
}

/**
 * A folder (or store) of the tree as it is shown: filtered (Filter…), only the names its filter shows (listed
 * with the longer prefix); undefined when its filter can show none. Anything else as it is.
 */
function shownAsFiltered(target: Target, filterOf: (node: TreeNode) => string | undefined): Target | undefined {
  const filter = target.kind === 'folder' && target.node ? filterOf(target.node) : undefined;
  if (filter === undefined || !target.node || (target.node.kind !== 'folder' && target.node.kind !== 'store')) {
    return target;
  }
  const base = childPrefixOf(target.node);
  const after = filterAfterPrefix(base, filter);
  return after === undefined ? undefined : { ...target, listedAs: base + after };
}
