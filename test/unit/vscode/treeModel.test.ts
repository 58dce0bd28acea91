import * as assert from 'node:assert/strict';
import { LogqsError } from '../../../src/core/errors';
import { StoreSources } from '../../../src/core/sources';
import { contextValue } from '../../../src/vscode/explorer/contextValue';
import type { ObjectStoreSource } from '../../../src/core/ports';
import { type ContainerNode, StoreNode, type TreeNode } from '../../../src/vscode/explorer/nodes';
import { ObjectTreeModel } from '../../../src/vscode/explorer/treeModel';
import { MemoryRecords, memoryGateway, memorySource, validInput } from '../../support/memoryPorts';

const KEYS = [
  'logs/readme.txt',
  'logs/run-1/robot.bag',
  'logs/run-2/lidar.mcap',
  'logs/rover/a.bag',
  ...Array.from({ length: 25 }, (_, index) => `logs/many/file-${String(index).padStart(2, '0')}.bin`),
  'logsmith/outside.bag',
  'other/run-9.bag',
];

const names = (nodes: TreeNode[]) =>
  nodes.map((node) => (node.kind === 'folder' ? node.name : node.kind === 'object' ? node.entry.name : node.kind === 'message' ? `(${node.text})` : node.kind));

async function treeOver(keys: readonly string[], pageSize: number, revealPageLimit?: number, keyPrefix = 'logs/') {
  const { gateway, requests } = memoryGateway(keys);
  const { source } = memorySource({ gateways: () => gateway });
  await source.create(validInput({ key_prefix: keyPrefix }));
  const redrawn: (string | undefined)[] = [];
  /** The node objects redrawn: VS Code knows a node by its object, not its id. */
  const redrawnNodes: (TreeNode | undefined)[] = [];
  const model = new (class extends ObjectTreeModel {
    protected override changed(node: TreeNode | undefined) {
      redrawn.push(node?.id);
      redrawnNodes.push(node);
    }
  })({ sources: new StoreSources([source]), pageSize: () => pageSize, revealPageLimit, report: (action, error) => assert.fail(`${action}: ${String(error)}`), info: () => undefined });
  const [store] = (await model.getChildren()) as StoreNode[];
  const folder = async (parent: ContainerNode, name: string) => {
    const found = (await model.getChildren(parent)).find((node) => node.kind === 'folder' && node.name === name);
    assert.ok(found?.kind === 'folder', `no folder ${name}`);
    return found;
  };
  return { model, store, requests, redrawn, redrawnNodes, folder };
}

describe('the tree model: filters and reveal', () => {
  it('filters a store or folder by asking the server with the longer prefix, and shows all again when cleared', async () => {
    const { model, store, requests, redrawn } = await treeOver(KEYS, 1000);
    assert.deepEqual(names(await model.getChildren(store)), ['many/', 'rover/', 'run-1/', 'run-2/', 'readme.txt']);
    model.setFilter(store, 'ru');
    assert.equal(model.filterOf(store), 'ru');
    assert.equal(redrawn.at(-1), store.id, 'the filtered node is drawn again');
    requests.length = 0;
    assert.deepEqual(names(await model.getChildren(store)), ['run-1/', 'run-2/']);
    assert.deepEqual(requests.map((request) => request.prefix), ['logs/ru'], 'asked of the server, not filtered here');
    model.setFilter(store, '');
    assert.equal(model.filterOf(store), undefined);
    assert.deepEqual(names(await model.getChildren(store)), ['many/', 'rover/', 'run-1/', 'run-2/', 'readme.txt']);
  });

  it('never shows a listing begun before the filter changed', async () => {
    const { model, store } = await treeOver(KEYS, 1000);
    const unfiltered = model.getChildren(store);
    model.setFilter(store, 'ru');
    assert.deepEqual(names(await model.getChildren(store)), ['run-1/', 'run-2/']);
    assert.equal((await unfiltered).length, 5, 'the first caller gets what it asked for');
    assert.deepEqual(names(await model.getChildren(store)), ['run-1/', 'run-2/'], 'and it is not kept');
  });

  it('filters one folder only: the folders shown under it list all their children', async () => {
    const { model, store, folder } = await treeOver(KEYS, 1000);
    const many = await folder(store, 'many/');
    model.setFilter(many, 'file-1');
    assert.deepEqual(names(await model.getChildren(many)), Array.from({ length: 10 }, (_, index) => `file-1${index}.bin`));
    model.setFilter(store, 'run');
    const run1 = await folder(store, 'run-1/');
    assert.deepEqual(names(await model.getChildren(run1)), ['robot.bag']);
  });

  it('filters by the names as shown where the key prefix ends inside a name ("reports/2024." shows "2024.01/")', async () => {
    const keys = ['reports/2024.01/a.csv', 'reports/2024.02/b.csv', 'reports/2024.summary.csv', 'reports/2025.01/c.csv'];
    const { gateway, requests } = memoryGateway(keys);
    const { source } = memorySource({ gateways: () => gateway });
    await source.create(validInput({ key_prefix: 'reports/2024.' }));
    const model = new ObjectTreeModel({ sources: new StoreSources([source]), pageSize: () => 10, report: (action, error) => assert.fail(`${action}: ${String(error)}`), info: () => undefined });
    const [store] = (await model.getChildren()) as StoreNode[];
    assert.deepEqual(names(await model.getChildren(store)), ['2024.01/', '2024.02/', '2024.summary.csv']);
    requests.length = 0;
    model.setFilter(store, '2024.0');
    assert.deepEqual(names(await model.getChildren(store)), ['2024.01/', '2024.02/']);
    assert.deepEqual(requests.map((request) => request.prefix), ['reports/2024.0']);
    model.setFilter(store, '20');
    assert.deepEqual(names(await model.getChildren(store)), ['2024.01/', '2024.02/', '2024.summary.csv'], 'every name shown starts with it');
    requests.length = 0;
    model.setFilter(store, '2025');
    assert.deepEqual(names(await model.getChildren(store)), ['(No names start with "2025")']);
    assert.equal(requests.length, 0, 'nothing asked: no name there can start with it');
    // A reveal keeps a filter that does not hide the key.
    model.setFilter(store, '2024.0');
    await model.getChildren(store);
    assert.equal((await model.findKey(store.id, 'reports/2024.01/a.csv', { loadPages: true }))?.kind, 'object');
    assert.equal(model.filterOf(store), '2024.0');
  });

  it('says when nothing matches a filter, and never reaches outside the key prefix', async () => {
    const { model, store } = await treeOver(KEYS, 1000);
    model.setFilter(store, 'smith');
    assert.deepEqual(names(await model.getChildren(store)), ['(No names start with "smith")']);
  });

  it('pages a filtered folder with Load more…', async () => {
    const { model, store, folder } = await treeOver(KEYS, 4);
    const many = await folder(store, 'many/');
    model.setFilter(many, 'file-0');
    const first = await model.getChildren(many);
    assert.deepEqual(names(first), ['file-00.bin', 'file-01.bin', 'file-02.bin', 'file-03.bin', 'loadMore']);
    const more = first.at(-1);
    assert.ok(more?.kind === 'loadMore');
    await model.loadMore(more);
    assert.equal((await model.getChildren(many)).filter((node) => node.kind === 'object').length, 8);
  });

  it('reveals a key deep in a folder of many pages, loading the pages on the way', async () => {
    const { model, store, requests } = await treeOver(KEYS, 4);
    assert.equal(await model.findKey(store.id, 'logs/many/file-23.bin'), undefined, 'not on the first page, and not asked to load more');
    requests.length = 0;
    const node = await model.findKey(store.id, 'logs/many/file-23.bin', { loadPages: true });
    assert.ok(node?.kind === 'object');
    assert.equal(node.entry.key, 'logs/many/file-23.bin');
    assert.equal(node.parent.kind === 'folder' && node.parent.prefix, 'logs/many/');
    assert.equal(node.parent.parent?.id, store.id, 'the path up leads to the store');
    const pagesOfMany = requests.filter((request) => request.prefix === 'logs/many/');
    assert.equal(pagesOfMany.length, 5, 'file-23 is on the 6th page of 4, the first listed already');
    assert.equal(await model.findKey(store.id, 'logs/many/file-99.bin', { loadPages: true }), undefined);
  });

  it('reveals a key in a store on a later page of a DataStore\'s stores, loading the pages of stores on the way', async () => {
    const { gateway } = memoryGateway(KEYS);
    const { source } = memorySource({ gateways: () => gateway });
    for (const name of ['s0', 's1', 's2', 's3', 's4']) {
      await source.create(validInput({ name, key_prefix: 'logs/' }));
    }
    // A source that pages its stores, as a DataStore does, beside the embedded one (so sources are nodes of their own).
    const paged: ObjectStoreSource = Object.assign(Object.create(source) as ObjectStoreSource, {
      id: 'datastore',
      listPage: async (offset: number, limit: number) => {
        const all = await source.list();
        const stores = all.slice(offset, offset + limit);
        return { stores, total: all.length, covered: stores.length, unreadable: [] };
      },
    });
    const { source: embedded } = memorySource();
    const model = new ObjectTreeModel({ sources: new StoreSources([embedded, paged]), pageSize: () => 2, report: (action, error) => assert.fail(`${action}: ${String(error)}`), info: () => undefined });
    const last = (await source.list()).find((store) => store.name === 's4');
    assert.ok(last);
    const storeNodeId = new StoreNode(undefined, paged, last).id;
    assert.equal(await model.findKey(storeNodeId, 'logs/readme.txt'), undefined, 'not on the first page of stores, and not asked to load more');
    const node = await model.findKey(storeNodeId, 'logs/readme.txt', { loadPages: true });
    assert.ok(node?.kind === 'object' && node.entry.key === 'logs/readme.txt');
    assert.equal(node.storeNode.id, storeNodeId);
  });

  it('filters a folder to the name it reveals once it has looked through its limit of pages, instead of loading every page before it', async () => {
    const { model, store, requests, folder } = await treeOver(KEYS, 4, 2);
    const many = await folder(store, 'many/');
    requests.length = 0;
    const node = await model.findKey(store.id, 'logs/many/file-23.bin', { loadPages: true });
    assert.ok(node?.kind === 'object');
    assert.equal(node.entry.key, 'logs/many/file-23.bin');
    assert.equal(model.filterOf(many), 'file-23.bin', 'the filter shows in the folder, for Clear Filter');
    assert.deepEqual(
      requests.map((request) => request.prefix),
      ['logs/many/', 'logs/many/', 'logs/many/file-23.bin'],
      'two pages, then the name itself',
    );
    assert.equal(model.filterOf(store), undefined, 'a folder found within the limit is not filtered');
  });

  it('clears a filter that hides the key being revealed, and keeps one that shows it', async () => {
    const { model, store, folder } = await treeOver(KEYS, 1000);
    const many = await folder(store, 'many/');
    model.setFilter(store, 'run');
    model.setFilter(many, 'file-2');
    assert.equal(await model.findKey(store.id, 'logs/many/file-21.bin'), undefined, 'an upload\'s reveal keeps the person\'s filters');
    assert.equal(model.filterOf(store), 'run');
    const node = await model.findKey(store.id, 'logs/many/file-21.bin', { loadPages: true });
    assert.ok(node?.kind === 'object');
    assert.equal(model.filterOf(store), undefined, 'the store\'s filter hid many/');
    assert.equal(model.filterOf(many), 'file-2', 'many/\'s filter shows file-21');
  });

  it('filters a store\'s root by the start of a name, also when the name starts with a key prefix that has no "/" ("loglog" under "log")', async () => {
    const { model, store } = await treeOver(['log-2024/a.bag', 'loglog/b.bag', 'logx.txt', 'loglogs.txt'], 1000, undefined, 'log');
    model.setFilter(store, 'loglog');
    assert.deepEqual(names(await model.getChildren(store)), ['loglog/', 'loglogs.txt']);
  });

  it('appends a later page of a DataStore\'s stores without showing a store twice when one was added before it meanwhile, and keeps Load more… when a page fails', async () => {
    const { source } = memorySource();
    for (const name of ['b', 'c', 'd', 'e']) {
      await source.create(validInput({ name }));
    }
    let failNext = false;
    const reported: string[] = [];
    const paged: ObjectStoreSource = Object.assign(Object.create(source) as ObjectStoreSource, {
      id: 'datastore',
      listPage: async (offset: number, limit: number) => {
        if (failNext) {
          failNext = false;
          throw new LogqsError('unreachable', 'The LogQS API did not answer');
        }
        const all = (await source.list()).sort((x, y) => x.name.localeCompare(y.name));
        const stores = all.slice(offset, offset + limit);
        return { stores, total: all.length, covered: stores.length, unreadable: [] };
      },
    });
    const { source: embedded } = memorySource();
    const model = new ObjectTreeModel({ sources: new StoreSources([embedded, paged]), pageSize: () => 2, report: (action) => reported.push(action), info: () => undefined });
    const [, sourceNode] = (await model.getChildren()) as ContainerNode[];
    const storeNames = async () => (await model.getChildren(sourceNode)).map((node) => (node.kind === 'store' ? node.store.name : node.kind));
    assert.deepEqual(await storeNames(), ['b', 'c', 'loadMore']);
    const loadMore = async () => {
      const more = (await model.getChildren(sourceNode)).find((node) => node.kind === 'loadMore');
      assert.ok(more?.kind === 'loadMore');
      await model.loadMore(more);
    };
    failNext = true;
    await loadMore();
    assert.deepEqual(await storeNames(), ['b', 'c', 'loadMore'], 'the failed page leaves the list, and its Load more…');
    assert.equal(reported.length, 1);
    failNext = true;
    await loadMore();
    assert.equal(reported.length, 2, 'a click that fails again says so again');
    // Someone adds "a" on the server: the next page, by offset, is c and d.
    await source.create(validInput({ name: 'a' }));
    await loadMore();
    const ids = (await model.getChildren(sourceNode)).map((node) => node.id);
    assert.equal(new Set(ids).size, ids.length, `an id twice: ${ids.join(', ')}`);
    assert.deepEqual(await storeNames(), ['b', 'c', 'd', 'loadMore']);
  });

  it('redraws a saved object\'s new size in the folder node VS Code holds, not in an older one of the same id', async () => {
    const { model, store, folder, redrawnNodes } = await treeOver(KEYS, 1000);
    const run1 = await folder(store, 'run-1/');
    await model.getChildren(run1);
    // The store's folders are listed again (a Save As elsewhere): VS Code now holds a new run-1/ node, and asks its children.
    model.objectsChanged(store.store.id, 'logs/new.txt', { size: 1 });
    const run1Again = await folder(store, 'run-1/');
    assert.notEqual(run1Again, run1);
    await model.getChildren(run1Again);
    redrawnNodes.length = 0;
    model.objectsChanged(store.store.id, 'logs/run-1/robot.bag', { size: 42 });
    assert.ok(redrawnNodes.length === 1 && redrawnNodes[0] === run1Again, 'redrawn: the node VS Code holds');
    const [redrawnNode] = (await model.getChildren(run1Again)).filter((node) => node.kind === 'object');
    assert.ok(redrawnNode.kind === 'object' && redrawnNode.entry.size === 42 && redrawnNode.parent === run1Again);
  });

  it('keeps the pages loaded when an object that was there already, on a page not loaded, is saved (an auto-save of a tab opened from the palette)', async () => {
    const { model, store, folder, requests } = await treeOver(KEYS, 4);
    const many = await folder(store, 'many/');
    const more = (await model.getChildren(many)).find((node) => node.kind === 'loadMore');
    assert.ok(more?.kind === 'loadMore');
    await model.loadMore(more);
    const loaded = (await model.getChildren(many)).length;
    requests.length = 0;
    model.objectsChanged(store.store.id, 'logs/many/file-24.bin', { size: 5, created: false });
    assert.equal((await model.getChildren(many)).length, loaded, 'Load more… pages kept');
    assert.equal(requests.length, 0, 'nothing listed again');
    // A new object (a Save As) may add a folder on its path: those folders are listed again.
    model.objectsChanged(store.store.id, 'logs/many/new.txt', { size: 5, created: true });
    await model.getChildren(many);
    assert.deepEqual(requests.map((request) => request.prefix), ['logs/many/']);
  });

  it('marks filtered nodes in their context value, for Clear Filter', async () => {
    const { store } = await treeOver(KEYS, 1000);
    assert.equal(contextValue(store, 'ru'), 'store editable notDefault enabled writable defaultable filtered');
    assert.equal(contextValue(store), 'store editable notDefault enabled writable defaultable');
  });
});

/** A tree over keys that can change, whose server answers only when the test lets it (`hold()` then `release()`). */
async function heldTreeOver(keys: string[], pageSize: number) {
  let gate: Promise<void> | undefined;
  let open = () => undefined as void;
  const gateway = {
    ...memoryGateway([]).gateway,
    listPage: async (request: Parameters<ReturnType<typeof memoryGateway>['gateway']['listPage']>[0]) => {
      // The server reads its keys when asked; its answer reaches the editor only once released.
      const answer = memoryGateway(keys).gateway.listPage(request);
      await gate;
      return answer;
    },
  };
  const { source } = memorySource({ gateways: () => gateway });
  await source.create(validInput({ key_prefix: 'logs/' }));
  const model = new ObjectTreeModel({ sources: new StoreSources([source]), pageSize: () => pageSize, report: (action, error) => assert.fail(`${action}: ${String(error)}`), info: () => undefined });
  const [store] = (await model.getChildren()) as StoreNode[];
  return {
    model,
    store,
    hold: () => {
      gate = new Promise<void>((resolve) => (open = resolve));
    },
    release: () => {
      gate = undefined;
      open();
    },
  };
}

describe('the tree model: answers that arrive after a refresh', () => {
  it('drops a Load more… answer that arrives after a refresh, instead of putting the older listing back', async () => {
    const keys = ['logs/a.bin', 'logs/b.bin', 'logs/c.bin', 'logs/d.bin'];
    const { model, store, hold, release } = await heldTreeOver(keys, 2);
    const first = await model.getChildren(store);
    assert.deepEqual(names(first), ['a.bin', 'b.bin', 'loadMore']);
    const more = first.at(-1);
    assert.ok(more?.kind === 'loadMore');
    hold();
    const loading = model.loadMore(more);
    // a.bin is deleted meanwhile, and the store refreshed.
    keys.splice(0, 1);
    model.objectsChanged(store.store.id);
    release();
    await loading;
    assert.deepEqual(names(await model.getChildren(store)), ['b.bin', 'c.bin', 'loadMore'], 'the deleted a.bin is not put back');
  });

  it('lists again after a refresh while the first listing was still on its way, instead of showing and keeping the older one', async () => {
    const keys = ['logs/a.bin'];
    const { model, store, hold, release } = await heldTreeOver(keys, 1000);
    hold();
    const before = model.getChildren(store);
    await new Promise((resolve) => setImmediate(resolve));
    // b.bin is uploaded meanwhile, and the store refreshed: the view asks for its children again.
    keys.push('logs/b.bin');
    model.objectsChanged(store.store.id);
    const after = model.getChildren(store);
    release();
    assert.deepEqual(names(await before), ['a.bin'], 'the first caller gets what it asked for');
    assert.deepEqual(names(await after), ['a.bin', 'b.bin'], 'the redraw after the upload shows it');
    assert.deepEqual(names(await model.getChildren(store)), ['a.bin', 'b.bin'], 'and the older listing is not kept');
  });

  it('drops a page of a DataStore\'s stores that arrives after the stores changed, instead of putting the older list back', async () => {
    const { source } = memorySource();
    for (const name of ['s0', 's1', 's2', 's3']) {
      await source.create(validInput({ name }));
    }
    let gate: Promise<void> | undefined;
    const paged: ObjectStoreSource = Object.assign(Object.create(source) as ObjectStoreSource, {
      id: 'datastore',
      listPage: async (offset: number, limit: number) => {
        const all = await source.list();
        await gate;
        const stores = all.slice(offset, offset + limit);
        return { stores, total: all.length, covered: stores.length, unreadable: [] };
      },
    });
    const { source: embedded } = memorySource();
    const model = new ObjectTreeModel({ sources: new StoreSources([embedded, paged]), pageSize: () => 2, report: (action, error) => assert.fail(`${action}: ${String(error)}`), info: () => undefined });
    const datastore = (await model.getChildren()).find((node) => node.kind === 'source' && node.source.id === 'datastore');
    assert.ok(datastore);
    const storeNames = (nodes: TreeNode[]) => nodes.map((node) => (node.kind === 'store' ? node.store.name : node.kind));
    const first = await model.getChildren(datastore);
    assert.deepEqual(storeNames(first), ['s0', 's1', 'loadMore']);
    const more = first.at(-1);
    assert.ok(more?.kind === 'loadMore');
    let open = () => undefined as void;
    gate = new Promise<void>((resolve) => (open = resolve));
    const loading = model.loadMore(more);
    await new Promise((resolve) => setImmediate(resolve));
    // s0 is deleted meanwhile.
    const s0 = (await source.list()).find((store) => store.name === 's0');
    assert.ok(s0);
    await source.delete(s0.id);
    model.storesChanged();
    gate = undefined;
    open();
    await loading;
    assert.ok(!storeNames(await model.getChildren(datastore)).includes('s0'), 'the deleted store is not put back');
  });

  it('reveals a key on a later page while Load more… is clicked, keeping every page loaded', async () => {
    const keys = ['logs/a.bin', 'logs/b.bin', 'logs/c.bin', 'logs/d.bin', 'logs/e.bin', 'logs/f.bin'];
    const { model, store, hold, release } = await heldTreeOver(keys, 2);
    const first = await model.getChildren(store);
    const more = first.at(-1);
    assert.ok(more?.kind === 'loadMore');
    hold();
    const loading = model.loadMore(more);
    const revealing = model.findKey(store.id, 'logs/f.bin', { loadPages: true });
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await loading;
    const node = await revealing;
    assert.ok(node?.kind === 'object' && node.entry.key === 'logs/f.bin');
    assert.deepEqual(names(await model.getChildren(store)), ['a.bin', 'b.bin', 'c.bin', 'd.bin', 'e.bin', 'f.bin'], 'the pages the reveal loaded are kept, for the view to show it');
  });

  it('never keeps a first page of a DataStore\'s stores listed before the stores changed, even when it arrives last', async () => {
    const { source } = memorySource();
    for (const name of ['s0', 's1']) {
      await source.create(validInput({ name }));
    }
    const answers: (() => void)[] = [];
    const paged: ObjectStoreSource = Object.assign(Object.create(source) as ObjectStoreSource, {
      id: 'datastore',
      listPage: async (offset: number, limit: number) => {
        const all = await source.list();
        await new Promise<void>((resolve) => answers.push(resolve));
        const stores = all.slice(offset, offset + limit);
        return { stores, total: all.length, covered: stores.length, unreadable: [] };
      },
    });
    const { source: embedded } = memorySource();
    const model = new ObjectTreeModel({ sources: new StoreSources([embedded, paged]), pageSize: () => 10, report: (action, error) => assert.fail(`${action}: ${String(error)}`), info: () => undefined });
    const datastore = (await model.getChildren()).find((node) => node.kind === 'source' && node.source.id === 'datastore');
    assert.ok(datastore);
    const storeNames = (nodes: TreeNode[]) => nodes.map((node) => (node.kind === 'store' ? node.store.name : node.kind));
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    const before = model.getChildren(datastore);
    await tick();
    const s0 = (await source.list()).find((store) => store.name === 's0');
    assert.ok(s0);
    await source.delete(s0.id);
    model.storesChanged();
    const after = model.getChildren(datastore);
    await tick();
    assert.equal(answers.length, 2);
    answers[1]();
    assert.deepEqual(storeNames(await after), ['s1']);
    answers[0]();
    assert.deepEqual(storeNames(await before), ['s0', 's1'], 'the first caller gets what it asked for');
    assert.deepEqual(storeNames(await model.getChildren(datastore)), ['s1'], 'the deleted store is not put back');
  });
});

describe('the tree model: a disabled store', () => {
  it('says in the tree that it is disabled when expanded, and raises no error notification', async () => {
    const { gateway } = memoryGateway(['a.bin']);
    const { source } = memorySource({ gateways: () => gateway });
    await source.create(validInput({ disabled: true }));
    const reported: string[] = [];
    const model = new ObjectTreeModel({ sources: new StoreSources([source]), pageSize: () => 10, report: (action) => reported.push(action), info: () => undefined });
    const [store] = (await model.getChildren()) as StoreNode[];
    const children = await model.getChildren(store);
    assert.equal(children.length, 1);
    assert.ok(children[0].kind === 'message' && /disabled/.test(children[0].text) && !children[0].isError, JSON.stringify(children[0]));
    assert.deepEqual(reported, []);
  });
});

/** A tree of one store (prefix "logs/") over `keys`, 10 a page, that records each node it asks the view to redraw, as the object. */
async function redrawnTree(keys: readonly string[]) {
  const { gateway, requests } = memoryGateway(keys);
  const { source } = memorySource({ gateways: () => gateway });
  const created = await source.create(validInput({ key_prefix: 'logs/' }));
  const redrawn: (TreeNode | undefined)[] = [];
  const model = new (class extends ObjectTreeModel {
    protected override changed(node: TreeNode | undefined) {
      redrawn.push(node);
    }
  })({ sources: new StoreSources([source]), pageSize: () => 10, report: (action, error) => assert.fail(`${action}: ${String(error)}`), info: () => undefined });
  return { model, redrawn, requests, source, created };
}

describe('the tree model: nodes as VS Code knows them', () => {
  it('redraws, while revealing a key on a later page of a store\'s top level, the very store node the view was given', async () => {
    // VS Code ignores a redraw of a node object it didn't get from getChildren; the root's stores are listed anew at every redraw.
    const { model, redrawn, source } = await redrawnTree(Array.from({ length: 25 }, (_, index) => `logs/bag-${String(index).padStart(2, '0')}.bag`));
    const [shown] = (await model.getChildren()) as StoreNode[];
    await model.getChildren(shown);
    const found = await model.findKey(shown.id, 'logs/bag-23.bag', { loadPages: true });
    assert.equal(found?.kind === 'object' && found.entry.key, 'logs/bag-23.bag');
    assert.ok(redrawn.length > 0);
    assert.ok(redrawn.every((node) => node === shown), 'each page loaded redraws the node the view holds');
    assert.equal(found?.parent, shown, 'and the object found is its child, so the view can reveal it');
    const [again] = (await model.getChildren()) as StoreNode[];
    assert.equal(again, shown, 'listed again unchanged, a store is the same node');
    await source.update(shown.store.id, { note: 'changed' });
    const [changed] = (await model.getChildren()) as StoreNode[];
    assert.notEqual(changed, shown, 'changed, it is a new node with the new record');
    assert.equal(changed.store.note, 'changed');
  });
});

describe('the tree model: a records file that can\'t be read', () => {
  it('says so once, not at every redraw of the stores, again after Refresh, and again if it breaks again', async () => {
    const { source } = memorySource();
    await source.create(validInput());
    const list = source.list.bind(source);
    let damaged = true;
    source.list = async () => {
      if (damaged) {
        throw new LogqsError('storage', 'The object stores file is damaged and was left untouched: records 1 and 2 have the same id');
      }
      return list();
    };
    const reported: string[] = [];
    const model = new ObjectTreeModel({ sources: new StoreSources([source]), pageSize: () => 10, report: (action) => reported.push(action), info: () => undefined });
    const [message] = await model.getChildren();
    assert.equal(message.kind === 'message' && message.isError, true, 'the tree says why');
    await model.getChildren();
    await model.getChildren();
    assert.equal(reported.length, 1, 'a notification once, not at each redraw');
    model.refresh();
    await model.getChildren();
    assert.equal(reported.length, 2, 'Refresh says it again');
    damaged = false;
    assert.equal((await model.getChildren())[0].kind, 'store');
    damaged = true;
    await model.getChildren();
    assert.equal(reported.length, 3, 'broken again after being read: said again');
  });
});

describe('the tree model: Refresh on a store', () => {
  it('reads the store\'s record again, as another window may have changed it (read-only now: no write is offered)', async () => {
    const { gateway } = memoryGateway(['logs/a.bin']);
    const records = new MemoryRecords();
    const { source, vault } = memorySource({ records, gateways: () => gateway });
    const otherWindow = memorySource({ records, secrets: vault, gateways: () => gateway }).source;
    const created = await source.create(validInput({ key_prefix: 'logs/' }));
    const model = new ObjectTreeModel({ sources: new StoreSources([source]), pageSize: () => 10, report: (action, error) => assert.fail(`${action}: ${String(error)}`), info: () => undefined });
    const [before] = (await model.getChildren()) as StoreNode[];
    await model.getChildren(before);
    await otherWindow.update(created.id, { read_only: true });
    model.refresh(before);
    const [after] = (await model.getChildren()) as StoreNode[];
    assert.equal(after.store.read_only, true);
    const [object] = await model.getChildren(after);
    assert.match(contextValue(object), /readOnly/);
  });
});

describe('the tree model: an object saved from an editor', () => {
  it('lists again only the folders on its path, not every folder open in the view', async () => {
    const { gateway, requests } = memoryGateway(['logs/a/1.bin', 'logs/b/2.bin', 'logs/c.bin']);
    const { source } = memorySource({ gateways: () => gateway });
    const created = await source.create(validInput({ key_prefix: 'logs/' }));
    const model = new ObjectTreeModel({ sources: new StoreSources([source]), pageSize: () => 10, report: (action, error) => assert.fail(`${action}: ${String(error)}`), info: () => undefined });
    const [store] = (await model.getChildren()) as StoreNode[];
    const [a, b] = (await model.getChildren(store)) as ContainerNode[];
    await model.getChildren(a);
    await model.getChildren(b);
    const listed = () => requests.splice(0).map((request) => request.prefix);
    listed();
    model.objectsChanged(created.id, 'logs/a/1.bin');
    await model.getChildren(store);
    await model.getChildren(a);
    await model.getChildren(b);
    assert.deepEqual(listed(), ['logs/', 'logs/a/']);
    model.objectsChanged(created.id);
    await model.getChildren(store);
    await model.getChildren(a);
    await model.getChildren(b);
    assert.deepEqual(listed(), ['logs/', 'logs/a/', 'logs/b/'], 'without a key, every listing of the store');
  });

  it('redraws an object saved again with its new size where it is listed, listing nothing again and keeping every page loaded', async () => {
    const { model, redrawn, requests, created } = await redrawnTree(Array.from({ length: 25 }, (_, index) => `logs/run/f-${String(index).padStart(2, '0')}.yaml`));
    const [store] = (await model.getChildren()) as StoreNode[];
    const [run] = (await model.getChildren(store)) as ContainerNode[];
    const more = (await model.getChildren(run)).at(-1);
    assert.equal(more?.kind, 'loadMore');
    await model.loadMore(more);
    requests.length = 0;
    redrawn.length = 0;
    model.objectsChanged(created.id, 'logs/run/f-14.yaml', { size: 4321 });
    assert.deepEqual(redrawn, [run], 'its folder only is drawn again');
    const children = await model.getChildren(run);
    assert.equal(children.length, 21, 'both pages, and Load more…');
    const saved = children.find((node) => node.kind === 'object' && node.entry.key === 'logs/run/f-14.yaml');
    assert.equal(saved?.kind === 'object' && saved.entry.size, 4321);
    await model.getChildren(store);
    assert.equal(requests.length, 0, 'nothing listed again');
    // An object no listing shows (a Save As to a new key) lists the folders on its path again.
    model.objectsChanged(created.id, 'logs/new/x.yaml', { size: 1 });
    await model.getChildren(store);
    assert.deepEqual(requests.map((request) => request.prefix), ['logs/']);
  });
});
