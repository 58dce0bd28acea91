import type { ObjectStore } from '../../src/core/objectStore';
import { EmbeddedStoreSource, type EmbeddedSourceDeps, type EmbeddedSourceOptions } from '../../src/core/embeddedStoreSource';
import { LogqsError } from '../../src/core/errors';
import type { WholeFiles } from '../../src/core/transfer';
import type { ListPageRequest, ObjectGateway, ObjectGatewayFactory, ObjectWriter, RecordRepository, SecretVault } from '../../src/core/ports';
import { ObjectService } from '../../src/core/objectService';

/** In-memory ports for unit tests of the core; they can be told to fail. */
export class MemoryRecords implements RecordRepository {
  stores: ObjectStore[] = [];
  failNextSave = false;

  async load(): Promise<ObjectStore[]> {
    return structuredClone(this.stores);
  }

  async save(stores: readonly ObjectStore[]): Promise<void> {
    if (this.failNextSave) {
      this.failNextSave = false;
      throw new Error('disk full');
    }
    this.stores = structuredClone([...stores]);
  }
}

export class MemoryVault implements SecretVault {
  readonly secrets = new Map<string, string>();

  async get(storeId: string) {
    return this.secrets.get(storeId);
  }

  async set(storeId: string, secret: string) {
    this.secrets.set(storeId, secret);
  }

  async delete(storeId: string) {
    this.secrets.delete(storeId);
  }
}

/** A whole store record as the sources give it (a Ceph store with a key prefix), for adapters that take one. */
export const storeRecord = (overrides: Partial<ObjectStore> = {}): ObjectStore => ({
  id: '00000000-0000-4000-8000-000000000001',
  name: 'robots',
  bucket_name: 'robot-logs',
  region_name: 'us-east-1',
  access_key_id: 'AKIAEXAMPLE',
  endpoint_url: 'http://127.0.0.1:7480',
  key_prefix: 'logs/',
  default: false,
  managed: false,
  disabled: false,
  read_only: false,
  note: null,
  context: null,
  created_at: '2026-11-24T12:00:00.000Z',
  updated_at: '2026-11-24T12:00:00.000Z',
  ...overrides,
});

export const validInput = (overrides: Record<string, unknown> = {}) => ({
  name: 'robots',
  bucket_name: 'robot-logs',
  region_name: 'us-east-1',
  access_key_id: 'AKIAEXAMPLE',
  secret_access_key: 'super-secret-value',
  ...overrides,
});

const unreached = () => Promise.reject(new LogqsError('bug', 'this test does not reach objects or files'));

/** For tests of records alone: a gateway that fails if the data plane is used. */
export const noGateways: ObjectGatewayFactory = () => ({ listPage: unreached, fetchObject: unreached });

/** For tests that write and read no local file: file operations that fail if used. */
export const noFiles: WholeFiles = { commit: unreached, read: unreached };

/** An ObjectService that writes through `writer` and transfers nothing (no HTTP, no files): for saves and folders. */
export function writingService(writer: ObjectWriter): ObjectService {
  return new ObjectService({
    writers: () => writer,
    http: undefined as never,
    files: noFiles,
    settings: () => ({ partSizeBytes: 1, partConcurrency: 1, loopbackPartConcurrency: 1, fileConcurrency: 1, presignExpirySeconds: 3600 }),
    log: () => undefined,
  });
}

/** An embedded source over memory ports; `gateways` and `sessions` fail unless a test gives its own. */
export function memorySource(
  deps: Partial<EmbeddedSourceDeps> = {},
  options: EmbeddedSourceOptions = {},
): { source: EmbeddedStoreSource; records: MemoryRecords; vault: MemoryVault } {
  const records = deps.records instanceof MemoryRecords ? deps.records : new MemoryRecords();
  const vault = deps.secrets instanceof MemoryVault ? deps.secrets : new MemoryVault();
  const source = new EmbeddedStoreSource({ records, secrets: vault, gateways: noGateways, sessions: unreached, ...deps }, options);
  return { source, records, vault };
}

/**
 * A gateway over keys in memory that lists as S3 does (sorted, prefix,
 * delimiter, pages with continuation tokens) and records each request's prefix.
 */
export function memoryGateway(keys: readonly string[]): { gateway: ObjectGateway; requests: ListPageRequest[] } {
  const sorted = [...keys].sort();
  const requests: ListPageRequest[] = [];
  const gateway: ObjectGateway = {
    listPage: async (request) => {
      requests.push(request);
      // Sorted entries, each a folder (a common prefix) or an object.
      const entries = new Map<string, 'folder' | 'object'>();
      for (const key of sorted.filter((candidate) => candidate.startsWith(request.prefix))) {
        const cut = request.delimiter ? key.indexOf(request.delimiter, request.prefix.length) : -1;
        entries.set(cut >= 0 ? key.slice(0, cut + 1) : key, cut >= 0 ? 'folder' : 'object');
      }
      const start = Number(request.continuationToken ?? 0);
      const page = [...entries].slice(start, start + request.maxKeys);
      const next = start + page.length;
      return {
        folders: page.filter(([, kind]) => kind === 'folder').map(([prefix]) => prefix),
        objects: page.filter(([, kind]) => kind === 'object').map(([key]) => ({ key, size: 1 })),
        nextContinuationToken: next < entries.size ? String(next) : undefined,
      };
    },
    fetchObject: unreached,
  };
  return { gateway, requests };
}
