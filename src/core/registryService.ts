import { randomUUID } from 'node:crypto';
import { LogqsError } from './errors';
import {
  type ObjectStore,
  type ObjectStoreCreate,
  objectStoreCreateSchema,
  parseInput,
  parseObjectStoreUpdate,
} from './objectStore';
import type { Credentials, RecordRepository, SecretVault } from './ports';
import {
  type ManagedSyncResult,
  assertUsable,
  createRecord,
  deleteRecord,
  findStore,
  findStoreByName,
  setDefaultRecord,
  sortStores,
  syncManagedRecords,
  updateRecord,
} from './registry';

export interface RegistryOptions {
  now?: () => Date;
  newId?: () => string;
}

/**
 * The embedded data store: records in a repository, secrets in a vault.
 * Mutations run one at a time and re-read the records first, so two quick
 * commands never overwrite each other.
 */
export class ObjectStoreRegistry {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly records: RecordRepository,
    private readonly secrets: SecretVault,
    options: RegistryOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
  }

  /** Called after every successful change. */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  async list(): Promise<ObjectStore[]> {
    return sortStores(await this.records.load());
  }

  async get(id: string): Promise<ObjectStore> {
    return findStore(await this.records.load(), id);
  }

  async create(input: unknown): Promise<ObjectStore> {
    const parsed = parseInput(objectStoreCreateSchema, input);
    return this.mutate(async (stores) => {
      const { stores: next, created } = createRecord(stores, parsed, this.newId(), this.timestamp());
      // The secret goes first: a record without its secret would be unusable.
      await this.secrets.set(created.id, parsed.secret_access_key);
      try {
        await this.records.save(next);
      } catch (error) {
        await this.secrets.delete(created.id).catch(() => undefined);
        throw error;
      }
      return created;
    });
  }

  async update(id: string, patch: unknown): Promise<ObjectStore> {
    const parsed = parseObjectStoreUpdate(patch);
    return this.mutate(async (stores) => {
      const { stores: next, updated } = updateRecord(stores, id, parsed, this.timestamp());
      await this.records.save(next);
      return updated;
    });
  }

  async delete(id: string): Promise<ObjectStore> {
    return this.mutate(async (stores) => {
      const { stores: next, deleted } = deleteRecord(stores, id);
      await this.records.save(next);
      await this.secrets.delete(id);
      return deleted;
    });
  }

  async setDefault(id: string): Promise<ObjectStore> {
    return this.mutate(async (stores) => {
      const next = setDefaultRecord(stores, id, this.timestamp());
      await this.records.save(next);
      return findStore(next, id);
    });
  }

  /** Applies what LogQS provisions (the managed stores file), secrets included. */
  async syncManaged(entries: readonly ObjectStoreCreate[]): Promise<ManagedSyncResult> {
    return this.mutate(async (stores) => {
      const result = syncManagedRecords(stores, entries, this.newId, this.timestamp());
      const skipped = new Set(result.skipped.map((entry) => entry.name));
      for (const entry of entries.filter((candidate) => !skipped.has(candidate.name))) {
        const record = findStoreByName(result.stores, entry.name);
        if ((await this.secrets.get(record.id)) !== entry.secret_access_key) {
          await this.secrets.set(record.id, entry.secret_access_key);
        }
      }
      await this.records.save(result.stores);
      await Promise.all(result.removed.map((store) => this.secrets.delete(store.id)));
      return result;
    });
  }

  /** The store and its credentials, for the data plane; refuses disabled stores. */
  async credentialsFor(id: string): Promise<{ store: ObjectStore; credentials: Credentials }> {
    const store = await this.get(id);
    assertUsable(store);
    const secretAccessKey = await this.secrets.get(id);
    if (secretAccessKey === undefined) {
      throw new LogqsError(
        'auth',
        `The secret access key of "${store.name}" is missing from this machine's secret storage; delete the object store and add it again`,
      );
    }
    return { store, credentials: { accessKeyId: store.access_key_id, secretAccessKey } };
  }

  private timestamp(): string {
    return this.now().toISOString();
  }

  private mutate<T>(change: (stores: ObjectStore[]) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => change(await this.records.load()));
    this.queue = run.catch(() => undefined);
    return run.then((result) => {
      this.listeners.forEach((listener) => listener());
      return result;
    });
  }
}
