import type { ObjectStore } from '../../src/core/objectStore';
import { LogqsError } from '../../src/core/errors';
import type { ObjectGatewayFactory, RecordRepository, SecretVault } from '../../src/core/ports';

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

export const validInput = (overrides: Record<string, unknown> = {}) => ({
  name: 'robots',
  bucket_name: 'robot-logs',
  region_name: 'us-east-1',
  access_key_id: 'AKIAEXAMPLE',
  secret_access_key: 'super-secret-value',
  ...overrides,
});

/** For tests of records alone: a gateway that fails if the data plane is used. */
export const noGateways: ObjectGatewayFactory = () => ({
  listPage: () => Promise.reject(new LogqsError('bug', 'this test does not reach objects')),
});
