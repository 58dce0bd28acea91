import type { ObjectStore } from '../../core/objectStore';
import { isDataStoreSource } from '../../adapters/logqs/logqsStoreSource';
import type { ObjectStoreSource } from '../../core/ports';
import { canBecomeDefault } from '../../core/storeRules';
import { type TreeNode, storeNodeOf } from './nodes';

/**
 * The one builder of tree items' context values, which package.json `when`
 * clauses match with regular expressions: the node kind first, then tokens.
 * Stores, folders and objects carry the same readOnly/writable token, so a
 * write command's menu entry reads the same on each; a filtered store or
 * folder carries `filtered` (Clear Filter).
 */
function storeTokens(source: ObjectStoreSource, store: ObjectStore): string[] {
  return [
    store.managed ? 'managed' : 'editable',
    store.default ? 'default' : 'notDefault',
    store.disabled ? 'disabled' : 'enabled',
    store.read_only ? 'readOnly' : 'writable',
    // Set as Default: see canBecomeDefault.
    ...(canBecomeDefault(store, source) ? ['defaultable'] : []),
  ];
}

/** The context key, true while a LogQS DataStore is connected, that shows Disconnect in the palette. */
export const CONNECTED_CONTEXT_KEY = 'logqs.connected';

export function contextValue(node: TreeNode, filter?: string): string {
  const filtered = filter === undefined ? [] : ['filtered'];
  switch (node.kind) {
    case 'source':
      // The embedded store is always there; a LogQS DataStore can be disconnected.
      return isDataStoreSource(node.source) ? 'source logqs' : 'source embedded';
    case 'store':
      return ['store', ...storeTokens(node.source, node.store), ...filtered].join(' ');
    case 'folder':
    case 'object': {
      const store = storeNodeOf(node)?.store;
      return [node.kind, store?.read_only ? 'readOnly' : 'writable', ...filtered].join(' ');
    }
    case 'loadMore':
      return 'loadMore';
    case 'message':
      return node.isError ? 'message error' : 'message';
  }
}
