import { listingPrefix } from '../../core/keyPrefix';
import type { ObjectEntry } from '../../core/objectBrowser';
import type { ObjectStore } from '../../core/objectStore';
import type { ObjectStoreSource } from '../../core/ports';

/**
 * The nodes of the Object Stores view. Each knows its parent, so the view can
 * reveal any node (getParent) and every node's id is its parent's id plus its
 * own part. They hold no editor objects and can be made in plain Node tests.
 */

/** A source of stores (this computer, a LogQS DataStore); shown only when there is more than one. */
export class SourceNode {
  readonly kind = 'source';
  readonly parent = undefined;
  constructor(readonly source: ObjectStoreSource) {}
  get id(): string {
    return `source:${this.source.id}`;
  }
}

export class StoreNode {
  readonly kind = 'store';
  constructor(
    readonly parent: SourceNode | undefined,
    readonly source: ObjectStoreSource,
    readonly store: ObjectStore,
  ) {}
  get id(): string {
    return `${this.parent?.id ?? `source:${this.source.id}`}/store:${this.store.id}`;
  }
  get storeNode(): StoreNode {
    return this;
  }
}

export class FolderNode {
  readonly kind = 'folder';
  constructor(
    readonly parent: ContainerNode,
    /** The full key prefix of the folder, ending in "/". */
    readonly prefix: string,
    readonly name: string,
  ) {}
  get id(): string {
    return `${this.parent.storeNode.id}/folder:${this.prefix}`;
  }
  get storeNode(): StoreNode {
    return this.parent.storeNode;
  }
}

export class ObjectNode {
  readonly kind = 'object';
  constructor(
    readonly parent: ContainerNode,
    readonly entry: ObjectEntry,
  ) {}
  get id(): string {
    return `${this.parent.storeNode.id}/object:${this.entry.key}`;
  }
  get storeNode(): StoreNode {
    return this.parent.storeNode;
  }
}

export class LoadMoreNode {
  readonly kind = 'loadMore';
  constructor(readonly parent: ContainerNode | SourceNode) {}
  get id(): string {
    return `${this.parent.id}/loadMore`;
  }
}

export class MessageNode {
  readonly kind = 'message';
  constructor(
    /** Undefined for a message at the root of the view. */
    readonly parent: ContainerNode | SourceNode | undefined,
    readonly text: string,
    readonly isError: boolean,
  ) {}
  get id(): string {
    return `${this.parent?.id ?? 'root'}/message`;
  }
}

/** Nodes whose children are objects and folders. */
export type ContainerNode = StoreNode | FolderNode;
export type TreeNode = SourceNode | ContainerNode | ObjectNode | LoadMoreNode | MessageNode;

/** The key prefix a store's or folder's children's names follow (the key_prefix at a store's root). */
export function childPrefixOf(container: ContainerNode): string {
  return listingPrefix(container.storeNode.store.key_prefix, container.kind === 'folder' ? container.prefix : undefined);
}

/** The store node a node belongs to, if it is inside one. */
export function storeNodeOf(node: TreeNode): StoreNode | undefined {
  return 'storeNode' in node ? node.storeNode : undefined;
}
