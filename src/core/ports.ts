import type { ObjectStore } from './objectStore';

/** Where the embedded data store keeps its records (a JSON file in the extension's global storage). */
export interface RecordRepository {
  load(): Promise<ObjectStore[]>;
  save(stores: readonly ObjectStore[]): Promise<void>;
}

/** Where each store's secret_access_key is kept (VS Code SecretStorage). */
export interface SecretVault {
  get(storeId: string): Promise<string | undefined>;
  set(storeId: string, secret: string): Promise<void>;
  delete(storeId: string): Promise<void>;
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Set for temporary credentials; the SDK asks the provider again before this. */
  expiration?: Date;
}

/**
 * Credentials as the AWS SDK takes them: a function it calls when it needs
 * them, so temporary credentials can be renewed during a long transfer.
 */
export type CredentialProvider = () => Promise<Credentials>;

export interface Disposable {
  dispose(): void;
}

/** Which stores a change touched (created, edited, deleted, re-keyed, made default). */
export interface StoreChange {
  storeIds: readonly string[];
}

/**
 * Where object stores come from: the embedded data store on this computer,
 * or a LogQS DataStore through its API. The tree and the commands talk to
 * this port only, never to an implementation.
 */
export interface ObjectStoreSource {
  /** Stable id of the source, part of every tree id under it. */
  readonly id: string;
  /** How the source is named to a person ("This computer", a DataStore's name). */
  readonly label: string;
  list(): Promise<ObjectStore[]>;
  get(id: string): Promise<ObjectStore>;
  create(input: unknown): Promise<ObjectStore>;
  update(id: string, patch: unknown): Promise<ObjectStore>;
  delete(id: string): Promise<ObjectStore>;
  setDefault(id: string): Promise<ObjectStore>;
  /** The store, refused when disabled, and the credentials that sign its S3 requests. */
  credentialsFor(id: string): Promise<{ store: ObjectStore; credentials: CredentialProvider }>;
  /** The store, refused when disabled, and the gateway to its objects. */
  objectsOf(id: string): Promise<{ store: ObjectStore; objects: ObjectGateway }>;
  /** Called after every successful change. */
  onDidChange(listener: (change: StoreChange) => void): Disposable;
}

export interface ObjectSummary {
  key: string;
  size: number;
  lastModified?: Date;
  etag?: string;
}

export interface ListPageRequest {
  prefix: string;
  delimiter?: string;
  maxKeys: number;
  continuationToken?: string;
}

export interface ListPage {
  folders: string[];
  objects: ObjectSummary[];
  nextContinuationToken?: string;
}

/**
 * What the data plane needs from wherever a store's objects live: S3 itself
 * for the embedded data store, the LogQS API for a LogQS DataStore. Keys here
 * are full keys; the key_prefix rules are applied in the core, before.
 */
export interface ObjectGateway {
  listPage(request: ListPageRequest, signal?: AbortSignal): Promise<ListPage>;
}

/** Builds (or reuses) the gateway to a store's objects in its bucket. */
export type ObjectGatewayFactory = (store: ObjectStore, credentials: CredentialProvider) => ObjectGateway;
