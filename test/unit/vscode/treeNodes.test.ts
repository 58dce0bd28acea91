import '../../support/vscodeStubInstalled';
import * as assert from 'node:assert/strict';
import type { ObjectStore } from '../../../src/core/objectStore';
import type { ObjectStoreSource } from '../../../src/core/ports';
import { contextValue } from '../../../src/vscode/explorer/contextValue';
import { treeItemFor } from '../../../src/vscode/explorer/treeItems';
import { fromUriParts } from '../../../src/vscode/fileSystem/objectAddress';
import { FolderNode, LoadMoreNode, ObjectNode, SourceNode, StoreNode } from '../../../src/vscode/explorer/nodes';

const source = { id: 'embedded', label: 'This computer' } as ObjectStoreSource;
const record = (flags: Partial<ObjectStore> = {}) => ({ id: 's1', name: 'robots', default: false, managed: false, disabled: false, read_only: false, ...flags }) as ObjectStore;

describe('tree nodes', () => {
  it('know their parents, up to the root', () => {
    const store = new StoreNode(undefined, source, record());
    const folder = new FolderNode(store, 'logs/run-1/', 'run-1/');
    const object = new ObjectNode(folder, { key: 'logs/run-1/a b.bag', name: 'a b.bag', size: 1 });
    assert.equal(object.parent, folder);
    assert.equal(folder.parent, store);
    assert.equal(store.parent, undefined);
    assert.equal(object.storeNode, store);
    assert.equal(new LoadMoreNode(folder).parent, folder);
  });

  it('give an object row its logqs: address (what a row dragged out of the view carries), not an address no file system serves', () => {
    const object = new ObjectNode(new FolderNode(new StoreNode(undefined, source, record()), 'logs/', 'logs/'), { key: 'logs/run 1/a b é.bag', name: 'a b é.bag', size: 1 });
    const uri = treeItemFor(object).resourceUri!;
    assert.equal(uri.scheme, 'logqs');
    assert.deepEqual(fromUriParts(uri), { sourceId: 'embedded', storeId: 's1', key: 'logs/run 1/a b é.bag' });
  });

  it('have ids made of their ancestry, unique per source, store and key', () => {
    const sourceNode = new SourceNode(source);
    const underSource = new StoreNode(sourceNode, source, record());
    const alone = new StoreNode(undefined, source, record());
    assert.equal(underSource.id, alone.id, 'a store keeps its id whether or not sources are shown');
    const folder = new FolderNode(alone, 'logs/', 'logs/');
    assert.equal(new ObjectNode(folder, { key: 'logs/x', name: 'x', size: 0 }).id, 'source:embedded/store:s1/object:logs/x');
    assert.equal(new LoadMoreNode(folder).id, 'source:embedded/store:s1/folder:logs//loadMore');
  });

  it('carry context values with the same read-only token on stores, folders and objects', () => {
    const readOnly = new StoreNode(undefined, source, record({ read_only: true, managed: true, default: true }));
    const folder = new FolderNode(readOnly, 'a/', 'a/');
    assert.equal(contextValue(readOnly), 'store managed default enabled readOnly');
    assert.equal(contextValue(folder), 'folder readOnly');
    assert.equal(contextValue(new ObjectNode(folder, { key: 'a/b', name: 'b', size: 0 })), 'object readOnly');
    const writable = new StoreNode(undefined, source, record({ disabled: true }));
    assert.equal(contextValue(writable), 'store editable notDefault disabled writable');
    assert.equal(contextValue(new StoreNode(undefined, source, record())), 'store editable notDefault enabled writable defaultable');
    assert.equal(contextValue(new FolderNode(writable, 'a/', 'a/')), 'folder writable');
  });
});
