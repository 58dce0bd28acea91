import { isDeepStrictEqual } from 'node:util';
import { LogqsError } from './errors';
import { isSecretField } from './redact';
import { type ObjectStore, type ObjectStoreCreate, type ObjectStoreUpdate, endpointBucketProblem } from './objectStore';
import type { ObjectStoreSource } from './ports';

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

/**
 * What store names are compared by: the same text however its accents were typed or pasted ("é" composed, or "e" and
 * a combining accent, as macOS file names have it), which no one can tell apart in a list.
 */
export const storeNameKey = (name: string): string => name.normalize('NFC');

export function sameStoreName(a: string, b: string): boolean {
  return a === b || storeNameKey(a) === storeNameKey(b);
}

/** The store of that name: the very spelling first, as records from before names were compared so may hold two that are one now. */
function byName<T extends { name: string }>(stores: readonly T[], name: string): T | undefined {
  return stores.find((candidate) => candidate.name === name) ?? stores.find((candidate) => sameStoreName(candidate.name, name));
}

export function findStoreByName(stores: readonly ObjectStore[], name: string): ObjectStore {
  const store = byName(stores, name);
  if (!store) {
    throw new LogqsError('not-found', `There is no object store named "${name}"`);
  }
  return store;
}

/** Why a name can't be used (another store has it), or undefined when it is free. */
export function nameTakenMessage(stores: readonly ObjectStore[], name: string, exceptId?: string): string | undefined {
  return stores.some((store) => sameStoreName(store.name, name) && store.id !== exceptId)
    ? `name "${name}" is already used by another object store`
    : undefined;
}

function assertNameFree(stores: readonly ObjectStore[], name: string, exceptId?: string): void {
  const problem = nameTakenMessage(stores, name, exceptId);
  if (problem) {
    throw new LogqsError('conflict', problem, { field: 'name' });
  }
}

/**
 * What makes a list of records impossible to follow, as a hand-edited file may
 * have it: a repeated id (an edit of one would overwrite the other, a delete
 * remove both), a repeated name, more than one default, or a secret written
 * into the file (every save would write it back there, and never into the
 * keychain). Undefined when none.
 */
export function recordsProblem(stores: readonly ObjectStore[]): string | undefined {
  const repeated = (field: 'id' | 'name') => {
    const seen = new Map<string, number>();
    for (const [index, store] of stores.entries()) {
      const first = seen.get(store[field]);
      if (first !== undefined) {
        return `records ${first + 1} and ${index + 1} have the same ${field} "${store[field]}"`;
      }
      seen.set(store[field], index);
    }
    return undefined;
  };
  const defaults = stores.filter((store) => store.default);
  const secretFields = stores.map((store) => Object.keys(store).find(isSecretField));
  const withSecret = secretFields.findIndex((field) => field !== undefined);
  return (
    repeated('id') ??
    repeated('name') ??
    (defaults.length > 1 ? `${defaults.map((store) => `"${store.name}"`).join(' and ')} are each marked the default; at most one may be` : undefined) ??
    (withSecret >= 0
      ? `record ${withSecret + 1} holds ${secretFields[withSecret]}, which is never kept in this file: remove it (a store added with "Add Object Store…" keeps its secret in the OS keychain)`
      : undefined)
  );
}

/** Refuses an endpoint_url that names the bucket (see endpointBucketProblem): keys would land outside the key_prefix. */
export function assertEndpointWithoutBucket(store: { endpoint_url?: string | null; bucket_name: string }): void {
  const problem = endpointBucketProblem(store.endpoint_url, store.bucket_name);
  if (problem) {
    throw new LogqsError('invalid-input', problem, { field: 'endpoint_url' });
  }
}

/** The same, for an edit of the endpoint_url or the bucket_name (a store's record as it is, and the fields changed). */
export function assertEditedEndpointWithoutBucket(current: ObjectStore, patch: Pick<ObjectStoreUpdate, 'endpoint_url' | 'bucket_name'>): void {
  if (patch.endpoint_url !== undefined || patch.bucket_name !== undefined) {
    assertEndpointWithoutBucket({ endpoint_url: patch.endpoint_url === undefined ? current.endpoint_url : patch.endpoint_url, bucket_name: patch.bucket_name ?? current.bucket_name });
  }
}

export function assertNotManaged(store: ObjectStore, action: string): void {
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

/** A new record from validated input; managed is false because people create it. */
function recordFrom(input: ObjectStoreCreate, id: string, now: string): ObjectStore {
  return {
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
}

export function createRecord(
  stores: readonly ObjectStore[],
  input: ObjectStoreCreate,
  id: string,
  now: string,
): { stores: ObjectStore[]; created: ObjectStore } {
  assertNameFree(stores, input.name);
  if (input.default && input.disabled) {
    throw new LogqsError('invalid-input', 'A disabled object store can\'t be the default', { field: 'default' });
  }
  const created = recordFrom(input, id, now);
  assertEndpointWithoutBucket(created);
  const next = [...stores, created];
  return { stores: created.default ? withOnlyDefault(next, id, now) : next, created };
}

export interface ManagedSyncResult {
  stores: ObjectStore[];
  added: ObjectStore[];
  updated: ObjectStore[];
  removed: ObjectStore[];
  skipped: { name: string; reason: string }[];
}

/**
 * Makes the managed records match what LogQS provisions: new entries are
 * added as managed, known ones follow their entry, vanished ones are removed.
 * A person's own store with the same name is never overwritten. An entry's
 * default flag applies only when it is first added, so a later choice of
 * default is not undone at every start.
 */
export function syncManagedRecords(
  stores: readonly ObjectStore[],
  entries: readonly ObjectStoreCreate[],
  newId: () => string,
  now: string,
): ManagedSyncResult {
  const wanted = new Set(entries.map((entry) => storeNameKey(entry.name)));
  const removed = stores.filter((store) => store.managed && !wanted.has(storeNameKey(store.name)));
  let next = stores.filter((store) => !removed.includes(store));
  const added: ObjectStore[] = [];
  const updated: ObjectStore[] = [];
  const skipped: ManagedSyncResult['skipped'] = [];
  let newDefault: string | undefined;
  for (const entry of entries) {
    const existing = byName(next, entry.name);
    if (existing && !existing.managed) {
      skipped.push({ name: entry.name, reason: 'an object store you added has the same name' });
    } else if (!existing) {
      const record: ObjectStore = { ...recordFrom(entry, newId(), now), managed: true, default: false };
      next.push(record);
      added.push(record);
      // A disabled store is never the default (see setDefaultRecord).
      newDefault = entry.default && !record.disabled ? record.id : newDefault;
    } else {
      const record: ObjectStore = {
        ...recordFrom(entry, existing.id, existing.updated_at),
        managed: true,
        // The default chosen since stays, unless the store is now disabled: a disabled store is never the default.
        default: existing.default && !entry.disabled,
        created_at: existing.created_at,
      };
      if (!isDeepStrictEqual(record, existing)) {
        const changed = { ...record, updated_at: now };
        next = next.map((store) => (store.id === existing.id ? changed : store));
        updated.push(changed);
      }
    }
  }
  return { stores: newDefault ? withOnlyDefault(next, newDefault, now) : next, added, updated, removed, skipped };
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
  assertEditedEndpointWithoutBucket(current, patch);
  // Disabled, the default stops being it: a disabled store is never the default (see setDefaultRecord).
  if (updated.disabled && updated.default) {
    updated.default = false;
  }
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

/** Whether Set as Default can make `store` its source's default: not already it, not disabled, and not managed where the source keeps a managed store's record. */
export function canBecomeDefault(store: ObjectStore, source: Pick<ObjectStoreSource, 'managedRecordsFixed'>): boolean {
  return !store.default && !store.disabled && !(store.managed && source.managedRecordsFixed === true);
}

export function assertUsable(store: ObjectStore): void {
  if (store.disabled) {
    throw new LogqsError('disabled', `"${store.name}" is disabled; enable it to use its objects`);
  }
}

/** Whether objects can be written to `store` through the extension: it is neither disabled nor read-only (see assertWritable). */
export function isWritable(store: ObjectStore): boolean {
  return !store.disabled && !store.read_only;
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
