import { LogqsError } from './errors';
import type { ObjectStore, ObjectStoreCreate, ObjectStoreUpdate } from './objectStore';

/**
 * The rules of the object-store registry as pure functions over the list of
 * records: unique names, at most one default, managed stores untouchable,
 * disabled stores unusable, read-only stores unwritable.
 */

export function findStore(stores: readonly ObjectStore[], id: string): ObjectStore {
  const store = stores.find((candidate) => candidate.id === id);
  if (!store) {
    throw new LogqsError('not-found', 'That object store no longer exists; refresh the list');
  }
  return store;
}

function assertNameFree(stores: readonly ObjectStore[], name: string, exceptId?: string): void {
  if (stores.some((store) => store.name === name && store.id !== exceptId)) {
    throw new LogqsError('conflict', `name "${name}" is already used by another object store`, { field: 'name' });
  }
}

function assertNotManaged(store: ObjectStore, action: string): void {
  if (store.managed) {
    throw new LogqsError('managed', `"${store.name}" is managed by LogQS and can't be ${action}`);
  }
}

/** Clears the default flag on every store but `id`. */
function withOnlyDefault(stores: readonly ObjectStore[], id: string, now: string): ObjectStore[] {
  return stores.map((store) => {
    const shouldBeDefault = store.id === id;
    return store.default === shouldBeDefault ? store : { ...store, default: shouldBeDefault, updated_at: now };
  });
}

export function createRecord(
  stores: readonly ObjectStore[],
  input: ObjectStoreCreate,
  id: string,
  now: string,
): { stores: ObjectStore[]; created: ObjectStore } {
  assertNameFree(stores, input.name);
  const created: ObjectStore = {
    id,
    name: input.name,
    bucket_name: input.bucket_name,
    region_name: input.region_name,
    access_key_id: input.access_key_id,
    endpoint_url: input.endpoint_url ?? null,
    key_prefix: input.key_prefix ?? null,
    default: input.default ?? false,
    managed: false,
    disabled: input.disabled ?? false,
    read_only: input.read_only ?? false,
    note: input.note ?? null,
    context: input.context ?? null,
    created_at: now,
    updated_at: now,
  };
  const next = [...stores, created];
  return { stores: created.default ? withOnlyDefault(next, id, now) : next, created };
}

export function updateRecord(
  stores: readonly ObjectStore[],
  id: string,
  patch: ObjectStoreUpdate,
  now: string,
): { stores: ObjectStore[]; updated: ObjectStore } {
  const current = findStore(stores, id);
  assertNotManaged(current, 'edited');
  if (patch.name !== undefined) {
    assertNameFree(stores, patch.name, id);
  }
  const changes = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
  const updated: ObjectStore = { ...current, ...changes, updated_at: now };
  return { stores: stores.map((store) => (store.id === id ? updated : store)), updated };
}

export function deleteRecord(stores: readonly ObjectStore[], id: string): { stores: ObjectStore[]; deleted: ObjectStore } {
  const deleted = findStore(stores, id);
  assertNotManaged(deleted, 'deleted');
  return { stores: stores.filter((store) => store.id !== id), deleted };
}

/**
 * Makes `id` the one default store. The default is a choice of the data
 * store, not an edit of the record, so managed stores may be (or stop being)
 * the default; a disabled store may not.
 */
export function setDefaultRecord(stores: readonly ObjectStore[], id: string, now: string): ObjectStore[] {
  const store = findStore(stores, id);
  assertUsable(store);
  return withOnlyDefault(stores, id, now);
}

export function assertUsable(store: ObjectStore): void {
  if (store.disabled) {
    throw new LogqsError('disabled', `"${store.name}" is disabled; enable it to use its objects`);
  }
}

export function assertWritable(store: ObjectStore): void {
  assertUsable(store);
  if (store.read_only) {
    throw new LogqsError('read-only', `"${store.name}" is read-only; objects can't be written to it`);
  }
}

/** Records in the order people look for them: by name. */
export function sortStores(stores: readonly ObjectStore[]): ObjectStore[] {
  return [...stores].sort((a, b) => a.name.localeCompare(b.name));
}
