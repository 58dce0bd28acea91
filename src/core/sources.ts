import { LogqsError, toLogqsError } from './errors';
import type { ObjectStore } from './objectStore';
import type { Disposable, ObjectStoreSource, StoreChange } from './ports';

/** A store together with the source it comes from: what commands act on. */
export interface StoreRef {
  source: ObjectStoreSource;
  store: ObjectStore;
}

/**
 * The sources of object stores the extension knows: the embedded data store
 * always, LogQS DataStores once connected. Forwards their change events.
 */
export class StoreSources implements Disposable {
  private readonly sources: ObjectStoreSource[] = [];
  private readonly subscriptions = new Map<string, Disposable>();
  private readonly storeListeners = new Set<(source: ObjectStoreSource, change: StoreChange) => void>();
  private readonly listListeners = new Set<() => void>();

  constructor(initial: readonly ObjectStoreSource[] = []) {
    initial.forEach((source) => this.add(source));
  }

  all(): readonly ObjectStoreSource[] {
    return this.sources;
  }

  byId(id: string): ObjectStoreSource | undefined {
    return this.sources.find((source) => source.id === id);
  }

  add(source: ObjectStoreSource): void {
    this.remove(source.id);
    this.sources.push(source);
    this.subscriptions.set(source.id, source.onDidChange((change) => this.storeListeners.forEach((listener) => listener(source, change))));
    this.listListeners.forEach((listener) => listener());
  }

  remove(id: string): void {
    const index = this.sources.findIndex((source) => source.id === id);
    if (index >= 0) {
      this.sources.splice(index, 1);
      this.subscriptions.get(id)?.dispose();
      this.subscriptions.delete(id);
      this.listListeners.forEach((listener) => listener());
    }
  }

  /**
   * The store with this id, in whichever source holds it. A source that can't be read (a DataStore that is down) hides
   * no store of another; when none holds it, its failure is the answer, since the store may be one of its own.
   */
  async find(storeId: string): Promise<StoreRef> {
    let unreadable: unknown;
    for (const source of this.sources) {
      try {
        const store = (await source.list()).find((candidate) => candidate.id === storeId);
        if (store) {
          return { source, store };
        }
      } catch (error) {
        unreadable ??= error;
      }
    }
    throw unreadable !== undefined ? toLogqsError(unreadable) : new LogqsError('not-found', 'That object store no longer exists; refresh the list');
  }

  /** Every store of every source; a source that can't be read is reported through `onError` and skipped. */
  async allStores(onError: (source: ObjectStoreSource, error: unknown) => void): Promise<StoreRef[]> {
    const lists = await Promise.all(
      this.sources.map(async (source) => {
        try {
          return (await source.list()).map((store) => ({ source, store }));
        } catch (error) {
          onError(source, error);
          return [];
        }
      }),
    );
    return lists.flat();
  }

  /** Called when a store of any source changes. */
  onDidChangeStores(listener: (source: ObjectStoreSource, change: StoreChange) => void): Disposable {
    this.storeListeners.add(listener);
    return { dispose: () => this.storeListeners.delete(listener) };
  }

  /** Called when a source is added or removed. */
  onDidChangeSources(listener: () => void): Disposable {
    this.listListeners.add(listener);
    return { dispose: () => this.listListeners.delete(listener) };
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.subscriptions.clear();
    this.storeListeners.clear();
    this.listListeners.clear();
  }
}
