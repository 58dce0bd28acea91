import type { ObjectStore } from './objectStore';

/** Where records are kept (a JSON file in the extension's global storage). */
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

/** What the data plane needs from an S3-compatible server. */
export interface ObjectClient {
  listPage(request: ListPageRequest): Promise<ListPage>;
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export type ObjectClientFactory = (store: ObjectStore, credentials: Credentials) => ObjectClient;
