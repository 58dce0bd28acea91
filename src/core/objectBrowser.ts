import { LogqsError } from './errors';
import { displayName, isInScope, narrowedPrefix, relativeName } from './keyPrefix';
import type { ObjectStore } from './objectStore';
import type { ListPage, ListPageRequest, ObjectGateway, ObjectStoreSource, ObjectSummary } from './ports';

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
 * One page of a listing, from any gateway. A server that answers a
 * continuation token with that same token is refused: every loop that lists
 * a whole prefix (a folder's download or delete, a folder of the `logqs:`
 * file system) would ask for the same page forever.
 */
export async function listPage(objects: ObjectGateway, request: ListPageRequest, signal?: AbortSignal): Promise<ListPage> {
  const page = await objects.listPage(request, signal);
  if (page.nextContinuationToken !== undefined && page.nextContinuationToken === request.continuationToken) {
    throw new LogqsError('remote', `The server answered the listing of "${request.prefix}" with the continuation token it was asked with, which would never end; the listing stopped there`);
  }
  return page;
}

/**
 * Every page of a listing, each asked for as soon as the one before arrives: its keys are worked on (a folder's
 * files downloaded, its objects deleted) while the next page is on its way, rather than from when its last key's work
 * started, when the work in flight ran out during the listing's round trip (about 100 ms for 1000 keys from a local
 * server). One page ahead at most, whatever the listing's length. The page asked ahead is stopped with `signal`, and
 * also when the work stops before reaching it (a failure closes this generator).
 */
export async function* pagesAhead(list: (continuationToken: string | undefined, signal: AbortSignal) => Promise<ListPage>, signal?: AbortSignal): AsyncGenerator<ListPage> {
  const listing = new AbortController();
  const cancel = () => listing.abort(signal?.reason);
  signal?.addEventListener('abort', cancel, { once: true });
  if (signal?.aborted) {
    cancel();
  }
  const ask = (token: string | undefined) => {
    // A list that throws at once fails the page it was asked for, when that page is reached, like one that rejects.
    const page = Promise.resolve().then(() => list(token, listing.signal));
    // Left unread if the work stops before its page: its failure is then no one's to report.
    page.catch(() => undefined);
    return page;
  };
  try {
    let next: Promise<ListPage> | undefined = ask(undefined);
    while (next) {
      const page: ListPage = await next;
      next = page.nextContinuationToken === undefined ? undefined : ask(page.nextContinuationToken);
      yield page;
    }
  } finally {
    signal?.removeEventListener('abort', cancel);
    listing.abort();
  }
}

/**
 * One page of a store's objects, one folder level at a time, scoped to its key
 * prefix, from whichever source the store comes from. Anything a server
 * returns outside the prefix is dropped. `startsWith` narrows the folder to
 * the names that start with it (Find Object, a folder's filter): the server
 * is asked with the longer prefix, so a folder of millions of keys is never
 * listed whole.
 */
export async function browsePage(
  source: ObjectStoreSource,
  storeId: string,
  options: { folderPrefix?: string; startsWith?: string; continuationToken?: string; pageSize: number; signal?: AbortSignal },
): Promise<BrowsePage> {
  const { store, objects } = await source.objectsOf(storeId);
  const prefix = narrowedPrefix(store.key_prefix, options.folderPrefix, options.startsWith);
  const pageSize = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(options.pageSize)));
  const page = await listPage(objects, { prefix, delimiter: '/', maxKeys: pageSize, continuationToken: options.continuationToken }, options.signal);
  const inScope = (key: string) => key.startsWith(prefix) && isInScope(store.key_prefix, key);
  return {
    store,
    prefix,
    folders: page.folders.filter(inScope).map((folder) => ({ prefix: folder, name: displayName(folder) })),
    // A zero-byte "folder marker" object named like the folder itself is not a file.
    objects: page.objects
      .filter((object) => inScope(object.key) && !(object.key === prefix && prefix.endsWith('/')))
      .map((object) => ({ ...object, name: displayName(object.key) })),
    nextContinuationToken: page.nextContinuationToken,
  };
}

/** Keys per Find Object request: a page a person reads, not a folder's worth. */
export const FIND_PAGE_SIZE = 100;

export interface FoundEntry {
  kind: 'folder' | 'object';
  /** Full key, or full folder prefix. */
  key: string;
  /** The key as seen from the folder the search started in ("run-1/robot.bag"). */
  label: string;
  size?: number;
}

/** What pages of a search under `basePrefix` found, folders first on each page, as S3 gives them. */
export function foundEntries(pages: readonly BrowsePage[], basePrefix: string): FoundEntry[] {
  return pages.flatMap((page) => [
    ...page.folders.map((folder): FoundEntry => ({ kind: 'folder', key: folder.prefix, label: relativeName(basePrefix, folder.prefix) })),
    ...page.objects.map((object): FoundEntry => ({ kind: 'object', key: object.key, label: relativeName(basePrefix, object.key), size: object.size })),
  ]);
}
