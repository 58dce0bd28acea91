import type { LogqsError } from './errors';
import type { ObjectStore } from './objectStore';

/** Where the embedded data store keeps its records (a JSON file in the extension's global storage). */
export interface RecordRepository {
  load(): Promise<ObjectStore[]>;
  save(stores: readonly ObjectStore[]): Promise<void>;
  /**
   * Runs `work` (a load, a change, a save) while no other process changes
   * the records: several editor windows share one records file.
   */
  exclusive?<T>(work: () => Promise<T>): Promise<T>;
}

/** Where each store's secret_access_key is kept (VS Code SecretStorage). */
export interface SecretVault {
  get(storeId: string): Promise<string | undefined>;
  set(storeId: string, secret: string): Promise<void>;
  delete(storeId: string): Promise<void>;
}

/** Temporary credentials, as STS and the LogQS API hand them out. */
export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
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

/** One page of a source's stores. */
export interface StorePage {
  stores: ObjectStore[];
  total: number;
  /** Records the page covered, unreadable ones included: the next page starts this far on. */
  covered: number;
  /** Why records of the page were left out (one the extension can't read hides no other). */
  unreadable: LogqsError[];
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
  /** A managed store's record is the source's own, default flag included (a DataStore's: LogQS keeps it); absent: it may be made the default. */
  readonly managedRecordsFixed?: boolean;
  list(): Promise<ObjectStore[]>;
  /** One page of stores, for a source that may hold many (a LogQS DataStore); without it, list() is shown whole. */
  listPage?(offset: number, limit: number): Promise<StorePage>;
  get(id: string): Promise<ObjectStore>;
  create(input: unknown): Promise<ObjectStore>;
  update(id: string, patch: unknown): Promise<ObjectStore>;
  delete(id: string): Promise<ObjectStore>;
  setDefault(id: string): Promise<ObjectStore>;
  /** The store, refused when disabled, and the credentials that sign its S3 requests. */
  credentialsFor(id: string): Promise<{ store: ObjectStore; credentials: CredentialProvider }>;
  /** The store, refused when disabled, and the gateway to its objects. */
  objectsOf(id: string): Promise<{ store: ObjectStore; objects: ObjectGateway }>;
  /**
   * Temporary credentials scoped to the store's bucket, key_prefix and
   * read_only flag (the seed's "Session Credentials"), refused when disabled.
   */
  sessionCredentials(id: string, options: { durationSeconds: number; signal?: AbortSignal }): Promise<{ store: ObjectStore; credentials: SessionCredentials }>;
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
 * What S3 keeps with an object, besides its type, and answers its GETs with:
 * a PUT that doesn't send them again drops them (a website's Cache-Control,
 * a download's Content-Disposition, a cheaper storage class, a KMS key other
 * than the bucket's).
 */
export interface StoredHeaders {
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  /** Absent for STANDARD, as S3 leaves it out then. */
  storageClass?: string;
  /** AES256, aws:kms… (a bucket's default encryption shows here too). */
  serverSideEncryption?: string;
  sseKmsKeyId?: string;
}

/** One object's metadata, as HEAD (or the LogQS API's fetch) gives it. */
export interface ObjectDetails extends ObjectSummary {
  contentType?: string;
  /** Absent where the object has none (or the source doesn't say). */
  stored?: StoredHeaders;
  /**
   * User metadata (x-amz-meta-*), names in lower case; undefined where the
   * source doesn't say (the LogQS API's object record has neither this nor
   * the content type).
   */
  metadata?: Record<string, string>;
}

/** "Fetching an object yields its metadata and a presigned URL" (the seed). */
export interface FetchedObject {
  details: ObjectDetails;
  presignedUrl: string;
  /** When the URL stops working, as far as is known; a transfer fetches a new one before or after. */
  expiresAt?: Date;
}

/**
 * How a store's objects are read: S3 itself for the embedded data store, the
 * LogQS API for a LogQS DataStore. Keys here are full keys; the key_prefix,
 * disabled and read_only rules are applied in the core, before.
 */
export interface ObjectGateway {
  listPage(request: ListPageRequest, signal?: AbortSignal): Promise<ListPage>;
  /**
   * Metadata and a presigned GET URL valid for about `expiresInSeconds` (a
   * LogQS server may choose its own). `listed`: what a listing said of the
   * object (size, ETag); a gateway that can sign URLs itself may skip asking
   * for the metadata again.
   */
  fetchObject(key: string, options: FetchOptions): Promise<FetchedObject>;
}

export interface FetchOptions {
  expiresInSeconds: number;
  signal?: AbortSignal;
  listed?: ObjectSummary;
  /** The URL is for a person to copy and use elsewhere: a gateway that signs URLs itself signs it with the S3 SDK's presigner. */
  forSharing?: boolean;
}

/** Builds (or reuses) the gateway to a store's objects in its bucket. */
export type ObjectGatewayFactory = (store: ObjectStore, credentials: CredentialProvider) => ObjectGateway;

export interface CompletedPart {
  partNumber: number;
  etag: string;
}

/**
 * How objects are written and deleted: S3 calls signed by the store's
 * credentials (its own keys, or session credentials for a LogQS DataStore,
 * whose API has no object writes). The core checks read_only and key_prefix
 * before any of these is called.
 */
export interface ObjectWriter {
  /**
   * What S3 itself says of an object, or undefined when there is none: read
   * before a PUT that replaces it, for the type and user metadata the LogQS
   * API doesn't give.
   */
  headObject(key: string, signal?: AbortSignal): Promise<ObjectDetails | undefined>;
  /**
   * `metadata`: user metadata (x-amz-meta-*), names without the prefix.
   * With `ifMatch`, the server writes only while the object's ETag is still
   * that one, checked as the write lands (S3's conditional write), and
   * 'changed' is thrown otherwise; a server without conditional writes
   * writes anyway (the caller has checked the ETag just before).
   */
  putObject(key: string, body: Uint8Array, options?: { contentType?: string; metadata?: Record<string, string>; stored?: StoredHeaders; ifMatch?: string; signal?: AbortSignal }): Promise<{ etag?: string }>;
  createMultipartUpload(key: string, options?: { contentType?: string; signal?: AbortSignal }): Promise<{ uploadId: string }>;
  /** `body` is lent until the promise settles: the engine fills it again for a later part. */
  uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array, signal?: AbortSignal): Promise<CompletedPart>;
  completeMultipartUpload(key: string, uploadId: string, parts: readonly CompletedPart[], signal?: AbortSignal): Promise<{ etag?: string }>;
  abortMultipartUpload(key: string, uploadId: string): Promise<void>;
  /** Deletes up to 1000 keys in one request; keys that failed come back with the server's reason. */
  deleteObjects(keys: readonly string[], signal?: AbortSignal): Promise<{ failed: { key: string; reason: string }[] }>;
}

export type ObjectWriterFactory = (store: ObjectStore, credentials: CredentialProvider) => ObjectWriter;

/**
 * Issues temporary credentials with a store's own credentials (STS
 * AssumeRole or GetFederationToken), narrowed by a session policy that the
 * core builds from the store's bucket, key_prefix and read_only flag.
 */
export type SessionIssuer = (
  store: ObjectStore,
  credentials: CredentialProvider,
  request: { policy: string; durationSeconds: number; signal?: AbortSignal },
) => Promise<SessionCredentials>;
