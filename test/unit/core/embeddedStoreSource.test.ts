import * as assert from 'node:assert/strict';
import { LogqsError } from '../../../src/core/errors';
import { type ObjectStore, objectStoreCreateSchema } from '../../../src/core/objectStore';
import { findStoreByName } from '../../../src/core/storeRules';
import { code } from '../../support/assertions';
import { memorySource, validInput } from '../../support/memoryPorts';

function setup() {
  let counter = 0;
  const { source: registry, records, vault } = memorySource({}, {
    newId: () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`,
    now: () => new Date('2026-11-24T12:00:00Z'),
  });
  return { records, vault, registry };
}

describe('embedded object store source', () => {
  it('keeps the secret in the vault and never in the record', async () => {
    const { registry, records, vault } = setup();
    const created = await registry.create(validInput());
    assert.equal(vault.secrets.get(created.id), 'super-secret-value');
    assert.ok(!JSON.stringify(records.stores).includes('super-secret-value'));
    assert.ok(!('secret_access_key' in created));
    const { credentials } = await registry.credentialsFor(created.id);
    assert.deepEqual(await credentials(), { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'super-secret-value' });
  });

  it('refuses a duplicate name', async () => {
    const { registry } = setup();
    await registry.create(validInput());
    await assert.rejects(registry.create(validInput()), (error: unknown) => LogqsError.is(error, 'conflict') && error.field === 'name');
  });

  it('finds a store by its very spelling first, where records from before hold two that are one text', () => {
    const stores = [{ name: 'caf\u00e9', id: 'composed' }, { name: 'cafe\u0301', id: 'decomposed' }] as ObjectStore[];
    assert.equal(findStoreByName(stores, 'cafe\u0301').id, 'decomposed');
    assert.equal(findStoreByName(stores, 'caf\u00e9').id, 'composed');
    assert.equal(findStoreByName([stores[0]], 'cafe\u0301').id, 'composed');
  });

  it('takes a name typed with a composed accent and one pasted with a combining accent for one name', async () => {
    const { registry } = setup();
    await registry.create(validInput({ name: 'caf\u00e9 logs' }));
    // As a macOS file name gives it: "e" then U+0301. The two look the same in every list.
    await assert.rejects(registry.create(validInput({ name: 'cafe\u0301 logs' })), code('conflict'));
    await registry.create(validInput({ name: 'Caf\u00e9 logs' }));
  });

  it('refuses renaming onto another store but allows keeping the name', async () => {
    const { registry } = setup();
    const a = await registry.create(validInput({ name: 'a' }));
    await registry.create(validInput({ name: 'b' }));
    await assert.rejects(registry.update(a.id, { name: 'b' }), code('conflict'));
    const same = await registry.update(a.id, { name: 'a', note: 'kept' });
    assert.equal(same.note, 'kept');
  });

  it('keeps at most one default', async () => {
    const { registry } = setup();
    const a = await registry.create(validInput({ name: 'a', default: true }));
    const b = await registry.create(validInput({ name: 'b', default: true }));
    let stores = await registry.list();
    assert.deepEqual(stores.map((s) => [s.name, s.default]), [['a', false], ['b', true]]);
    await registry.setDefault(a.id);
    stores = await registry.list();
    assert.deepEqual(stores.map((s) => [s.name, s.default]), [['a', true], ['b', false]]);
    assert.equal((await registry.get(b.id)).default, false);
  });

  it('refuses to edit or delete a managed store', async () => {
    const { registry, records, vault } = setup();
    const created = await registry.create(validInput());
    records.stores[0].managed = true;
    await assert.rejects(registry.update(created.id, { note: 'x' }), code('managed'));
    await assert.rejects(registry.delete(created.id), code('managed'));
    assert.equal(records.stores.length, 1);
    assert.ok(vault.secrets.has(created.id));
  });

  it('lets a managed store be the default but not a disabled one', async () => {
    const { registry, records } = setup();
    const managed = await registry.create(validInput({ name: 'managed' }));
    const disabled = await registry.create(validInput({ name: 'off', disabled: true }));
    records.stores[0].managed = true;
    assert.equal((await registry.setDefault(managed.id)).default, true);
    await assert.rejects(registry.setDefault(disabled.id), code('disabled'));
  });

  it('refuses credentials for a disabled store', async () => {
    const { registry } = setup();
    const created = await registry.create(validInput({ disabled: true }));
    await assert.rejects(registry.credentialsFor(created.id), code('disabled'));
    await registry.update(created.id, { disabled: false });
    assert.ok(await registry.credentialsFor(created.id));
  });

  it('deletes the secret with the record', async () => {
    const { registry, vault } = setup();
    const created = await registry.create(validInput());
    await registry.delete(created.id);
    assert.equal(vault.secrets.size, 0);
    await assert.rejects(registry.get(created.id), code('not-found'));
  });

  it('does not leave a secret behind when saving the record fails', async () => {
    const { registry, records, vault } = setup();
    records.failNextSave = true;
    await assert.rejects(registry.create(validInput()), /disk full/);
    assert.equal(vault.secrets.size, 0);
    assert.equal(records.stores.length, 0);
  });

  it('serialises concurrent changes so none is lost', async () => {
    const { registry } = setup();
    await Promise.all(['a', 'b', 'c', 'd'].map((name) => registry.create(validInput({ name }))));
    assert.deepEqual((await registry.list()).map((s) => s.name), ['a', 'b', 'c', 'd']);
  });

  it('clears optional fields when given blanks and tells listeners which stores changed', async () => {
    const { registry } = setup();
    const changes: string[][] = [];
    registry.onDidChange((change) => changes.push([...change.storeIds]));
    const created = await registry.create(validInput({ key_prefix: 'logs/', note: 'n' }));
    const updated = await registry.update(created.id, { key_prefix: '', note: '' });
    assert.equal(updated.key_prefix, null);
    assert.equal(updated.note, null);
    assert.deepEqual(changes, [[created.id], [created.id]]);
  });

  it('names both stores when the default moves, and the deleted one on delete', async () => {
    const { registry } = setup();
    const a = await registry.create(validInput({ name: 'a', default: true }));
    const b = await registry.create(validInput({ name: 'b' }));
    const changes: string[][] = [];
    registry.onDidChange((change) => changes.push([...change.storeIds].sort()));
    await registry.setDefault(b.id);
    await registry.delete(a.id);
    assert.deepEqual(changes, [[a.id, b.id].sort(), [a.id]]);
  });

  it('never makes a disabled store the default: refused at creation, and cleared when the default is disabled', async () => {
    const { registry } = setup();
    await assert.rejects(registry.create(validInput({ name: 'off', default: true, disabled: true })), (error: unknown) => code('invalid-input')(error) && /disabled object store can't be the default/.test((error as Error).message));
    const main = await registry.create(validInput({ name: 'main', default: true }));
    const changed = await registry.update(main.id, { disabled: true });
    assert.equal(changed.default, false);
    assert.deepEqual((await registry.list()).filter((store) => store.default), []);
  });

  it('refuses an endpoint_url that names the bucket, at creation and in an edit', async () => {
    const { registry, records } = setup();
    const refused = (error: unknown) => code('invalid-input')(error) && (error as LogqsError).field === 'endpoint_url';
    await assert.rejects(registry.create(validInput({ bucket_name: 'robot-logs', endpoint_url: 'https://0123abcd.r2.cloudflarestorage.com/robot-logs' })), refused);
    await assert.rejects(registry.create(validInput({ bucket_name: 'robot-logs', endpoint_url: 'https://robot-logs.s3.eu-west-1.amazonaws.com' })), refused);
    assert.equal(records.stores.length, 0);
    // A host that merely starts with the bucket's name elsewhere is the service's own.
    const minio = await registry.create(validInput({ bucket_name: 'minio', endpoint_url: 'https://minio.example.com' }));
    await assert.rejects(registry.update(minio.id, { endpoint_url: 'https://minio.example.com/minio/' }), refused);
    await assert.rejects(registry.update(minio.id, { bucket_name: 'other', endpoint_url: 'https://s3.example.com/other' }), refused);
    assert.equal((await registry.get(minio.id)).endpoint_url, 'https://minio.example.com');
  });

  it('deletes the store even when the keychain refuses to delete its secret, and says so in the log', async () => {
    const logged: string[] = [];
    const { source: registry, vault } = memorySource({ log: (line) => logged.push(line) });
    const created = await registry.create(validInput());
    vault.delete = async () => {
      // As the SecretStorage adapter words a keychain's refusal.
      throw new LogqsError('storage', 'the keychain is locked');
    };
    await registry.delete(created.id);
    assert.deepEqual(await registry.list(), []);
    assert.equal(logged.length, 1);
    assert.match(logged[0], /secret of deleted "robots" stays in the secret storage: .*keychain is locked/);
  });

  it('announces the stores another window changed in the records, and nothing again for its own changes', async () => {
    const { registry: here, records, vault } = setup();
    const there = memorySource({ records, secrets: vault }).source;
    const mine = await here.create(validInput({ name: 'mine' }));
    const announced: string[][] = [];
    here.onDidChange((change) => announced.push([...change.storeIds]));
    await here.recordsChanged();
    assert.equal(announced.length, 0, 'nothing changed since this window wrote them');
    const theirs = await there.create(validInput({ name: 'theirs' }));
    await there.update(mine.id, { note: 'edited there' });
    // Listed here before the watch tells of it (the tree redrawn meanwhile): still announced.
    await here.list();
    await here.recordsChanged();
    assert.deepEqual(announced.map((ids) => ids.sort()), [[mine.id, theirs.id].sort()]);
    await here.recordsChanged();
    assert.equal(announced.length, 1, 'announced once');
    await here.delete(theirs.id);
    await here.recordsChanged();
    assert.deepEqual(announced.slice(1), [[theirs.id]], 'its own delete is announced by the delete alone');
    records.stores.length = 0;
    await here.recordsChanged();
    assert.deepEqual(announced.slice(2), [[mine.id]], 'a store deleted there is announced');
  });

  it('says so when the secret is missing from the vault', async () => {
    const { registry, vault } = setup();
    const created = await registry.create(validInput());
    vault.secrets.clear();
    const { credentials } = await registry.credentialsFor(created.id);
    await assert.rejects(credentials(), /missing from this machine's secret storage; delete the object store and add it again/);
  });

  it('for a managed store missing its secret, says to reload, not to delete what can\'t be deleted', async () => {
    const { registry, records, vault } = setup();
    const created = await registry.create(validInput());
    records.stores[0].managed = true;
    vault.secrets.clear();
    const { credentials } = await registry.credentialsFor(created.id);
    await assert.rejects(credentials(), /missing from this machine's secret storage; reload the window/);
  });
});

describe('managed object stores from LogQS', () => {
  const entry = (overrides: Record<string, unknown> = {}) => ({ ...validInput({ name: 'lqs-managed', secret_access_key: 'managed-secret' }), ...overrides });
  const parse = (value: Record<string, unknown>) => objectStoreCreateSchema.parse(value);

  it('adds provisioned stores as managed, with their secrets in the vault', async () => {
    const { registry, vault } = setup();
    const result = await registry.syncManaged([parse(entry({ default: true }))]);
    assert.equal(result.added.length, 1);
    const [store] = await registry.list();
    assert.equal(store.managed, true);
    assert.equal(store.default, true);
    assert.equal(vault.secrets.get(store.id), 'managed-secret');
    await assert.rejects(registry.update(store.id, { note: 'x' }), code('managed'));
    await assert.rejects(registry.delete(store.id), code('managed'));
  });

  it('follows changes to an entry, keeping its id and the default chosen since', async () => {
    const { registry, vault } = setup();
    await registry.syncManaged([parse(entry({ default: true }))]);
    const mine = await registry.create(validInput({ name: 'mine' }));
    await registry.setDefault(mine.id);
    const [before] = (await registry.list()).filter((s) => s.managed);
    const result = await registry.syncManaged([parse(entry({ default: true, key_prefix: 'new/', secret_access_key: 'rotated' }))]);
    assert.equal(result.updated.length, 1);
    const after = await registry.get(before.id);
    assert.equal(after.key_prefix, 'new/');
    assert.equal(after.default, false);
    assert.equal((await registry.get(mine.id)).default, true);
    assert.equal(vault.secrets.get(before.id), 'rotated');
  });

  it('follows an entry whose name is the same text with its accent written another way, rather than adding a second store', async () => {
    const { registry } = setup();
    await registry.syncManaged([parse(entry({ name: 'caf\u00e9' }))]);
    const result = await registry.syncManaged([parse(entry({ name: 'cafe\u0301', key_prefix: 'new/' }))]);
    assert.deepEqual([result.added.length, result.updated.length, result.removed.length], [0, 1, 0]);
    const stores = await registry.list();
    assert.equal(stores.length, 1);
    assert.equal(stores[0].key_prefix, 'new/');
  });

  it('announces a store whose secret another window changed, though its record here is the same (a managed store\'s new secret)', async () => {
    const { registry: here, records, vault } = setup();
    const there = memorySource({ records, secrets: vault }).source;
    await here.syncManaged([parse(entry())]);
    const announced: string[][] = [];
    here.onDidChange((change) => announced.push([...change.storeIds]));
    // The other window reads the new provisioning file first: the secret it writes is the one this window then finds.
    await there.syncManaged([parse(entry({ secret_access_key: 'rotated' }))]);
    await here.syncManaged([parse(entry({ secret_access_key: 'rotated' }))]);
    await here.recordsChanged();
    assert.deepEqual(announced, [], 'nothing here says the secret changed');
    const [store] = await here.list();
    here.secretChanged(store.id);
    assert.deepEqual(announced, [[store.id]]);
  });

  it('takes the default from a managed store the provisioning file disables (a disabled store is never the default)', async () => {
    const { registry } = setup();
    await registry.syncManaged([parse(entry({ default: true }))]);
    await registry.syncManaged([parse(entry({ default: true, disabled: true }))]);
    const [store] = await registry.list();
    assert.deepEqual([store.disabled, store.default], [true, false]);
  });

  it('reports a store whose secret alone was rotated as changed, so its clients are rebuilt', async () => {
    const { registry } = setup();
    await registry.syncManaged([parse(entry())]);
    const [store] = await registry.list();
    const changes: string[][] = [];
    registry.onDidChange((change) => changes.push([...change.storeIds]));
    const result = await registry.syncManaged([parse(entry({ secret_access_key: 'rotated' }))]);
    assert.equal(result.updated.length, 0);
    assert.deepEqual(changes, [[store.id]]);
  });

  it('leaves the secrets as they were when the records can\'t be saved (a full disk): no secret of a store never added', async () => {
    const { registry, vault, records } = setup();
    await registry.syncManaged([parse(entry())]);
    const [store] = await registry.list();
    records.failNextSave = true;
    await assert.rejects(registry.syncManaged([parse(entry({ secret_access_key: 'rotated' })), parse(entry({ name: 'lqs-second', secret_access_key: 'second-secret' }))]), /disk full/);
    assert.deepEqual([...vault.secrets], [[store.id, 'managed-secret']]);
    assert.deepEqual((await registry.list()).map((s) => s.name), ['lqs-managed']);
  });

  it('puts the secrets back as they were when the keychain refuses one partway through a sync', async () => {
    const { registry, vault } = setup();
    await registry.syncManaged([parse(entry()), parse(entry({ name: 'lqs-second', secret_access_key: 'second-secret' }))]);
    const before = [...vault.secrets];
    const set = vault.set.bind(vault);
    let sets = 0;
    vault.set = async (storeId, secret) => {
      if (++sets === 2) {
        throw new Error('The keychain is locked');
      }
      return set(storeId, secret);
    };
    await assert.rejects(registry.syncManaged([parse(entry({ secret_access_key: 'rotated' })), parse(entry({ name: 'lqs-second', secret_access_key: 'rotated-too' }))]), /keychain is locked/);
    assert.deepEqual([...vault.secrets], before);
  });

  it('changes nothing when the entries did not change', async () => {
    const { registry } = setup();
    await registry.syncManaged([parse(entry())]);
    const result = await registry.syncManaged([parse(entry())]);
    assert.deepEqual([result.added.length, result.updated.length, result.removed.length], [0, 0, 0]);
  });

  it('removes managed stores no longer provisioned, and their secrets', async () => {
    const { registry, vault } = setup();
    await registry.syncManaged([parse(entry())]);
    await registry.create(validInput({ name: 'mine' }));
    const result = await registry.syncManaged([]);
    assert.deepEqual(result.removed.map((s) => s.name), ['lqs-managed']);
    assert.deepEqual((await registry.list()).map((s) => s.name), ['mine']);
    assert.equal(vault.secrets.size, 1);
  });

  it('never overwrites a store a person added under the same name', async () => {
    const { registry, vault } = setup();
    const mine = await registry.create(validInput({ name: 'lqs-managed' }));
    const result = await registry.syncManaged([parse(entry())]);
    assert.deepEqual(result.skipped.map((s) => s.name), ['lqs-managed']);
    const store = await registry.get(mine.id);
    assert.equal(store.managed, false);
    assert.equal(vault.secrets.get(mine.id), 'super-secret-value');
  });
});
