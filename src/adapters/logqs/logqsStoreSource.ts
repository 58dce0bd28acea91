import * as z from 'zod';
import { LogqsError } from '../../core/errors';
import { type ObjectStore, type ObjectStoreCreate, objectStoreCreateSchema, parseInput, parseObjectStoreUpdate } from '../../core/objectStore';
import type {
  CredentialProvider,
  Disposable,
  FetchedObject,
  ListPage,
  ListPageRequest,
  ObjectGateway,
  ObjectStoreSource,
  SessionCredentials,
  StoreChange,
  StorePage,
} from '../../core/ports';
import { type SessionCredentialCache, sessionScope } from '../../core/sessionCache';
import { assertEditedEndpointWithoutBucket, assertEndpointWithoutBucket, assertNotManaged, assertUsable } from '../../core/storeRules';
import { LIST_STORES, type LogqsClient, checkAnswer, encodeKeyPath } from './logqsClient';
import {
  apiObjectSchema,
  apiObjectStoreSchema,
  dataEnvelope,
  listEnvelope,
  objectListSchema,
  sessionCredentialsSchema,
  toObjectStore,
  toObjectSummary,
  toSessionCredentials,
} from './logqsSchemas';

/** Stores per request when all of them are listed. */
const LIST_LIMIT = 100;
/** A record read this recently is used as it is, so listing a folder doesn't fetch its store again for every page. */
const RECORD_TTL_MS = 10_000;

const storePath = (id: string) => `objectStores/${encodeURIComponent(id)}`;

/**
 * The object stores of a LogQS DataStore, through its REST API. The tree and
 * the commands use it as any other source: reads of objects go through the
 * API (listing, and presigned URLs from fetching an object), writes through
 * S3 with the session credentials the API hands out (it has no object
 * writes). Managed, disabled and read-only stores are refused here before a
 * request, as the API would refuse them.
 */
export class LogqsStoreSource implements ObjectStoreSource {
  readonly id: string;
  // LogQS keeps a managed store's record, its default flag too (the API refuses the change).
  readonly managedRecordsFixed = true;
  private readonly listeners = new Set<(change: StoreChange) => void>();
  private readonly records = new Map<string, { store: ObjectStore; at: number }>();
  /** Every store this source has handed out: what may be kept for them elsewhere (S3 clients, session credentials). */
  private readonly seen = new Set<string>();

  constructor(
    connection: { id: string; name: string },
    private readonly client: LogqsClient,
    private readonly sessions: SessionCredentialCache,
    private readonly now: () => number = Date.now,
  ) {
    this.id = logqsSourceId(connection);
    this.label = connection.name;
  }

  readonly label: string;

  onDidChange(listener: (change: StoreChange) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  async listPage(offset: number, limit: number): Promise<StorePage> {
    // Records are checked one by one: one LogQS sends that the extension can't read must not hide the others.
    const page = await this.client.get('objectStores', listEnvelope(z.unknown()), LIST_STORES, { offset, limit, order: 'name', sort: 'asc' });
    const stores: ObjectStore[] = [];
    const unreadable: LogqsError[] = [];
    page.data.forEach((data, index) => {
      const { id } = (data ?? {}) as { id?: unknown };
      const which = typeof id === 'string' ? `store id ${id.slice(0, 64)}` : `record ${offset + index + 1}`;
      try {
        stores.push(this.remember(toObjectStore(checkAnswer(apiObjectStoreSchema, data, `${LIST_STORES} (${which})`))));
      } catch (error) {
        unreadable.push(error as LogqsError);
      }
    });
    return { stores, total: page.count, covered: page.data.length, unreadable };
  }

  async list(): Promise<ObjectStore[]> {
    const stores: ObjectStore[] = [];
    for (let offset = 0; ; ) {
      const page = await this.listPage(offset, LIST_LIMIT);
      stores.push(...page.stores);
      offset += page.covered;
      if (page.covered === 0 || offset >= page.total) {
        return stores;
      }
    }
  }

  async get(id: string): Promise<ObjectStore> {
    const kept = this.records.get(id);
    if (kept && this.now() - kept.at < RECORD_TTL_MS) {
      return kept.store;
    }
    const answer = await this.client.get(storePath(id), dataEnvelope(apiObjectStoreSchema), 'fetch the object store');
    return this.remember(toObjectStore(answer.data));
  }

  async create(input: unknown): Promise<ObjectStore> {
    // The same rules as the embedded store, before anything is sent; the secret goes once, in this request, and is kept nowhere here.
    const parsed: ObjectStoreCreate = parseInput(objectStoreCreateSchema, input);
    assertEndpointWithoutBucket(parsed);
    const created = await this.write(() => this.client.post('objectStores', parsed, dataEnvelope(apiObjectStoreSchema), `create the object store "${parsed.name}"`));
    if (created.default) {
      // The previous default lost its flag on the server, as with setDefault.
      this.records.clear();
    }
    this.changed([created.id]);
    return created;
  }

  async update(id: string, patch: unknown): Promise<ObjectStore> {
    const parsed = parseObjectStoreUpdate(patch);
    const current = await this.fresh(id);
    assertNotManaged(current, 'edited');
    const changes = Object.fromEntries(Object.entries(parsed).filter(([field, value]) => value !== undefined && !sameValue(value, current[field as keyof ObjectStore])));
    if (Object.keys(changes).length === 0) {
      return current;
    }
    assertEditedEndpointWithoutBucket(current, changes);
    const updated = await this.write(() => this.client.patch(storePath(id), changes, dataEnvelope(apiObjectStoreSchema), `edit the object store "${current.name}"`));
    this.changed([id]);
    return updated;
  }

  async delete(id: string): Promise<ObjectStore> {
    const current = await this.fresh(id);
    assertNotManaged(current, 'deleted');
    await this.client.delete(storePath(id), `delete the object store "${current.name}"`);
    this.records.delete(id);
    this.changed([id]);
    return current;
  }

  async setDefault(id: string): Promise<ObjectStore> {
    const current = await this.fresh(id);
    assertUsable(current);
    // The default flag is part of the DataStore's record, which LogQS keeps for a managed store (the API refuses the change).
    assertNotManaged(current, 'made the default');
    const updated = await this.write(() => this.client.patch(storePath(id), { default: true }, dataEnvelope(apiObjectStoreSchema), `make "${current.name}" the default object store`));
    // The previous default lost its flag on the server: every store's record may have changed.
    this.records.clear();
    this.changed([id]);
    return updated;
  }

  async credentialsFor(id: string): Promise<{ store: ObjectStore; credentials: CredentialProvider }> {
    const store = await this.usable(id);
    // Lazy: nothing is asked of the API until the SDK signs a request; renewed before it expires.
    const credentials: CredentialProvider = () => this.sessions.get(`${this.id}/${id}`, () => this.issue(id), sessionScope(store));
    return { store, credentials };
  }

  async objectsOf(id: string): Promise<{ store: ObjectStore; objects: ObjectGateway }> {
    const store = await this.usable(id);
    return { store, objects: new LogqsObjectGateway(this.client, store) };
  }

  async sessionCredentials(id: string, options: { durationSeconds: number; signal?: AbortSignal }) {
    const store = await this.usable(id);
    // The API decides the duration itself.
    return { store, credentials: await this.issue(id, options.signal) };
  }

  private async issue(id: string, signal?: AbortSignal): Promise<SessionCredentials> {
    const answer = await this.client.get(`${storePath(id)}/sessionCredentials`, dataEnvelope(sessionCredentialsSchema), 'get session credentials', undefined, signal);
    return toSessionCredentials(answer.data);
  }

  /** The store, refused when it is disabled. */
  private async usable(id: string): Promise<ObjectStore> {
    const store = await this.get(id);
    assertUsable(store);
    return store;
  }

  private async fresh(id: string): Promise<ObjectStore> {
    this.records.delete(id);
    return this.get(id);
  }

  private async write(send: () => Promise<{ data: z.infer<typeof apiObjectStoreSchema> }>): Promise<ObjectStore> {
    return this.remember(toObjectStore((await send()).data));
  }

  /**
   * Its stores leave with it (the DataStore is disconnected): told as a change of each, so that the S3 clients and
   * session credentials kept for them, which ask this connection (and its forgotten secret) for credentials, are
   * dropped rather than used again by a later connection to the same DataStore.
   */
  disconnected(): void {
    this.records.clear();
    this.changed([...this.seen]);
  }

  private remember(store: ObjectStore): ObjectStore {
    this.records.set(store.id, { store, at: this.now() });
    this.seen.add(store.id);
    return store;
  }

  private changed(storeIds: string[]): void {
    const event = { storeIds };
    this.listeners.forEach((listener) => listener(event));
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** A store's objects through the API: listing by `objects`, bytes through the presigned URL of a fetched object. */
export class LogqsObjectGateway implements ObjectGateway {
  constructor(
    private readonly client: LogqsClient,
    private readonly store: ObjectStore,
  ) {}

  async listPage(request: ListPageRequest, signal?: AbortSignal): Promise<ListPage> {
    const answer = await this.client.get(
      `${storePath(this.store.id)}/objects`,
      objectListSchema,
      `list the objects of "${this.store.name}"`,
      { prefix: request.prefix || undefined, delimiter: request.delimiter, max_keys: request.maxKeys, continuation_token: request.continuationToken },
      signal,
    );
    return {
      folders: answer.common_prefixes ?? [],
      objects: answer.data.map(toObjectSummary),
      nextContinuationToken: answer.is_truncated ? (answer.next_continuation_token ?? undefined) : undefined,
    };
  }

  async fetchObject(key: string, options: { signal?: AbortSignal }): Promise<FetchedObject> {
    const answer = await this.client.get(
      `${storePath(this.store.id)}/objects/${encodeKeyPath(key)}`,
      dataEnvelope(apiObjectSchema),
      `fetch "${key}" from "${this.store.name}"`,
      { redirect: false },
      options.signal,
    );
    const { presigned_url: presignedUrl } = answer.data;
    if (!presignedUrl) {
      throw new LogqsError('remote', `The LogQS API fetched "${key}" without a presigned URL`, { field: 'data.presigned_url' });
    }
    return { details: toObjectSummary(answer.data), presignedUrl };
  }
}

const SOURCE_ID_PREFIX = 'logqs:';

/** The id of a connection's source, among the sources of the view. */
export function logqsSourceId(connection: { id: string }): string {
  return `${SOURCE_ID_PREFIX}${connection.id}`;
}

/** Whether a source of the view is a LogQS DataStore's (one that can be disconnected), not this computer's embedded store. */
export function isDataStoreSource(source: { id: string }): boolean {
  return source.id.startsWith(SOURCE_ID_PREFIX);
}
