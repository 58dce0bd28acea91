import * as assert from 'node:assert/strict';
import type { EmbeddedStoreSource } from '../../../src/core/embeddedStoreSource';
import { logqsSourceId } from '../../../src/adapters/logqs/logqsStoreSource';
import { StoreSources } from '../../../src/core/sources';
import type { CommandDeps } from '../../../src/vscode/commands/deps';
import { addObjectStore, deleteObjectStore, editObjectStore, setDefaultObjectStore } from '../../../src/vscode/commands/storeCommands';
import { StoreNode } from '../../../src/vscode/explorer/nodes';
import { code } from '../../support/assertions';
import { FakeUi } from '../../support/fakeUi';
import { memorySource, validInput } from '../../support/memoryPorts';

/** The store commands run as functions of their dependencies: no palette, no editor. */
describe('store commands', () => {
  let ui: FakeUi;
  let source: EmbeddedStoreSource;
  let deps: Pick<CommandDeps, 'sources' | 'ui' | 'log' | 'report'>;
  let reported: string[];

  beforeEach(() => {
    ui = new FakeUi();
    source = memorySource().source;
    reported = [];
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined, show: () => undefined };
    deps = { sources: new StoreSources([source]), ui, log, report: (action) => reported.push(action) };
  });

  it('adds a store from the prompts and says so', async () => {
    ui.newStore = validInput({ name: 'from-prompts' });
    const id = await addObjectStore(deps)();
    assert.equal((await source.get(id)).name, 'from-prompts');
    assert.deepEqual(ui.told, ['info: Added object store "from-prompts".']);
  });

  it('adds a store given as a plain object without asking', async () => {
    const id = await addObjectStore(deps)(validInput({ name: 'given' }));
    assert.equal((await source.get(id)).name, 'given');
    assert.deepEqual(ui.asked, []);
  });

  it('edits the clicked store, re-reading it first', async () => {
    const store = await source.create(validInput({ name: 'a' }));
    const stale = new StoreNode(undefined, source, { ...store, note: 'stale' });
    ui.storeChange = { note: 'fresh' };
    await editObjectStore(deps)(stale);
    assert.equal((await source.get(store.id)).note, 'fresh');
    assert.deepEqual(ui.asked, ['promptStoreChange']);
  });

  it('offers only editable stores when none was clicked', async () => {
    await source.create(validInput({ name: 'mine' }));
    await source.syncManaged([{ ...validInput({ name: 'managed' }), endpoint_url: null, key_prefix: null, note: null }]);
    ui.pickLabel = 'managed';
    await assert.rejects(editObjectStore(deps)(), code('cancelled'));
    assert.deepEqual(ui.asked, ['pickStore: Object store to edit: mine']);
  });

  it('refuses to edit or delete a managed store named by id, or clicked, before asking for the change or the confirmation', async () => {
    await source.syncManaged([{ ...validInput({ name: 'managed' }), endpoint_url: null, key_prefix: null, note: null }]);
    const [managed] = await source.list();
    ui.storeChange = { note: 'never asked for' };
    await assert.rejects(editObjectStore(deps)({ id: managed.id }), code('managed'));
    await assert.rejects(editObjectStore(deps)(new StoreNode(undefined, source, { ...managed, managed: false })), code('managed'));
    await assert.rejects(deleteObjectStore(deps)(new StoreNode(undefined, source, { ...managed, managed: false })), code('managed'));
    assert.deepEqual(ui.asked, []);
    assert.equal((await source.list()).length, 1);
  });

  it('deletes only after confirmation', async () => {
    const store = await source.create(validInput({ name: 'a' }));
    const node = new StoreNode(undefined, source, store);
    ui.confirmAnswer = false;
    await deleteObjectStore(deps)(node);
    assert.equal((await source.list()).length, 1);
    ui.confirmAnswer = true;
    await deleteObjectStore(deps)(node);
    assert.equal((await source.list()).length, 0);
    assert.deepEqual(ui.asked, ['confirm: Delete object store "a"?', 'confirm: Delete object store "a"?']);
  });

  it('says where a store is deleted and where a new store\'s secret goes: this editor, or a LogQS DataStore, for everyone who uses it', async () => {
    // The same records, seen as a DataStore's (the commands tell one by its source's id).
    const dataStore = new Proxy(source, {
      get: (target, name): unknown => {
        if (name === 'id' || name === 'label') {
          return name === 'id' ? logqsSourceId({ id: 'fleet' }) : 'Fleet';
        }
        const value: unknown = Reflect.get(target, name);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    ui.newStore = validInput({ name: 'local' });
    await addObjectStore(deps)();
    ui.newStore = validInput({ name: 'shared' });
    await addObjectStore({ ...deps, sources: new StoreSources([dataStore]) })();
    assert.deepEqual(ui.secretsKeptBy, ['kept in this editor\'s secret storage', 'sent to the LogQS DataStore "Fleet", which keeps it']);

    const [local, shared] = await source.list();
    await deleteObjectStore(deps)(new StoreNode(undefined, source, local));
    await deleteObjectStore({ ...deps, sources: new StoreSources([dataStore]) })(new StoreNode(undefined, dataStore, shared));
    assert.match(ui.confirmDetails[0], /removed from this editor/);
    assert.match(ui.confirmDetails[1], /deleted from the LogQS DataStore "Fleet", with its secret key, for everyone who uses it/);
    assert.deepEqual(await source.list(), []);
  });

  it('acts on a store named by id without asking, as scripts and tests call it', async () => {
    const store = await source.create(validInput({ name: 'scripted' }));
    await editObjectStore(deps)({ id: store.id }, { note: 'by id' });
    assert.equal((await source.get(store.id)).note, 'by id');
    await deleteObjectStore(deps)({ id: store.id });
    assert.deepEqual(await source.list(), []);
    assert.deepEqual(ui.asked, []);
    await assert.rejects(deleteObjectStore(deps)({ id: store.id }), code('not-found'));
  });

  it('offers only enabled stores that are not the default for Set as Default', async () => {
    await source.create(validInput({ name: 'current', default: true }));
    await source.create(validInput({ name: 'off', disabled: true }));
    await source.create(validInput({ name: 'next' }));
    ui.pickLabel = 'next';
    await setDefaultObjectStore(deps)();
    assert.deepEqual(ui.asked, ['pickStore: Object store to make the default: next']);
    assert.deepEqual((await source.list()).filter((store) => store.default).map((store) => store.name), ['next']);
  });

  it('reports a store added with a listing that fails, after the add succeeded', async () => {
    await addObjectStore(deps)(validInput({ name: 'unreachable' }));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(reported, ['Added "unreachable", but its objects can\'t be listed']);
  });
});
