import { vscodeStub } from '../../support/vscodeStubInstalled';
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ListPageRequest, ObjectGateway } from '../../../src/core/ports';
import { browseStore } from '../../../src/vscode/objectPicker';
import type { BrowseRequest } from '../../../src/vscode/ui';
import { code } from '../../support/assertions';
import { memoryGateway, memorySource, validInput } from '../../support/memoryPorts';

/** A quick pick as the browser drives it: items shown, and the person's accepts and hide. */
function fakeQuickPick() {
  const accepted = new vscode.EventEmitter<void>();
  const hidden = new vscode.EventEmitter<void>();
  const quickPick = {
    items: [] as readonly vscode.QuickPickItem[],
    selectedItems: [] as readonly vscode.QuickPickItem[],
    title: '',
    placeholder: '',
    value: '',
    busy: false,
    ignoreFocusOut: false,
    matchOnDescription: false,
    onDidAccept: accepted.event,
    onDidHide: hidden.event,
    show: () => undefined,
    dispose: () => undefined,
  };
  const labels = () => quickPick.items.map((item) => item.label);
  const accept = (label: string) => {
    const item = quickPick.items.find((candidate) => candidate.label === label);
    assert.ok(item, `"${label}" is not among ${JSON.stringify(labels())}`);
    quickPick.selectedItems = [item];
    accepted.fire();
  };
  return { quickPick, labels, accept, hide: () => hidden.fire() };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Browses a store of `keys` in memory, `pageSize` keys a page (1 by default), in the fake quick pick, for an object
 * (or what `request` wants); `gateway` may be changed before the first page.
 */
async function browsing(keys: string[], shape: (gateway: ObjectGateway) => void = () => undefined, request: BrowseRequest = { title: 'Download', want: 'object' }, pageSize = 1) {
  vscodeStub.settings['logqs.objectListing.pageSize'] = pageSize;
  const { gateway, requests } = memoryGateway(keys);
  shape(gateway);
  const { source } = memorySource({ gateways: () => gateway });
  const store = await source.create(validInput());
  const picker = fakeQuickPick();
  (vscode.window as unknown as { createQuickPick: () => unknown }).createQuickPick = () => picker.quickPick;
  const picked = browseStore({ source, store }, request);
  await settled();
  return { picker, picked, requests };
}

describe('object picker', () => {
  afterEach(() => {
    delete vscodeStub.settings['logqs.objectListing.pageSize'];
  });

  it('shows the folder the person opened, even when a page of the folder before arrives after it', async () => {
    const keys = ['a/1.txt', 'b/2.txt'];
    // The second page of the store's root (Load more…) waits until the test lets it go.
    let releaseRootPage: () => void = () => undefined;
    const listed = memoryGateway(keys).gateway;
    const { picker, picked } = await browsing(keys, (gateway) => {
      gateway.listPage = async (request: ListPageRequest) => {
        if (request.prefix === '' && request.continuationToken) {
          await new Promise<void>((resolve) => (releaseRootPage = resolve));
        }
        return listed.listPage(request);
      };
    });
    picker.accept('$(ellipsis) Load more…');
    picker.accept('$(folder) a/');
    await settled();
    assert.deepEqual(picker.labels(), ['$(arrow-up) ..', '$(file) 1.txt']);
    releaseRootPage();
    await settled();

    assert.deepEqual(picker.labels(), ['$(arrow-up) ..', '$(file) 1.txt'], 'the root\'s late page is not drawn in folder a/');
    assert.equal(picker.quickPick.busy, false);
    picker.accept('$(file) 1.txt');
    assert.deepEqual(await picked, { kind: 'object', key: 'a/1.txt' });
  });

  it('asks for the next page once however often Load more… is pressed while it comes', async () => {
    const { picker, picked, requests } = await browsing(['1.txt', '2.txt', '3.txt']);
    picker.accept('$(ellipsis) Load more…');
    picker.accept('$(ellipsis) Load more…');
    await settled();

    assert.deepEqual(picker.labels(), ['$(file) 1.txt', '$(file) 2.txt', '$(ellipsis) Load more…']);
    assert.equal(requests.length, 2);
    picker.hide();
    await assert.rejects(picked, code('cancelled'));
  });

  it('keeps what it loaded when Load more… fails, and asks again from the error\'s item', async () => {
    const keys = ['1.txt', '2.txt', '3.txt'];
    let failNext = false;
    const listed = memoryGateway(keys).gateway;
    const { picker, picked } = await browsing(keys, (gateway) => {
      gateway.listPage = async (request: ListPageRequest) => {
        if (failNext) {
          failNext = false;
          throw new Error('connection reset');
        }
        return listed.listPage(request);
      };
    });
    failNext = true;
    picker.accept('$(ellipsis) Load more…');
    await settled();
    assert.equal(picker.labels()[0], '$(file) 1.txt', 'the first page is still there');
    const error = picker.quickPick.items.at(-1);
    assert.match(error?.label ?? '', /^\$\(error\) /);
    picker.accept(error?.label ?? '');
    await settled();
    assert.deepEqual(picker.labels(), ['$(file) 1.txt', '$(file) 2.txt', '$(ellipsis) Load more…']);
    picker.hide();
    await assert.rejects(picked, code('cancelled'));
  });

  it('always shows the way on (choose, up, Load more…), whatever is typed to filter the names loaded', async () => {
    const { picker, picked } = await browsing(['a/1.txt', 'a/2.txt', 'a/b/3.txt'], undefined, { title: 'Upload', want: 'folder' });
    picker.accept('$(folder) a/');
    await settled();
    const shown = picker.quickPick.items;
    assert.deepEqual(shown.filter((item) => item.alwaysShow).map((item) => item.label), ['$(check) Choose this folder', '$(arrow-up) ..', '$(ellipsis) Load more…']);
    picker.hide();
    await assert.rejects(picked, code('cancelled'));
  });

  it('says "No folders here" where only folders are wanted and the folder holds objects only', async () => {
    const { picker, picked } = await browsing(['a/1.txt'], undefined, { title: 'Upload', want: 'folder' }, 10);
    picker.accept('$(folder) a/');
    await settled();
    assert.deepEqual(picker.labels(), ['$(check) Choose this folder', '$(arrow-up) ..', 'No folders here']);
    picker.hide();
    await assert.rejects(picked, code('cancelled'));
  });
});
