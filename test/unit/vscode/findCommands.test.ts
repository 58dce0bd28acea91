import * as assert from 'node:assert/strict';
import { MORE_RESULTS, clearFilter, filterFolder, findObject } from '../../../src/vscode/commands/findCommands';
import { FolderNode, StoreNode } from '../../../src/vscode/explorer/nodes';
import { code } from '../../support/assertions';
import { fakeCommandDeps } from '../../support/fakeCommandDeps';
import { memoryGateway, memorySource, validInput } from '../../support/memoryPorts';

const KEYS = [
  'logs/readme.txt',
  'logs/run-1/robot.bag',
  'logs/run-1/camera.mcap',
  'logs/run-2/lidar.mcap',
  ...Array.from({ length: 150 }, (_, index) => `logs/many/file-${String(index).padStart(3, '0')}.bin`),
  'logsmith/outside.bag',
  'other/run-9.bag',
];

/** Find Object…, Filter… and Clear Filter run with a scripted Ui over keys in memory (the real listing code in between). */
describe('find and filter commands', () => {
  async function setup() {
    const { gateway, requests } = memoryGateway(KEYS);
    const { source } = memorySource({ gateways: () => gateway });
    const store = await source.create(validInput({ name: 'robots', key_prefix: 'logs/' }));
    await source.create(validInput({ name: 'off', disabled: true }));
    const fake = fakeCommandDeps([source]);
    const storeNode = new StoreNode(undefined, source, store);
    const folder = new FolderNode(storeNode, 'logs/many/', 'many/');
    return { ...fake, source, store, storeNode, folder, requests, prefixes: () => requests.map((request) => request.prefix) };
  }

  it('lists the clicked folder at once, narrows it on the server as the person types, and reveals and acts on the object picked', async () => {
    const { deps, ui, calls, folder, prefixes } = await setup();
    const running = findObject(deps)(folder);
    const pick = ui.livePicks[0];
    assert.ok(pick, 'a live pick is open');
    const first = await pick.itemsWhere((labels) => labels.length > 0);
    assert.equal(first.length, 101, 'one page of 100, then "More results…"');
    assert.equal(first.at(-1), MORE_RESULTS);
    pick.type('file-14');
    const narrowed = await pick.itemsWhere((labels) => labels.length === 10);
    assert.deepEqual(narrowed.slice(0, 2), ['$(file) file-140.bin', '$(file) file-141.bin']);
    assert.deepEqual(prefixes(), ['logs/many/', 'logs/many/file-14']);
    ui.pickLabel = 'Copy Presigned URL';
    pick.accept('file-142.bin');
    await running;
    assert.ok(calls.includes('revealKey logs/many/file-142.bin (loading pages)'), calls.join('\n'));
    assert.match(ui.asked.find((line) => line.startsWith('pickOne')) ?? '', /logs\/many\/file-142.bin: Open \| Download… \| Copy Presigned URL/);
    assert.deepEqual(ui.clipboard, ['http://s3/logs/many/file-142.bin?X-Amz-Expires=3600']);
  });

  it('never shows the results of text typed before the last keystroke', async () => {
    const { deps, ui, folder } = await setup();
    const running = findObject(deps)(folder);
    const pick = ui.livePicks[0];
    await pick.itemsWhere((labels) => labels.length > 0);
    const before = pick.shown.length;
    for (const text of ['file-0', 'file-00', 'file-1', 'file-13']) {
      pick.type(text);
    }
    await pick.itemsWhere((labels) => labels[0] === '$(file) file-130.bin');
    // Give the answers to the earlier texts, had they been asked for, time to arrive.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const after = pick.shown.slice(before);
    assert.equal(after.length, 1, `only the last text's results are shown: ${JSON.stringify(after.map((labels) => labels[0]))}`);
    assert.ok(after[0].every((label) => label.startsWith('$(file) file-13')), JSON.stringify(after[0]));
    pick.hide();
    await assert.rejects(running, code('cancelled'));
  });

  it('takes Enter on a list that still answers older text (a key pasted, Enter pressed at once) as "search this now", not as a pick', async () => {
    const { deps, ui, folder, prefixes } = await setup();
    const running = findObject(deps)(folder);
    const pick = ui.livePicks[0];
    await pick.itemsWhere((labels) => labels.length > 0);
    pick.type('file-149');
    assert.equal(pick.busy, true, 'busy from the keystroke');
    pick.accept('file-000.bin');
    assert.deepEqual(await pick.itemsWhere((labels) => labels.length === 1), ['$(file) file-149.bin']);
    assert.deepEqual(prefixes(), ['logs/many/', 'logs/many/file-149'], 'searched at once, without waiting for the pause');
    ui.pickLabel = 'Copy Presigned URL';
    pick.accept('file-149.bin');
    await running;
    assert.deepEqual(ui.clipboard, ['http://s3/logs/many/file-149.bin?X-Amz-Expires=3600']);
  });

  it('opens a folder picked in the list as a narrower search, and pages with "More results…"', async () => {
    const { deps, ui, storeNode, prefixes } = await setup();
    const running = findObject(deps)(storeNode);
    const pick = ui.livePicks[0];
    const root = await pick.itemsWhere((labels) => labels.length > 0);
    assert.deepEqual(root, ['$(folder) many/', '$(folder) run-1/', '$(folder) run-2/', '$(file) readme.txt']);
    pick.accept('many/');
    assert.equal(pick.value, 'many/');
    await pick.itemsWhere((labels) => labels.length === 101);
    pick.accept(MORE_RESULTS);
    const all = await pick.itemsWhere((labels) => labels.length === 150);
    assert.equal(all.at(-1), '$(file) many/file-149.bin');
    assert.deepEqual(prefixes(), ['logs/', 'logs/many/', 'logs/many/']);
    pick.hide();
    await assert.rejects(running, code('cancelled'));
  });

  it('opens a folder picked in the list that is named like the key prefix ("logs/logs/" in "logs/") as that folder, not the root again', async () => {
    const { gateway, requests } = memoryGateway(['logs/logs/deep.bag', 'logs/top.bin']);
    const { source } = memorySource({ gateways: () => gateway });
    const store = await source.create(validInput({ name: 'robots', key_prefix: 'logs/' }));
    const { deps, ui } = fakeCommandDeps([source]);
    const running = findObject(deps)(new StoreNode(undefined, source, store));
    const pick = ui.livePicks[0];
    assert.deepEqual(await pick.itemsWhere((labels) => labels.length > 0), ['$(folder) logs/', '$(file) top.bin']);
    pick.accept('logs/');
    assert.deepEqual(await pick.itemsWhere(() => pick.shown.length === 2), ['$(file) logs/deep.bag']);
    assert.deepEqual(
      requests.map((request) => request.prefix),
      ['logs/', 'logs/logs/'],
    );
    pick.hide();
    await assert.rejects(running, code('cancelled'));
  });

  it('finds nothing outside the key prefix: a typed "../" is refused before any request', async () => {
    const { deps, ui, storeNode, prefixes } = await setup();
    const running = findObject(deps)(storeNode);
    const pick = ui.livePicks[0];
    await pick.itemsWhere((labels) => labels.length > 0);
    pick.type('../other/');
    const [message] = await pick.itemsWhere((labels) => labels[0]?.startsWith('$(error)') ?? false);
    assert.match(message, /"\.\." segments/);
    pick.type('smith');
    assert.deepEqual(await pick.itemsWhere((labels) => labels[0] === 'No keys start with this'), ['No keys start with this']);
    assert.deepEqual(prefixes(), ['logs/', 'logs/smith'], 'no request for "../other/"');
    pick.hide();
    await assert.rejects(running, code('cancelled'));
  });

  it('from the palette, offers enabled stores only and searches the one picked from its key prefix', async () => {
    const { deps, ui, calls } = await setup();
    ui.pickLabel = 'robots';
    const running = findObject(deps)();
    await new Promise((resolve) => setImmediate(resolve));
    assert.match(ui.asked[0], /^pickStore: Find Object: in which object store\?: robots$/);
    const pick = ui.livePicks[0];
    await pick.itemsWhere((labels) => labels.includes('$(file) readme.txt'));
    ui.pickLabel = 'Open';
    pick.accept('readme.txt');
    await running;
    assert.ok(calls.includes('revealKey logs/readme.txt (loading pages)'));
    assert.equal(ui.asked.filter((line) => line.startsWith('pickOne')).length, 1);
  });

  it('still acts on the object picked, and keeps a dismissed choice quiet, when the tree fails to reveal it', async () => {
    const { deps, ui, info, folder } = await setup();
    // Revealing loads the tree's later pages: one of them failing (the server gone, say) is the tree's problem, not the find's.
    deps.editor.revealKey = async () => {
      throw new Error('page 2 could not be listed');
    };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.prependListener('unhandledRejection', onUnhandled);
    try {
      const running = findObject(deps)(folder);
      const pick = ui.livePicks[0];
      await pick.itemsWhere((labels) => labels.length > 0);
      ui.pickLabel = 'Copy Presigned URL';
      pick.accept('file-042.bin');
      await running;
      assert.deepEqual(ui.clipboard, ['http://s3/logs/many/file-042.bin?X-Amz-Expires=3600']);
      assert.ok(info.some((line) => line.includes('page 2 could not be listed')), info.join('\n'));

      const dismissed = findObject(deps)(folder);
      const second = ui.livePicks[1];
      await second.itemsWhere((labels) => labels.length > 0);
      ui.pickLabel = undefined;
      second.accept('file-042.bin');
      await assert.rejects(dismissed, code('cancelled'));
      await new Promise((resolve) => setTimeout(resolve, 10));
      assert.deepEqual(unhandled, []);
    } finally {
      process.removeListener('unhandledRejection', onUnhandled);
    }
  });

  it('filters a folder with what the person types (validated), opens it, and Clear Filter drops the filter', async () => {
    const { deps, ui, calls, folder, state } = await setup();
    ui.textAnswer = 'file-1';
    await filterFolder(deps)(folder);
    assert.deepEqual(calls, [`tree.setFilter ${folder.id} "file-1"`, `expand ${folder.id}`]);
    ui.textAnswer = 'a/b';
    await assert.rejects(filterFolder(deps)(folder), /refuses "a\/b"/);
    assert.equal(state.filters.get(folder.id), 'file-1', 'a refused filter changes nothing');
    await clearFilter(deps)(folder);
    assert.equal(calls.at(-1), `tree.setFilter ${folder.id} ""`);
    await assert.rejects(filterFolder(deps)({ id: 'x' }), code('invalid-input'));
  });
});
