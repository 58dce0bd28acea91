import { isDeepStrictEqual } from 'node:util';
import { LogqsError, userMessage } from '../../core/errors';
import { filterAfterPrefix, folderFilterProblem, nameStartIn } from '../../core/keyPrefix';
import { browsePage } from '../../core/objectBrowser';
import { type ObjectStore, dataPlaneKey } from '../../core/objectStore';
import type { ObjectStoreSource } from '../../core/ports';
import type { StoreSources } from '../../core/sources';
import { type ContainerNode, FolderNode, LoadMoreNode, MessageNode, ObjectNode, SourceNode, StoreNode, type TreeNode, childPrefixOf } from './nodes';

/** What has been loaded under a store or folder so far, page by page. */
interface Listing {
  children: TreeNode[];
  nextContinuationToken?: string;
}

export interface TreeDeps {
  sources: StoreSources;
  /** Keys per listing request (a setting, read at each request). */
  pageSize: () => number;
  /** Shows and logs an error (the one error path of the extension). */
  report: (action: string, error: unknown) => void;
  info: (message: string) => void;
  /** Pages of one folder a reveal looks through before it filters the folder to the name it looks for instead. */
  revealPageLimit?: number;
}

/** 100 pages: 100 000 keys at the default page size, a few seconds of requests. */
const REVEAL_PAGE_LIMIT = 100;

/**
 * What the Object Stores view shows, without the editor: stores (under their
 * sources when there are several), then their folders and objects, listed
 * lazily one page at a time and kept until refreshed; a folder's filter, and
 * the walk that reveals a key. The provider draws it; tests run it in Node.
 */
export class ObjectTreeModel {
  private readonly listings = new Map<string, Listing>();
  private readonly inFlight = new Map<string, Promise<Listing>>();
  /** The records the tree was last drawn from, by store node id, to tell which listings a change made stale. */
  private listedStores = new Map<string, ObjectStore>();
  /** Each filtered store or folder's filter (the start of its children's names), by node id; kept until cleared. */
  private readonly filters = new Map<string, string>();
  /** Counts the changes of stores (and refreshes): a page of stores listed before one is not kept. */
  private storesGeneration = 0;
  /**
   * The source and store nodes handed out, by id. VS Code knows a node by its object, and ignores a redraw asked
   * for one it wasn't given: a store listed again (the root's stores are, at every redraw) is the same object
   * while its record is the same, so the walks that reveal a key can redraw what they load.
   */
  private readonly handedOut = new Map<string, SourceNode | StoreNode>();
  /**
   * What was last said about each page of a source's stores (a record left out, a list that failed): the root's
   * stores are listed again at every redraw (a save, an upload), and a damaged file is said once, not at each.
   * Refresh says it again.
   */
  private readonly saidOfStores = new Map<string, Set<string>>();
  /**
   * The store and folder nodes whose children VS Code last asked for, by id: the objects it holds. A listing kept
   * from before (its folder listed again above it, a store's record edited) points at an older node of the same id,
   * and a redraw asked for that one would be ignored.
   */
  private readonly drawnContainers = new Map<string, ContainerNode>();

  constructor(private readonly deps: TreeDeps) {}

  /** Tells the view a node (undefined: everything) must be drawn again; the provider fires its event. */
  protected changed(_node: TreeNode | undefined): void {}

  /** Forgets what was listed (everywhere, or under one store, whose record is read again too) and redraws. */
  refresh(node?: ContainerNode): void {
    if (node) {
      this.forgetListings(node.storeNode.id);
      // Its record may have changed where no change was announced here (another window made it read-only, say).
      this.storesChanged();
      return;
    }
    this.listings.clear();
    this.inFlight.clear();
    this.saidOfStores.clear();
    // Drawn again as VS Code asks for the children it shows: the folders browsed before, collapsed since, are let go.
    this.drawnContainers.clear();
    this.storesGeneration++;
    this.changed(undefined);
  }

  /**
   * Re-lists a store whose objects were just written or deleted, wherever it
   * shows; with `key` (one object saved), only the folders on its path, whose
   * sizes or folders it may change: an editor saving every few seconds does
   * not re-list every folder open in the view (nor drop their Load more… pages).
   * With `saved` too, an object already listed is redrawn with its new size in
   * the listing it is in, and nothing is listed again: only a new object (a
   * Save As) can add a folder on its path. One that was there already and is
   * listed nowhere (on a page not loaded) changes no listing: the pages loaded
   * stay (an auto-save of a tab opened from the palette).
   */
  objectsChanged(storeId: string, key?: string, saved?: { size: number; created?: boolean }): void {
    if (key !== undefined && saved && (this.redrawSaved(storeId, key, saved) || saved.created === false)) {
      return;
    }
    for (const [nodeId, store] of this.listedStores) {
      if (store.id === storeId) {
        this.forgetListings(nodeId, key);
      }
    }
    this.changed(undefined);
  }

  /** Replaces the listed node of an object just saved with one of its new size, wherever it shows; false when none is listed. */
  private redrawSaved(storeId: string, key: string, saved: { size: number }): boolean {
    let found = false;
    for (const listing of this.listings.values()) {
      const index = listing.children.findIndex((child) => child.kind === 'object' && child.entry.key === key && child.storeNode.store.id === storeId);
      const node = listing.children[index];
      if (node?.kind === 'object') {
        const parent = this.drawnContainers.get(node.parent.id) ?? node.parent;
        // In place: a page being appended to this listing meanwhile keeps it (see appendPage).
        listing.children[index] = new ObjectNode(parent, { ...node.entry, size: saved.size, lastModified: new Date(), etag: undefined });
        this.changed(parent);
        found = true;
      }
    }
    return found;
  }

  /**
   * Redraws the list of stores after records changed. Listings are kept for
   * stores whose bucket, prefix, endpoint and credentials are unchanged, so an
   * edit of one store doesn't re-list (and re-report errors of) the others.
   */
  storesChanged(): void {
    this.storesGeneration++;
    // Pages of stores are listed again (the change may be on any page); object listings stay unless their store changed.
    for (const key of [...this.listings.keys()]) {
      if (key.startsWith('source:') && !key.includes('/')) {
        this.listings.delete(key);
      }
    }
    this.changed(undefined);
  }

  /** The filter of a store or folder node, if it has one. */
  filterOf(node: TreeNode): string | undefined {
    return this.filters.get(node.id);
  }

  /**
   * Shows only the children of a store or folder whose names start with
   * `text` (listed by the server with the longer prefix); "" clears it.
   */
  setFilter(node: ContainerNode, text: string): void {
    if (text === '') {
      this.filters.delete(node.id);
    } else {
      this.filters.set(node.id, text);
    }
    // Its own listing only: the folders below keep theirs, unfiltered.
    this.listings.delete(node.id);
    this.changed(node);
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.parent;
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (!node) {
      const sources = this.deps.sources.all();
      return sources.length === 1 ? (await this.storePage(undefined, sources[0], 0)).children : sources.map((source) => this.sourceNode(source));
    }
    if (node.kind === 'source') {
      const listing = this.listings.get(node.id) ?? (await this.storePage(node, node.source, 0));
      return listing.nextContinuationToken ? [...listing.children, new LoadMoreNode(node)] : listing.children;
    }
    if (node.kind !== 'store' && node.kind !== 'folder') {
      return [];
    }
    this.drawnContainers.set(node.id, node);
    const listing = this.listings.get(node.id) ?? (await this.loadFirstPage(node));
    return listing.nextContinuationToken ? [...listing.children, new LoadMoreNode(node)] : listing.children;
  }

  /**
   * The node of a key (object) or prefix (folder) under a store node, walking
   * down its folders (loading their first pages). `loadPages` (the person
   * asked for this key): the later pages on the way are loaded too, and a
   * filter that hides the way is cleared. Undefined when the key isn't found.
   */
  async findKey(storeNodeId: string, key: string, { loadPages = false } = {}): Promise<TreeNode | undefined> {
    let container: ContainerNode | undefined = await this.storeNodeById(storeNodeId, loadPages);
    while (container) {
      if (loadPages) {
        this.dropFilterHiding(container, key);
      }
      const step = await this.childOnTheWay(container, key, loadPages);
      if (step?.kind !== 'folder' || step.prefix === key) {
        return step;
      }
      container = step;
    }
    return undefined;
  }

  /** A store's node among those drawn; with `loadPages`, a source's later pages of stores (a DataStore's) are loaded until it is there. */
  private async storeNodeById(storeNodeId: string, loadPages: boolean): Promise<StoreNode | undefined> {
    const isIt = (node: TreeNode): node is StoreNode => node.kind === 'store' && node.id === storeNodeId;
    for (const root of await this.getChildren()) {
      if (isIt(root)) {
        return root;
      }
      if (root.kind !== 'source') {
        continue;
      }
      for (;;) {
        const stores = await this.getChildren(root);
        const found = stores.find(isIt);
        if (found) {
          return found;
        }
        const more = stores.find((node): node is LoadMoreNode => node.kind === 'loadMore');
        if (!loadPages || !more) {
          break;
        }
        await this.loadMore(more);
      }
    }
    return undefined;
  }

  /** The child of a container that is `key` or a folder holding it, on the pages loaded or, with `loadPages`, on the next ones. */
  private async childOnTheWay(container: ContainerNode, key: string, loadPages: boolean): Promise<ObjectNode | FolderNode | undefined> {
    let listing = this.listings.get(container.id) ?? (await this.loadFirstPage(container));
    let searchedUpTo = 0;
    let pagesSeen = 0;
    for (;;) {
      const step = listing.children.slice(searchedUpTo).find(
        (child): child is ObjectNode | FolderNode => (child.kind === 'object' && child.entry.key === key) || (child.kind === 'folder' && key.startsWith(child.prefix)),
      );
      if (step || !loadPages || !listing.nextContinuationToken) {
        return step;
      }
      if (++pagesSeen >= this.revealPageLimit && this.filterToward(container, key)) {
        // Far down a folder of millions: one request for the name itself, not every page before it.
        listing = await this.loadFirstPage(container);
        searchedUpTo = 0;
        continue;
      }
      const longer = await this.appendPage(container, listing);
      const kept = this.listings.get(container.id);
      if (kept === longer) {
        searchedUpTo = listing.children.length;
        listing = longer;
      } else {
        // Another Load more… (or a refresh) replaced the listing meanwhile: go on from the one kept, which the view shows.
        listing = kept ?? (await this.loadFirstPage(container));
        searchedUpTo = 0;
      }
    }
  }

  private get revealPageLimit(): number {
    return this.deps.revealPageLimit ?? REVEAL_PAGE_LIMIT;
  }

  /** Filters a container to the name of the child on the way to `key`; false when it already is, or can't be. */
  private filterToward(container: ContainerNode, key: string): boolean {
    const base = childPrefixOf(container);
    // The name as shown: whole, from the last "/" (see filterAfterPrefix).
    const name = nameStartIn(base) + key.slice(base.length).split('/')[0];
    if (name === '' || this.filters.get(container.id) === name || folderFilterProblem(name) !== undefined) {
      return false;
    }
    this.deps.info(`Revealing "${key}": not in the first ${this.revealPageLimit} pages of "${base}", so they are filtered to "${name}"`);
    this.setFilter(container, name);
    return true;
  }

  private dropFilterHiding(container: ContainerNode, key: string): void {
    const filter = this.filters.get(container.id);
    const base = childPrefixOf(container);
    const after = filter === undefined ? undefined : filterAfterPrefix(base, filter);
    if (filter !== undefined && (after === undefined || !key.startsWith(base + after))) {
      this.setFilter(container, '');
    }
  }

  /** Appends the next page under a store or folder. */
  async loadMore(node: LoadMoreNode): Promise<void> {
    const parent = node.parent;
    const listing = this.listings.get(parent.id);
    if (!listing?.nextContinuationToken) {
      return;
    }
    if (parent.kind === 'source') {
      const offset = Number(listing.nextContinuationToken);
      const next = await this.storePage(parent, parent.source, offset);
      if (next.failed) {
        // Said, and the list and its Load more… left as they were, to be tried again: a click that fails again says so again.
        this.saidOfStores.delete(`${parent.source.id}@${offset}`);
        return;
      }
      // The stores changed (or the view was refreshed) meanwhile: this page extends an older list, not the one shown.
      if (this.listings.get(parent.id) !== listing) {
        return;
      }
      // Pages are by offset: a store added on the server meanwhile moves the next page's stores down one, and a
      // store shown twice would be an id VS Code refuses (the whole list would go).
      const shown = new Set(listing.children.map((child) => child.id));
      const added = next.children.filter((child) => !shown.has(child.id));
      this.listings.set(parent.id, { children: [...listing.children, ...added], nextContinuationToken: next.nextContinuationToken });
      this.changed(parent);
      return;
    }
    await this.appendPage(parent, listing);
  }

  /**
   * Lists the page after `listing` under a store or folder, keeps it, and
   * redraws. When the listing was replaced meanwhile (a refresh, an upload, a
   * filter, another Load more), the page belongs to an older listing: it is
   * not kept, so the older listing is never put back over the newer one.
   */
  private async appendPage(node: ContainerNode, listing: Listing): Promise<Listing> {
    const { page, children } = await this.listPage(node, listing.nextContinuationToken);
    const longer = { children: [...listing.children, ...children], nextContinuationToken: page.nextContinuationToken };
    if (this.listings.get(node.id) !== listing) {
      return longer;
    }
    this.listings.set(node.id, longer);
    this.changed(node);
    return longer;
  }

  /** Forgets a store's listings: all of them, or those of the folders on `key`'s path (see FolderNode.id). */
  private forgetListings(storeNodeId: string, key?: string): void {
    const folders = `${storeNodeId}/folder:`;
    const under = (nodeId: string) =>
      nodeId === storeNodeId || (key === undefined ? nodeId.startsWith(`${storeNodeId}/`) : nodeId.startsWith(folders) && key.startsWith(nodeId.slice(folders.length)));
    for (const key of this.listings.keys()) {
      if (under(key)) {
        this.listings.delete(key);
      }
    }
    // A listing begun before is not the one to wait for, nor to keep.
    for (const flight of this.inFlight.keys()) {
      if (under(flight.slice(0, flight.indexOf('\n')))) {
        this.inFlight.delete(flight);
      }
    }
  }

  /** Remembers the records drawn, forgetting the listings of stores whose bucket, prefix, endpoint or keys changed. */
  private track(nodes: StoreNode[]): StoreNode[] {
    for (const node of nodes) {
      const before = this.listedStores.get(node.id);
      if (before && dataPlaneKey(before) !== dataPlaneKey(node.store)) {
        this.forgetListings(node.id);
      }
      this.listedStores.set(node.id, node.store);
    }
    return nodes;
  }

  /**
   * A page of a source's stores (the offset is the continuation token); a
   * source without pages gives all its stores at once. The first page under a
   * source node is kept until the stores change or the view is refreshed.
   */
  private async storePage(parent: SourceNode | undefined, source: ObjectStoreSource, offset: number): Promise<Listing & { failed?: true }> {
    const generation = this.storesGeneration;
    const said = new Set<string>();
    const sayOnce = (action: string, error: unknown) => {
      const text = `${action}: ${userMessage(error)}`;
      said.add(text);
      if (!this.saidOfStores.get(`${source.id}@${offset}`)?.has(text)) {
        this.deps.report(action, error);
      }
    };
    let listing: Listing & { failed?: true };
    try {
      const page = source.listPage ? await source.listPage(offset, this.deps.pageSize()) : { stores: await source.list(), total: undefined, covered: undefined, unreadable: [] };
      page.unreadable.forEach((problem) => sayOnce(`Left out an object store of ${source.label}`, problem));
      const stores = this.track(page.stores.map((store) => this.storeNode(parent, source, store)));
      const covered = page.covered ?? stores.length;
      const next = offset + covered;
      // At the root an empty list shows the welcome view; under a source it would show nothing at all.
      const children = stores.length === 0 && offset === 0 && parent ? [new MessageNode(parent, 'No object stores', false)] : stores;
      listing = { children, nextContinuationToken: page.total !== undefined && covered > 0 && next < page.total ? String(next) : undefined };
    } catch (error) {
      sayOnce(`Couldn't load the object stores of ${source.label}`, error);
      // An empty list would show the welcome view and invite adding over a damaged file.
      listing = { children: [new MessageNode(parent, userMessage(error), true)], failed: true };
    }
    this.saidOfStores.set(`${source.id}@${offset}`, said);
    if (parent && offset === 0 && generation === this.storesGeneration) {
      this.listings.set(parent.id, listing);
    }
    return listing;
  }

  /** A source's node: the one handed out before (see handedOut). */
  private sourceNode(source: ObjectStoreSource): SourceNode {
    const made = new SourceNode(source);
    const kept = this.handedOut.get(made.id);
    if (kept?.kind === 'source' && kept.source === source) {
      return kept;
    }
    this.handedOut.set(made.id, made);
    return made;
  }

  /** A store's node: the one handed out before while its record and parent are the same (see handedOut). */
  private storeNode(parent: SourceNode | undefined, source: ObjectStoreSource, store: ObjectStore): StoreNode {
    const made = new StoreNode(parent, source, store);
    const kept = this.handedOut.get(made.id);
    if (kept?.kind === 'store' && kept.parent === parent && kept.source === source && isDeepStrictEqual(kept.store, store)) {
      return kept;
    }
    this.handedOut.set(made.id, made);
    return made;
  }

  private loadFirstPage(node: ContainerNode): Promise<Listing> {
    const filter = this.filters.get(node.id);
    if (filter !== undefined && filterAfterPrefix(childPrefixOf(node), filter) === undefined) {
      // No name here can start with it: nothing to ask the server.
      const listing = { children: [nothingListed(node, filter)] };
      this.listings.set(node.id, listing);
      return Promise.resolve(listing);
    }
    // Keyed by the filter too: a listing begun before the filter changed is not the one to wait for.
    const flight = `${node.id}\n${filter ?? ''}`;
    const pending = this.inFlight.get(flight);
    if (pending) {
      return pending;
    }
    // Still current when the answer comes unless a refresh forgot it meanwhile.
    const current = () => this.inFlight.get(flight) === load;
    const load: Promise<Listing> = this.listFirstPage(node, current).finally(() => {
      if (current()) {
        this.inFlight.delete(flight);
      }
    });
    this.inFlight.set(flight, load);
    return load;
  }

  private async listFirstPage(node: ContainerNode, current: () => boolean): Promise<Listing> {
    const { store } = node.storeNode;
    const filter = this.filters.get(node.id);
    let listing: Listing;
    try {
      const { page, children } = await this.listPage(node);
      const empty = nothingListed(node, filter);
      listing = {
        children: children.length > 0 || page.nextContinuationToken ? children : [empty],
        nextContinuationToken: page.nextContinuationToken,
      };
      this.deps.info(`Listed "${page.prefix}" in "${store.name}": ${page.folders.length} folders, ${page.objects.length} objects${page.nextContinuationToken ? ', more to load' : ''}`);
    } catch (error) {
      // A disabled store is not browsed: said in the tree, where it was expanded, not as an error to dismiss.
      if (!LogqsError.is(error, 'disabled')) {
        this.deps.report(`Couldn't list objects in "${store.name}"`, error);
      }
      listing = { children: [new MessageNode(node, userMessage(error), !LogqsError.is(error, 'disabled'))] };
    }
    // Errors are kept too, so a redraw doesn't raise the same notification again; Refresh retries.
    // A listing made for a filter changed meanwhile, or begun before a refresh, is not kept.
    if (this.filters.get(node.id) === filter && current()) {
      this.listings.set(node.id, listing);
    }
    return listing;
  }

  /** One page of the objects under a store or folder, and the tree nodes that show it. */
  private async listPage(node: ContainerNode, continuationToken?: string) {
    const { source, store } = node.storeNode;
    const page = await browsePage(source, store.id, {
      // The store's root by its prefix too: a filter is the start of a name, never a pasted full key (see narrowedPrefix).
      folderPrefix: childPrefixOf(node),
      startsWith: filterAfterPrefix(childPrefixOf(node), this.filters.get(node.id) ?? ''),
      continuationToken,
      pageSize: this.deps.pageSize(),
    });
    const children: TreeNode[] = [
      ...page.folders.map((folder) => new FolderNode(node, folder.prefix, folder.name)),
      ...page.objects.map((entry) => new ObjectNode(node, entry)),
    ];
    return { page, children };
  }
}

/** What a store or folder (filtered by `filter`) with nothing to list shows. */
function nothingListed(node: ContainerNode, filter: string | undefined): MessageNode {
  return new MessageNode(node, filter === undefined ? 'No objects' : `No names start with "${filter}"`, false);
}

