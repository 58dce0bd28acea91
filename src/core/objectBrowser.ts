import { displayName, isInScope, listingPrefix } from './keyPrefix';
import type { ObjectStore } from './objectStore';
import type { ObjectStoreSource, ObjectSummary } from './ports';

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
 * One page of a store's objects, one folder level at a time, scoped to its key
 * prefix, from whichever source the store comes from. Anything a server
 * returns outside the prefix is dropped.
 */
export async function browsePage(
  source: ObjectStoreSource,
  storeId: string,
  options: { folderPrefix?: string; continuationToken?: string; pageSize: number; signal?: AbortSignal },
): Promise<BrowsePage> {
  const { store, objects } = await source.objectsOf(storeId);
  const prefix = listingPrefix(store.key_prefix, options.folderPrefix);
  const pageSize = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(options.pageSize)));
  const page = await objects.listPage(
    { prefix, delimiter: '/', maxKeys: pageSize, continuationToken: options.continuationToken },
    options.signal,
  );
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
