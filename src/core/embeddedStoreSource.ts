import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { LogqsError, userMessage } from './errors';
import {
  type ObjectStore,
  type ObjectStoreCreate,
  objectStoreCreateSchema,
  parseInput,
  parseObjectStoreUpdate,
} from './objectStore';
import type {
  CredentialProvider,
  Disposable,
  ObjectGatewayFactory,
  ObjectStoreSource,
  RecordRepository,
  SecretVault,
  SessionIssuer,
  StoreChange,
} from './ports';
import { sessionPolicy, sessionPolicyProblem } from './sessionPolicy';
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
} from './storeRules';

export interface EmbeddedSourceDeps {
  records: RecordRepository;
  secrets: SecretVault;
  /** How the objects of a store are read (S3 with the store's keys). */
  gateways: ObjectGatewayFactory;
  /** How session credentials are obtained (STS at the store's endpoint). */
  sessions: SessionIssuer;
  /** The LogQS output channel, for what fails without failing the change (see delete). */
  log?: (line: string) => void;
}

export interface EmbeddedSourceOptions {
  now?: () => Date;
  newId?: () => string;
}

export const EMBEDDED_SOURCE_ID = 'embedded';

/**
 * The embedded data store: records in a repository, secrets in a vault, no
 * server needed. Mutations run one at a time and re-read the records first,
 * so two quick commands never overwrite each other.
 */
export class EmbeddedStoreSource implements ObjectStoreSource {
  readonly id = EMBEDDED_SOURCE_ID;
  readonly label = 'This computer';
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly listeners = new Set<(change: StoreChange) => void>();
  private readonly records: RecordRepository;
  private readonly secrets: SecretVault;
  /**
   * The records as this window last wrote them, or last announced them changed, by id (see recordsChanged). Not
   * as last listed: a list between another window's write and its announcement would leave that write unannounced.
   */
  private known = new Map<string, ObjectStore>();

  constructor(
    private readonly deps: EmbeddedSourceDeps,
    options: EmbeddedSourceOptions = {},
  ) {
    this.records = deps.records;
    this.secrets = deps.secrets;
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
  }

  onDidChange(listener: (change: StoreChange) => void): Disposable {
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
      return { result: created, touched: changedIds(stores, next), stores: next };
    });
  }

  async update(id: string, patch: unknown): Promise<ObjectStore> {
    const parsed = parseObjectStoreUpdate(patch);
    return this.mutate(async (stores) => {
      const { stores: next, updated } = updateRecord(stores, id, parsed, this.timestamp());
      await this.records.save(next);
      return { result: updated, touched: [id], stores: next };
    });
  }

  async delete(id: string): Promise<ObjectStore> {
    return this.mutate(async (stores) => {
      const { stores: next, deleted } = deleteRecord(stores, id);
      await this.records.save(next);
      // The store is gone once its record is: a keychain that refuses to delete the secret (locked, say) leaves it
      // there, unused (no record will have its id again), and says so in the log rather than failing the delete.
      await this.secrets.delete(id).catch((error: unknown) => this.deps.log?.(`The secret of deleted "${deleted.name}" stays in the secret storage: ${userMessage(error)}`));
      return { result: deleted, touched: [id], stores: next };
    });
  }

  async setDefault(id: string): Promise<ObjectStore> {
    return this.mutate(async (stores) => {
      const next = setDefaultRecord(stores, id, this.timestamp());
      await this.records.save(next);
      return { result: findStore(next, id), touched: changedIds(stores, next), stores: next };
    });
  }

  /** Applies what LogQS provisions (the managed stores file), secrets included. */
  async syncManaged(entries: readonly ObjectStoreCreate[]): Promise<ManagedSyncResult> {
    return this.mutate(async (stores) => {
      const result = syncManagedRecords(stores, entries, this.newId, this.timestamp());
      const skipped = new Set(result.skipped.map((entry) => entry.name));
      const rekeyed: string[] = [];
      /** The secrets as they were, to put back if the keychain or the records file fails: no secret of a store never added stays. */
      const before = new Map<string, string | undefined>();
      try {
        for (const entry of entries.filter((candidate) => !skipped.has(candidate.name))) {
          const record = findStoreByName(result.stores, entry.name);
          const secret = await this.secrets.get(record.id);
          if (secret !== entry.secret_access_key) {
            before.set(record.id, secret);
            await this.secrets.set(record.id, entry.secret_access_key);
            rekeyed.push(record.id);
          }
        }
        await this.records.save(result.stores);
      } catch (error) {
        for (const [id, secret] of before) {
          await (secret === undefined ? this.secrets.delete(id) : this.secrets.set(id, secret)).catch(() => undefined);
        }
        throw error;
      }
      await Promise.all(result.removed.map((store) => this.secrets.delete(store.id)));
      const touched = [...changedIds(stores, result.stores), ...rekeyed];
      return { result, touched: [...new Set(touched)], stores: result.stores };
    });
  }

  async credentialsFor(id: string): Promise<{ store: ObjectStore; credentials: CredentialProvider }> {
    const store = await this.get(id);
    assertUsable(store);
    const credentials: CredentialProvider = async () => {
      const secretAccessKey = await this.secrets.get(id);
      if (secretAccessKey === undefined) {
        // A managed store can't be deleted: its secret comes back from the managed stores file when the window reloads.
        const remedy = store.managed ? 'reload the window, and if it is still missing ask whoever manages the object stores file' : 'delete the object store and add it again';
        throw new LogqsError('auth', `The secret access key of "${store.name}" is missing from this machine's secret storage; ${remedy}`);
      }
      return { accessKeyId: store.access_key_id, secretAccessKey };
    };
    return { store, credentials };
  }

  async objectsOf(id: string) {
    const { store, credentials } = await this.credentialsFor(id);
    return { store, objects: this.deps.gateways(store, credentials) };
  }

  async sessionCredentials(id: string, options: { durationSeconds: number; signal?: AbortSignal }) {
    const { store, credentials } = await this.credentialsFor(id);
    const problem = sessionPolicyProblem(store);
    if (problem) {
      throw new LogqsError('invalid-input', `"${store.name}": ${problem}`, { field: 'key_prefix' });
    }
    const policy = sessionPolicy(store);
    return { store, credentials: await this.deps.sessions(store, credentials, { policy, ...options }) };
  }

  private timestamp(): string {
    return this.now().toISOString();
  }

  private mutate<T>(change: (stores: ObjectStore[]) => Promise<{ result: T; touched: string[]; stores: readonly ObjectStore[] }>): Promise<T> {
    // One at a time here (the queue) and among the windows that share the records (the repository's lock).
    const work = async () => change(await this.records.load());
    const run = this.queue.then(() => (this.records.exclusive ? this.records.exclusive(work) : work()));
    this.queue = run.catch(() => undefined);
    return run.then(({ result, touched, stores }) => {
      this.remember(stores);
      this.announce(touched);
      return result;
    });
  }

  /**
   * The records were written, by this window or another (the file watched):
   * the stores that differ from the records this window last wrote or announced are
   * announced as changed, so another window's new store shows here without a
   * Refresh. This window's own writes announce nothing again. Queued after the
   * changes under way, which are known once done.
   */
  recordsChanged(): Promise<void> {
    const run = this.queue.then(async () => {
      let stores: ObjectStore[];
      try {
        stores = await this.records.load();
      } catch {
        // Damaged now (a hand edit): every store is announced, and the list shows why.
        const all = [...this.known.keys()];
        this.known.clear();
        this.announce(all);
        return;
      }
      const changed = changedIds([...this.known.values()], stores);
      this.remember(stores);
      this.announce(changed);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * A store's secret changed, perhaps in another window (a managed store's
   * new secret): announced, so that the clients made with the old one go.
   */
  secretChanged(id: string): void {
    this.announce([id]);
  }

  /** See known. */
  private remember(stores: readonly ObjectStore[]): void {
    this.known = new Map(stores.map((store) => [store.id, store]));
  }

  private announce(storeIds: string[]): void {
    if (storeIds.length === 0) {
      return;
    }
    const event: StoreChange = { storeIds };
    this.listeners.forEach((listener) => listener(event));
  }
}

/** Ids of records added, removed or changed between two lists (read apart, or one made from the other). */
function changedIds(before: readonly ObjectStore[], after: readonly ObjectStore[]): string[] {
  const old = new Map(before.map((store) => [store.id, store]));
  const ids = new Set<string>();
  for (const store of after) {
    if (!isDeepStrictEqual(old.get(store.id), store)) {
      ids.add(store.id);
    }
    old.delete(store.id);
  }
  old.forEach((_, id) => ids.add(id));
  return [...ids];
}
