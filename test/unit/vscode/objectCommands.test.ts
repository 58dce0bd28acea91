import * as assert from 'node:assert/strict';
import { deleteObjects, newFolder } from '../../../src/vscode/commands/editCommands';
import { copyKey, copyPresignedUrl, copyS3Uri, openObject, showObjectDetails } from '../../../src/vscode/commands/objectCommands';
import { download, downloadFromExplorer, upload, uploadDropped, uploadFromExplorer } from '../../../src/vscode/commands/transferCommands';
import { FolderNode, LoadMoreNode, MessageNode, ObjectNode, StoreNode } from '../../../src/vscode/explorer/nodes';
import { code } from '../../support/assertions';
import { fakeCommandDeps } from '../../support/fakeCommandDeps';
import { memorySource, validInput } from '../../support/memoryPorts';

/** The object commands as functions of their dependencies: what they ask, what they call, in which order. */
describe('object commands', () => {
  async function setup(storeOverrides: Record<string, unknown> = {}) {
    const { source } = memorySource();
    const store = await source.create(validInput({ key_prefix: 'logs/', ...storeOverrides }));
    const fake = fakeCommandDeps([source]);
    const storeNode = new StoreNode(undefined, source, store);
    const folder = new FolderNode(storeNode, 'logs/run 1/', 'run 1/');
    const object = (key: string, size = 10) => new ObjectNode(folder, { key, name: key.slice(key.lastIndexOf('/') + 1), size });
    return { ...fake, source, store, storeNode, folder, object };
  }

  it('opens a small object at once, through its logqs: address', async () => {
    const { deps, opened, object, ui, source, store } = await setup();
    await openObject(deps)(object('logs/run 1/notes é.txt', 99));
    // One object, as a click opens it: in the preview tab.
    assert.deepEqual(opened, [{ address: { sourceId: source.id, storeId: store.id, key: 'logs/run 1/notes é.txt' }, large: false, preview: true }]);
    assert.deepEqual(ui.asked, []);
  });

  it('opens a scripted key given without the key prefix at its full key, as the seed says keys are scoped', async () => {
    const { deps, opened, source, store } = await setup();
    await openObject(deps)({ id: store.id, key: 'run 1/notes.txt' });
    assert.deepEqual(opened.map((entry) => entry.address), [{ sourceId: source.id, storeId: store.id, key: 'logs/run 1/notes.txt' }]);
  });

  it('refuses a scripted key of the wrong kind before asking anything, instead of gluing an upload onto an object\'s key', async () => {
    const { deps, ui, calls, opened, store } = await setup();
    ui.localPaths = ['/tmp/up/a.txt'];
    ui.textAnswer = 'new';
    await assert.rejects(upload(false)(deps)({ id: store.id, key: 'run 1/notes.txt' }), code('invalid-input'));
    await assert.rejects(newFolder(deps)({ id: store.id, key: 'run 1/notes.txt' }), code('invalid-input'));
    await assert.rejects(openObject(deps)({ id: store.id, key: 'run 1/' }), code('invalid-input'));
    await assert.rejects(openObject(deps)({ id: store.id }), code('invalid-input'));
    assert.deepEqual(ui.asked, []);
    assert.deepEqual(opened, []);
    assert.deepEqual(calls, []);
  });

  it('asks before opening an object above the limit, and can download it instead', async () => {
    const { deps, opened, object, ui, calls } = await setup();
    ui.chooseAnswer = 'Open Anyway';
    await openObject(deps)(object('logs/run 1/big.mcap', 101));
    assert.deepEqual(opened.map((entry) => entry.large), [true]);
    assert.match(ui.asked[0], /is 101 B, more than the 100 B/);

    ui.chooseAnswer = 'Download…';
    ui.localFolder = '/tmp/x';
    ui.conflictAnswer = 'skip';
    await openObject(deps)(object('logs/run 1/big.mcap', 101));
    assert.equal(opened.length, 1, 'not opened a second time');
    assert.ok(calls.includes('download keys=logs/run 1/big.mcap prefixes= into /tmp/x'), calls.join('\n'));
  });

  it('copies a presigned URL with the expiry setting, and never logs it', async () => {
    const { deps, object, ui, calls, info } = await setup();
    await copyPresignedUrl(deps)(object('logs/run 1/a.bag'));
    assert.deepEqual(ui.clipboard, ['http://s3/logs/run 1/a.bag?X-Amz-Expires=3600']);
    assert.ok(calls.includes('presignedUrl logs/run 1/a.bag 3600'));
    assert.ok(!info.some((line) => line.includes('http://')), info.join('\n'));
  });

  it('copies a presigned URL of each selected object, one a line (folders in the selection have none)', async () => {
    const { deps, object, folder, ui, info } = await setup();
    const [a, b] = [object('logs/run 1/a.bag'), object('logs/run 1/b é.bag')];
    await copyPresignedUrl(deps)(a, [a, b, folder]);
    assert.deepEqual(ui.clipboard, ['http://s3/logs/run 1/a.bag?X-Amz-Expires=3600\nhttp://s3/logs/run 1/b é.bag?X-Amz-Expires=3600']);
    assert.match(info.at(-1) ?? '', /^Copied 2 presigned URLs, one a line\b/);
  });

  it('copies the S3 URI and the key of objects and folders', async () => {
    const { deps, object, folder, ui, store } = await setup();
    await copyS3Uri(deps)(object('logs/run 1/a b+é.bag'));
    await copyS3Uri(deps)(folder);
    await copyKey(deps)(object('logs/run 1/a b+é.bag'));
    await copyKey(deps)(folder);
    assert.deepEqual(ui.clipboard, [`s3://${store.bucket_name}/logs/run 1/a b+é.bag`, `s3://${store.bucket_name}/logs/run 1/`, 'logs/run 1/a b+é.bag', 'logs/run 1/']);
    // Each copy says what it copied, in passing.
    assert.deepEqual(
      ui.told.filter((line) => line.startsWith('status: ')),
      [`status: Copied S3 URI: s3://${store.bucket_name}/logs/run 1/a b+é.bag`, `status: Copied S3 URI: s3://${store.bucket_name}/logs/run 1/`, 'status: Copied key: logs/run 1/a b+é.bag', 'status: Copied key: logs/run 1/'],
    );
  });

  it('refuses Copy Key on the root of a store without a key_prefix (an empty clipboard), and copies the key_prefix of one that has it', async () => {
    const { deps, ui, storeNode } = await setup({ key_prefix: null });
    await assert.rejects(copyKey(deps)(storeNode), (error: unknown) => code('invalid-input')(error) && /has no key to copy; Copy S3 URI/.test((error as Error).message));
    assert.deepEqual(ui.clipboard, []);
    const prefixed = await setup({ name: 'prefixed' });
    await copyKey(prefixed.deps)(prefixed.storeNode);
    assert.deepEqual(prefixed.ui.clipboard, ['logs/']);
  });

  it('copies one line a target for a selection, and opens each selected object in a tab', async () => {
    const { deps, object, folder, ui, opened } = await setup();
    const [a, b] = [object('logs/run 1/a.bag'), object('logs/run 1/b.bag')];
    await copyKey(deps)(a, [a, b, folder]);
    assert.deepEqual(ui.clipboard, ['logs/run 1/a.bag\nlogs/run 1/b.bag\nlogs/run 1/']);
    assert.equal(ui.told.at(-1), 'status: Copied 3 keys, one a line');
    await openObject(deps)(b, [a, b, folder]);
    assert.deepEqual(opened.map((entry) => entry.address.key), ['logs/run 1/a.bag', 'logs/run 1/b.bag']);
    // Not in the preview tab, which each next preview would take over: only the last would stay open.
    assert.deepEqual(opened.map((entry) => entry.preview), [false, false]);
  });

  it('shows size, ETag, content type and user metadata', async () => {
    const { deps, object, ui } = await setup();
    await showObjectDetails(deps)(object('logs/run 1/a.bag'));
    const rows = Object.fromEntries(ui.details[0].rows);
    assert.equal(ui.details[0].title, 'a.bag');
    assert.equal(rows.ETag, '"e"');
    assert.equal(rows['Metadata robot'], 'r2');
    assert.match(rows.Size, /10 bytes/);
  });

  it('downloads the whole selection (objects and folders) into the folder picked, conflicts asked through the Ui', async () => {
    const { deps, object, folder, ui, calls } = await setup();
    ui.localFolder = '/tmp/x';
    ui.conflictAnswer = 'keepBoth';
    const a = object('logs/a.bag');
    await download(deps)(a, [a, folder]);
    assert.ok(calls.includes('download keys=logs/a.bag prefixes=logs/run 1/ into /tmp/x'), calls.join('\n'));
    assert.ok(ui.asked.includes('askConflict: /tmp/x/a.bag'));
    assert.match(ui.told.at(-1) ?? '', /^info: Downloaded 1 file \(3 B\)/);
    // Not revealed at once, which would take the sidebar from the Object Stores view at each download: offered.
    assert.ok(!calls.includes('revealLocalFile /tmp/x/a.bag'));
    const reveal = ui.actions.find((action) => action.label === 'Reveal in Explorer');
    assert.ok(reveal, ui.actions.map((action) => action.label).join());
    await reveal.run();
    assert.ok(calls.includes('revealLocalFile /tmp/x/a.bag'));
  });

  it('asks once what to do with existing files for a selection that spans stores (a job each)', async () => {
    const { deps, source, object, ui, calls } = await setup();
    const otherStore = await source.create(validInput({ name: 'other', key_prefix: 'logs/' }));
    const other = new ObjectNode(new StoreNode(undefined, source, otherStore), { key: 'logs/b.bag', name: 'b.bag', size: 1 });
    ui.localFolder = '/tmp/x';
    ui.conflictAnswer = 'skip';
    const a = object('logs/run 1/a.bag');
    await download(deps)(a, [a, other]);
    assert.equal(calls.filter((call) => call.startsWith('download ')).length, 2, calls.join('\n'));
    assert.deepEqual(
      ui.asked.filter((question) => question.startsWith('askConflict')),
      ['askConflict: /tmp/x/a.bag'],
    );
  });

  it('downloads from the palette by picking a store and browsing it', async () => {
    const { deps, ui, calls, store } = await setup();
    ui.pickLabel = store.name;
    ui.browseAnswer = { kind: 'folder', key: 'logs/run 1/' };
    ui.localFolder = '/tmp/y';
    ui.conflictAnswer = 'overwrite';
    await download(deps)();
    assert.ok(ui.asked.some((question) => question.startsWith('browseStore: Download: robots (either)')), ui.asked.join('\n'));
    assert.ok(calls.includes('download keys= prefixes=logs/run 1/ into /tmp/y'));
  });

  it('uploads local files under the clicked folder, then re-lists the store and selects the result', async () => {
    const { deps, folder, ui, calls, store } = await setup();
    ui.localPaths = ['/home/me/a.txt'];
    ui.conflictAnswer = 'skip';
    await upload(false)(deps)(folder);
    assert.deepEqual(calls.filter((call) => !call.startsWith('job')), [
      'upload /home/me/a.txt to logs/run 1/',
      `tree.objectsChanged ${store.id}`,
      'revealKey logs/up/a.txt',
    ]);
  });

  /** The Explorer's commands' stores: a read-only one (under "logs/"), a disabled one and a writable one. */
  async function storesOfEachKind() {
    const { source } = memorySource();
    await source.create(validInput({ name: 'ro', read_only: true, key_prefix: 'logs/' }));
    await source.create(validInput({ name: 'off', disabled: true }));
    await source.create(validInput({ name: 'rw' }));
    return fakeCommandDeps([source]);
  }

  it('offers only writable, enabled stores for an upload from the Explorer', async () => {
    const { deps, ui, calls } = await storesOfEachKind();
    ui.pickLabel = 'rw';
    ui.browseAnswer = { kind: 'folder', key: '' };
    ui.conflictAnswer = 'overwrite';
    await uploadFromExplorer(deps)({ scheme: 'file', fsPath: '/w/a.txt' }, [{ scheme: 'file', fsPath: '/w/a.txt' }, { scheme: 'file', fsPath: '/w/dir' }]);
    assert.ok(ui.asked.includes('pickStore: Upload 2 items to which object store?: rw'), ui.asked.join('\n'));
    assert.ok(calls.includes('upload /w/a.txt,/w/dir to '));
  });

  it('downloads from the Explorer into the clicked folder: enabled stores offered, read-only ones too, the item browsed to', async () => {
    const { deps, ui, calls } = await storesOfEachKind();
    ui.pickLabel = 'ro';
    ui.browseAnswer = { kind: 'folder', key: 'logs/run 1/' };
    ui.conflictAnswer = 'overwrite';
    await downloadFromExplorer(deps)({ scheme: 'file', fsPath: '/w/data dir' });
    assert.ok(ui.asked.includes('pickStore: Download from which object store?: ro, rw'), ui.asked.join('\n'));
    assert.ok(ui.asked.includes('browseStore: Download into data dir: ro (either)'), ui.asked.join('\n'));
    assert.ok(!ui.asked.some((question) => question.startsWith('pickLocalFolder')), 'the clicked folder is where it goes: no folder is asked for');
    assert.ok(calls.includes('download keys= prefixes=logs/run 1/ into /w/data dir'), calls.join('\n'));

    ui.browseAnswer = { kind: 'object', key: 'logs/run 1/a.bag' };
    await downloadFromExplorer(deps)({ scheme: 'file', fsPath: '/w/data dir' });
    assert.ok(calls.includes('download keys=logs/run 1/a.bag prefixes= into /w/data dir'), calls.join('\n'));
    // Asked for from the Explorer, what came is shown there at once.
    assert.ok(calls.includes('revealLocalFile /tmp/x/a.bag'), calls.join('\n'));
    assert.ok(!ui.actions.some((action) => action.label === 'Reveal in Explorer'));
  });

  it('refuses an Explorer download into something not on this computer before asking anything', async () => {
    const { deps, ui, calls } = await setup();
    await assert.rejects(downloadFromExplorer(deps)({ scheme: 'vscode-remote', fsPath: '/x' }), code('invalid-input'));
    assert.deepEqual(ui.asked, []);
    assert.deepEqual(calls, []);
  });

  it('refuses an Explorer upload of nothing on this computer', async () => {
    const { deps } = await setup();
    await assert.rejects(uploadFromExplorer(deps)({ scheme: 'vscode-remote', fsPath: '/x' }, undefined), code('invalid-input'));
  });

  it('makes a folder with a valid name only', async () => {
    const { deps, folder, ui, calls } = await setup();
    ui.textAnswer = 'a/b';
    await assert.rejects(newFolder(deps)(folder), /must not contain "\/"/);
    ui.textAnswer = 'run 2';
    await newFolder(deps)(folder);
    assert.ok(calls.includes('createFolder logs/run 1/run 2/'));
    assert.ok(calls.includes('revealKey logs/run 1/run 2/'));
    assert.ok(ui.told.includes('info: Created the folder "logs/run 1/run 2/" in "robots".'), ui.told.join('\n'));
    ui.textAnswer = '  run 3 ';
    await newFolder(deps)(folder);
    assert.ok(calls.includes('createFolder logs/run 1/run 3/'), 'spaces typed around the name are dropped');
  });

  it('says a folder made, not a failure, when the view can\'t show it (listed again meanwhile), and logs why', async () => {
    const { deps, folder, ui, info } = await setup();
    deps.editor.revealKey = () => Promise.reject(new Error('Cannot resolve tree item'));
    ui.textAnswer = 'run 2';
    await newFolder(deps)(folder);
    assert.ok(ui.told.includes('info: Created the folder "logs/run 1/run 2/" in "robots".'), ui.told.join('\n'));
    assert.ok(info.some((line) => /New Folder couldn't show "logs\/run 1\/run 2\/" in the Object Stores view.*Cannot resolve tree item/.test(line)), info.join('\n'));
  });

  it('says how many objects a delete removes, folders counted, and deletes nothing when not confirmed', async () => {
    const { deps, folder, object, ui, calls, state } = await setup();
    state.counts.set('logs/run 1/', 41);
    const a = object('logs/a.bag');
    ui.confirmAnswer = false;
    await deleteObjects(deps)(a, [a, folder]);
    assert.match(ui.asked.at(-1) ?? '', /Delete 42 objects \(including everything in "logs\/run 1\/"\) from "robots"\?/);
    assert.ok(!calls.some((call) => call.startsWith('delete')), calls.join('\n'));
    ui.confirmAnswer = true;
    await deleteObjects(deps)(a, [a, folder]);
    assert.ok(calls.includes('deleteObjects logs/a.bag') && calls.includes('deleteFolder logs/run 1/'));
    assert.equal(ui.told.at(-1), 'info: Deleted 42 objects from "robots".');
  });

  it('counts an object once when the selection holds it and the folder it is in (the folder expanded, both selected)', async () => {
    const { deps, folder, object, ui, calls, state } = await setup();
    state.counts.set('logs/run 1/', 42);
    const inside = object('logs/run 1/a.bag');
    const nested = new FolderNode(folder, 'logs/run 1/sub/', 'sub/');
    await deleteObjects(deps)(inside, [folder, inside, nested]);
    assert.match(ui.asked.at(-1) ?? '', /^confirm: Delete 42 objects \(including everything in "logs\/run 1\/"\) from "robots"\?/);
    assert.deepEqual(calls.filter((call) => call.startsWith('countUnder') || call.startsWith('delete')), ['countUnder logs/run 1/', 'deleteObjects ', 'deleteFolder logs/run 1/']);
    assert.equal(ui.told.at(-1), 'info: Deleted 42 objects from "robots".');
  });

  it('refuses a command given only "Load more…" or message rows, rather than asking for a store as the palette does', async () => {
    const { deps, folder, ui } = await setup();
    const more = new LoadMoreNode(folder);
    const message = new MessageNode(folder, 'No objects', false);
    await assert.rejects(download(deps)(more, [more, message]), /^LogqsError: Download works on objects and folders: select some$/);
    await assert.rejects(deleteObjects(deps)(message, undefined), /Delete works on objects and folders/);
    await assert.rejects(newFolder(deps)(more), /^LogqsError: New Folder works on stores and folders: select one$/);
    assert.deepEqual(ui.asked, []);
  });

  it('asks nothing, and deletes nothing, for a folder that holds no object by the time it is counted', async () => {
    const { deps, folder, ui, calls, state } = await setup();
    await deleteObjects(deps)(folder);
    assert.ok(!ui.asked.some((question) => question.startsWith('confirm')), ui.asked.join('\n'));
    assert.ok(!calls.some((call) => call.startsWith('delete')), calls.join('\n'));
    assert.equal(ui.told.at(-1), 'info: Nothing to delete from "robots": "logs/run 1/" holds no object now.');
    // Filtered, the folder may hold objects its filter doesn't show: said so.
    state.filters.set(folder.id, '2023');
    await deleteObjects(deps)(folder);
    assert.equal(ui.told.at(-1), 'info: Nothing to delete from "robots": the filter of "logs/run 1/" shows no object now.');
  });

  it('says how many objects a folder held when deleted, when more came in after they were counted', async () => {
    const { deps, folder, ui, state } = await setup();
    state.counts.set('logs/run 1/', 10);
    state.countsWhenDeleted.set('logs/run 1/', 50);
    await deleteObjects(deps)(folder);
    assert.match(ui.asked.at(-1) ?? '', /^confirm: Delete 10 objects/);
    assert.equal(ui.told.at(-1), 'info: Deleted 50 objects from "robots" (40 more than counted: they came in the meantime).');
  });

  it('deletes only what a filtered folder shows, and says so; an object the filter hides, selected too, goes by itself', async () => {
    const { deps, folder, object, ui, calls, state } = await setup();
    state.filters.set(folder.id, '2023');
    state.counts.set('logs/run 1/', 5000);
    state.counts.set('logs/run 1/2023', 7);
    const hidden = object('logs/run 1/2024-b.bag');
    const shown = object('logs/run 1/2023-a.bag');
    await deleteObjects(deps)(folder, [folder, hidden, shown]);
    assert.match(ui.asked.at(-1) ?? '', /^confirm: Delete 8 objects \(including everything in "logs\/run 1\/" that its filter shows: keys that start with "logs\/run 1\/2023"\) from "robots"\?/);
    assert.deepEqual(calls.filter((call) => call.startsWith('countUnder') || call.startsWith('delete')), [
      'countUnder logs/run 1/ as logs/run 1/2023',
      'deleteObjects logs/run 1/2024-b.bag',
      'deleteFolder logs/run 1/ as logs/run 1/2023',
    ]);
    assert.equal(ui.told.at(-1), 'info: Deleted 8 objects from "robots".');
  });

  it('never empties a whole store from the palette or a script: its root is no folder to pick, nor a key to give', async () => {
    const { deps, ui, calls, store, state } = await setup();
    ui.pickLabel = 'robots';
    ui.browseAnswer = { kind: 'folder', key: 'logs/run 1/' };
    state.counts.set('logs/run 1/', 2);
    await deleteObjects(deps)();
    assert.ok(ui.asked.includes('browseStore: Delete: robots (either, not its root)'), ui.asked.join('\n'));
    assert.ok(calls.includes('deleteFolder logs/run 1/'), calls.join('\n'));
    calls.length = 0;
    for (const script of [{ id: store.id }, { id: store.id, key: '' }, { id: store.id, key: 'logs/' }]) {
      await assert.rejects(deleteObjects(deps)(script), /not on a whole store/, JSON.stringify(script));
    }
    assert.ok(!calls.some((call) => call.startsWith('delete') || call.startsWith('countUnder')), calls.join('\n'));
  });

  it('never empties a store that is only part of the selection: Delete is not offered on stores', async () => {
    const { deps, storeNode, object, ui, calls, state } = await setup();
    state.counts.set('logs/', 5000);
    const a = object('logs/a.bag');
    await deleteObjects(deps)(a, [storeNode, a]);
    assert.match(ui.asked.at(-1) ?? '', /^confirm: Delete 1 object from "robots"\?/);
    assert.ok(!calls.some((call) => call.startsWith('deleteFolder') || call.startsWith('countUnder')), calls.join('\n'));
    assert.ok(calls.includes('deleteObjects logs/a.bag'));
  });

  it('deletes the selected objects when the selection also holds a read-only store\'s node, which Delete leaves alone', async () => {
    const { deps, source, object, ui, calls } = await setup();
    const lockedStore = await source.create(validInput({ name: 'locked', key_prefix: 'logs/', read_only: true }));
    const lockedNode = new StoreNode(undefined, source, lockedStore);
    const a = object('logs/a.bag');
    ui.confirmAnswer = true;
    await deleteObjects(deps)(a, [lockedNode, a]);
    assert.match(ui.asked.at(-1) ?? '', /^confirm: Delete 1 object from "robots"\?/);
    assert.ok(calls.includes('deleteObjects logs/a.bag'), calls.join('\n'));
  });

  it('refuses a delete whose selection spans a read-only store before asking about, or deleting from, any store', async () => {
    const { deps, source, object, ui, calls } = await setup();
    const lockedStore = await source.create(validInput({ name: 'locked', key_prefix: 'logs/', read_only: true }));
    const locked = new ObjectNode(new StoreNode(undefined, source, lockedStore), { key: 'logs/b.bag', name: 'b.bag', size: 1 });
    const a = object('logs/a.bag');
    await assert.rejects(deleteObjects(deps)(a, [a, locked]), code('read-only'));
    assert.deepEqual(ui.asked, []);
    assert.ok(!calls.some((call) => call.startsWith('delete') || call.startsWith('countUnder')), calls.join('\n'));
  });

  it('refuses an upload onto a read-only store\'s node (a drop, Upload Files…) before any dialog or progress', async () => {
    const { deps, folder, ui, calls } = await setup({ read_only: true });
    ui.localPaths = ['/home/me/a.txt'];
    await assert.rejects(upload(false)(deps)(folder), code('read-only'));
    await assert.rejects(uploadDropped(deps)(folder, ['/home/me/a.txt']), code('read-only'));
    assert.deepEqual(ui.asked, [], 'no file dialog');
    assert.deepEqual(calls, [], 'no job, no upload');
  });

  it('refuses Upload Dropped Files run with no drop (no target, no paths) at once, instead of asking for a store first', async () => {
    const { deps, ui, calls } = await setup();
    ui.pickLabel = 'robots';
    ui.browseAnswer = { kind: 'folder', key: 'logs/' };
    await assert.rejects(uploadDropped(deps)(), code('invalid-input'));
    await assert.rejects(uploadDropped(deps)(undefined, ['/home/me/a.txt']), code('invalid-input'));
    assert.deepEqual(ui.asked, []);
    assert.deepEqual(calls, []);
  });

  it('offers no read-only store for a write from the palette, and says so when every store is read-only or disabled', async () => {
    const { deps, ui } = await setup({ read_only: true });
    ui.pickLabel = 'robots';
    await assert.rejects(newFolder(deps)(), /^LogqsError: No object store can be written to: each is read-only or disabled$/);
    assert.deepEqual(ui.asked, []);
  });
});
