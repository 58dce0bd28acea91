import { displayName, isInScope, listingPrefix } from './keyPrefix';
import type { ObjectStore } from './objectStore';
import type { ObjectClientFactory, ObjectSummary } from './ports';
import type { ObjectStoreRegistry } from './registryService';

export const MAX_PAGE_SIZE = 1000;

export interface FolderEntry {
  prefix: string;
  name: string;
}

export interface ObjectEntry extends ObjectSummary {
  name: string;
}

export interface BrowsePage {
  store: ObjectStore;
  prefix: string;
  folders: FolderEntry[];
  objects: ObjectEntry[];
  nextContinuationToken?: string;
}

/**
 * Lists a store's objects one folder level at a time, scoped to its key
 * prefix. Anything a server returns outside the prefix is dropped.
 */
export class ObjectBrowser {
  constructor(
    private readonly registry: ObjectStoreRegistry,
    private readonly clientFor: ObjectClientFactory,
  ) {}

  async listPage(
    storeId: string,
    options: { folderPrefix?: string; continuationToken?: string; pageSize: number },
  ): Promise<BrowsePage> {
    const { store, credentials } = await this.registry.credentialsFor(storeId);
    const prefix = listingPrefix(store.key_prefix, options.folderPrefix);
    const pageSize = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(options.pageSize)));
    const page = await this.clientFor(store, credentials).listPage({
      prefix,
      delimiter: '/',
      maxKeys: pageSize,
      continuationToken: options.continuationToken,
    });
    const inScope = (key: string) => key.startsWith(prefix) && isInScope(store.key_prefix, key);
    return {
      store,
      prefix,
      folders: page.folders.filter(inScope).map((folder) => ({ prefix: folder, name: displayName(folder) })),
      // A zero-byte "folder marker" object named like the folder itself is not a file.
      objects: page.objects
        .filter((object) => inScope(object.key) && object.key !== prefix)
        .map((object) => ({ ...object, name: displayName(object.key) })),
      nextContinuationToken: page.nextContinuationToken,
    };
  }
}
