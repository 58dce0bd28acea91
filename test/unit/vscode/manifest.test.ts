import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ObjectStore } from '../../../src/core/objectStore';
import type { ObjectStoreSource } from '../../../src/core/ports';
import { commandSpecs } from '../../../src/vscode/commands';
import { CONNECTED_CONTEXT_KEY, contextValue } from '../../../src/vscode/explorer/contextValue';
import { FolderNode, LoadMoreNode, MessageNode, ObjectNode, StoreNode, type TreeNode } from '../../../src/vscode/explorer/nodes';
import { fakeCommandDeps } from '../../support/fakeCommandDeps';

interface MenuEntry {
  command: string;
  when?: string;
  group?: string;
}

const manifest = JSON.parse(readFileSync(path.join(__dirname, '../../../../package.json'), 'utf8')) as {
  contributes: { commands: { command: string; title: string }[]; menus: Record<string, MenuEntry[]> };
};
const menus = manifest.contributes.menus;

/**
 * Whether a view/item/context `when` clause of this view shows its entry on a node (its viewItem regex against the
 * node's context value), in a selection of one row or, `multi`, of several.
 */
function shownOn(entry: MenuEntry, node: TreeNode, filter?: string, multi = false): boolean {
  const match = /^view == logqs\.objectStores && viewItem =~ \/(.+)\/( && (!?)listMultiSelection)?$/.exec(entry.when ?? '');
  assert.ok(match, `unexpected when clause ${entry.when}`);
  if (match[2] !== undefined && (match[3] === '!') === multi) {
    return false;
  }
  return new RegExp(match[1]).test(contextValue(node, filter));
}

const source = { id: 'embedded', label: 'This computer' } as ObjectStoreSource;
const store = (flags: Partial<ObjectStore> = {}) =>
  new StoreNode(undefined, source, { id: 's1', name: 'robots', default: false, managed: false, disabled: false, read_only: false, ...flags } as ObjectStore);

describe('package.json: Find Object, Filter and Clear Filter', () => {
  const entries = (command: string) => menus['view/item/context'].filter((entry) => entry.command === command && !entry.group?.startsWith('inline'));

  it('declares the commands, each registered by the extension', () => {
    const titles = new Map(manifest.contributes.commands.map((command) => [command.command, command.title]));
    assert.equal(titles.get('logqs.findObject'), 'Find Object…');
    assert.equal(titles.get('logqs.filterFolder'), 'Filter…');
    assert.equal(titles.get('logqs.clearFilter'), 'Clear Filter');
    const registered = commandSpecs(fakeCommandDeps([]).deps).map((spec) => spec.id);
    for (const id of ['logqs.findObject', 'logqs.filterFolder', 'logqs.clearFilter']) {
      assert.ok(registered.includes(id), id);
    }
  });

  it('offers Find Object in the palette and on the view\'s title bar, and hides the node-only commands from the palette', () => {
    const hidden = menus.commandPalette.filter((entry) => entry.when === 'false').map((entry) => entry.command);
    assert.ok(!hidden.includes('logqs.findObject'));
    assert.ok(hidden.includes('logqs.filterFolder'));
    assert.ok(hidden.includes('logqs.clearFilter'));
    assert.ok(menus['view/title'].some((entry) => entry.command === 'logqs.findObject' && entry.when === 'view == logqs.objectStores'));
  });

  it('offers Disconnect in the palette only while a LogQS DataStore is connected, the context key the extension sets', () => {
    assert.deepEqual(menus.commandPalette.filter((entry) => entry.command === 'logqs.disconnect'), [{ command: 'logqs.disconnect', when: CONNECTED_CONTEXT_KEY }]);
  });

  it('shows Find Object and Filter… on enabled stores and on folders, never on objects', () => {
    const folder = new FolderNode(store(), 'logs/a/', 'a/');
    const object = new ObjectNode(folder, { key: 'logs/a/x', name: 'x', size: 1 });
    for (const command of ['logqs.findObject', 'logqs.filterFolder']) {
      const on = (node: TreeNode) => entries(command).some((entry) => shownOn(entry, node));
      assert.equal(on(store()), true, command);
      assert.equal(on(store({ read_only: true, managed: true })), true, `${command} on a read-only store`);
      assert.equal(on(store({ disabled: true })), false, `${command} on a disabled store`);
      assert.equal(on(folder), true, command);
      assert.equal(on(object), false, command);
    }
  });

  it('shows Clear Filter only on a filtered store or folder, in the menu and inline', () => {
    const folder = new FolderNode(store(), 'logs/a/', 'a/');
    const clear = menus['view/item/context'].filter((entry) => entry.command === 'logqs.clearFilter');
    assert.deepEqual(clear.map((entry) => entry.group?.split('@')[0]).sort(), ['0_find', 'inline']);
    for (const entry of clear) {
      assert.equal(shownOn(entry, folder, 'run-'), true);
      assert.equal(shownOn(entry, store(), 'run-'), true);
      assert.equal(shownOn(entry, folder), false);
      assert.equal(shownOn(entry, store()), false);
    }
  });
});

describe('package.json: Set as Default', () => {
  const setDefault = menus['view/item/context'].filter((entry) => entry.command === 'logqs.setDefaultObjectStore');
  const dataStore = { id: 'logqs:https://api.logqs.com', label: 'LogQS', managedRecordsFixed: true } as ObjectStoreSource;
  const onDataStore = (flags: Partial<ObjectStore>) => new StoreNode(undefined, dataStore, { id: 's2', name: 'fleet', default: false, managed: false, disabled: false, read_only: false, ...flags } as ObjectStore);

  it('is offered where it can work: an enabled store that is not the default, a managed one on this computer, not on a DataStore, which keeps its record', () => {
    assert.equal(setDefault.length, 1);
    const [entry] = setDefault;
    assert.ok(shownOn(entry, store()));
    assert.ok(shownOn(entry, store({ managed: true })), 'this computer may make a managed store its default');
    assert.ok(shownOn(entry, onDataStore({})));
    assert.ok(!shownOn(entry, onDataStore({ managed: true })), 'LogQS refuses to change a managed store\'s record');
    assert.ok(!shownOn(entry, store({ default: true })));
    assert.ok(!shownOn(entry, store({ disabled: true })));
  });
});

describe('package.json: the menus of objects, folders and stores', () => {
  const DATA_PLANE = [
    'logqs.openObject',
    'logqs.download',
    'logqs.copyPresignedUrl',
    'logqs.copyS3Uri',
    'logqs.copyKey',
    'logqs.showObjectDetails',
    'logqs.uploadFiles',
    'logqs.uploadFolder',
    'logqs.newFolder',
    'logqs.deleteObjects',
  ];
  /** The data plane's commands a node shows, each entry apart: "(inline)" for an icon on its row, else in its right-click menu. */
  const shown = (node: TreeNode, multi = false) =>
    menus['view/item/context']
      .filter((entry) => DATA_PLANE.includes(entry.command) && shownOn(entry, node, undefined, multi))
      .map((entry) => (entry.group?.startsWith('inline') ? `${entry.command} (inline)` : entry.command))
      .sort();
  const nodesOf = (storeNode: StoreNode) => {
    const folder = new FolderNode(storeNode, 'logs/a/', 'a/');
    return { folder, object: new ObjectNode(folder, { key: 'logs/a/x', name: 'x', size: 1 }) };
  };
  const WRITES = ['logqs.deleteObjects', 'logqs.newFolder', 'logqs.uploadFiles', 'logqs.uploadFiles (inline)', 'logqs.uploadFolder'];

  it('offers an object every read, Download as an icon too, and Delete where its store is writable', () => {
    const reads = ['logqs.copyKey', 'logqs.copyPresignedUrl', 'logqs.copyS3Uri', 'logqs.download', 'logqs.download (inline)', 'logqs.openObject', 'logqs.showObjectDetails'];
    assert.deepEqual(shown(nodesOf(store()).object), [...reads, 'logqs.deleteObjects'].sort());
    assert.deepEqual(shown(nodesOf(store({ read_only: true })).object), reads);
  });

  it('offers a folder Download and the copies, and the writes (Upload Files as an icon too) only where its store is writable', () => {
    const reads = ['logqs.copyKey', 'logqs.copyS3Uri', 'logqs.download', 'logqs.download (inline)'];
    assert.deepEqual(shown(nodesOf(store()).folder), [...reads, ...WRITES].sort());
    assert.deepEqual(shown(nodesOf(store({ read_only: true })).folder), reads);
  });

  it('keeps Download, the copies and Delete for a selection of several rows that takes in a "Load more…" or message row, and Show Details for one row', () => {
    // A selection's menu holds only what each of its rows offers (VS Code 1.89 on): rows that are no object must not empty it.
    const { folder, object } = nodesOf(store());
    const menuOf = (rows: TreeNode[]) => {
      const [first, ...rest] = rows.map((row) => new Set(shown(row, true).filter((command) => !command.endsWith('(inline)'))));
      return [...first].filter((command) => rest.every((other) => other.has(command))).sort();
    };
    const rowsBeyond = [new LoadMoreNode(folder), new MessageNode(folder, 'No objects', false), new MessageNode(folder, 'Couldn\'t list', true)];
    const objects = [object, new ObjectNode(folder, { key: 'logs/a/y', name: 'y', size: 1 })];
    assert.deepEqual(menuOf([...objects, ...rowsBeyond]), ['logqs.copyKey', 'logqs.copyPresignedUrl', 'logqs.copyS3Uri', 'logqs.deleteObjects', 'logqs.download']);
    assert.deepEqual(menuOf([object, folder, ...rowsBeyond]), ['logqs.copyKey', 'logqs.copyS3Uri', 'logqs.deleteObjects', 'logqs.download']);
    assert.deepEqual(menuOf([nodesOf(store({ read_only: true })).object, ...rowsBeyond]), ['logqs.copyKey', 'logqs.copyPresignedUrl', 'logqs.copyS3Uri', 'logqs.download']);
    // Rows that are no object offer nothing by themselves, and Show Details, of one object, is not offered for several.
    assert.deepEqual(shown(new LoadMoreNode(folder)), []);
    assert.ok(shown(object).includes('logqs.showObjectDetails'));
    assert.ok(!shown(object, true).includes('logqs.showObjectDetails'));
  });

  it('offers a store Download, Copy S3 URI and the uploads (no Delete of objects), nothing of them when it is disabled', () => {
    const reads = ['logqs.copyS3Uri', 'logqs.download'];
    assert.deepEqual(shown(store()), [...reads, 'logqs.newFolder', 'logqs.uploadFiles', 'logqs.uploadFiles (inline)', 'logqs.uploadFolder'].sort());
    assert.deepEqual(shown(store({ read_only: true })), reads);
    assert.deepEqual(shown(store({ disabled: true })), []);
    assert.deepEqual(shown(store({ disabled: true, read_only: true })), []);
  });

  it('offers Upload on the Explorer\'s files and folders, Download into its folders only, and neither in the palette, where no file was clicked', () => {
    const explorer = new Map(menus['explorer/context'].map((entry) => [entry.command, entry.when]));
    // A remote window's Explorer (SSH, WSL, a container) names its files vscode-remote:, which the extension, running there, gets as file:.
    assert.equal(explorer.get('logqs.uploadFromExplorer'), 'resourceScheme =~ /^(file|vscode-remote)$/');
    assert.equal(explorer.get('logqs.downloadFromExplorer'), 'resourceScheme =~ /^(file|vscode-remote)$/ && explorerResourceIsFolder');
    const hidden = menus.commandPalette.filter((entry) => entry.when === 'false').map((entry) => entry.command);
    assert.ok(hidden.includes('logqs.uploadFromExplorer'));
    assert.ok(hidden.includes('logqs.downloadFromExplorer'));
    const registered = commandSpecs(fakeCommandDeps([]).deps).map((spec) => spec.id);
    for (const id of [...DATA_PLANE, 'logqs.uploadFromExplorer', 'logqs.downloadFromExplorer']) {
      assert.ok(registered.includes(id), `${id} is registered`);
      assert.ok(manifest.contributes.commands.some((command) => command.command === id), `${id} is declared`);
    }
  });
});
