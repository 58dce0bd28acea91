import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { LogqsError } from '../../../src/core/errors';
import { downloadObjects } from '../../../src/core/transfer';
import { deleteObjects } from '../../../src/vscode/commands/editCommands';
import { download, upload } from '../../../src/vscode/commands/transferCommands';
import { FolderNode, ObjectNode, StoreNode } from '../../../src/vscode/explorer/nodes';
import { code } from '../../support/assertions';
import { fakeCommandDeps } from '../../support/fakeCommandDeps';
import { memorySource, validInput } from '../../support/memoryPorts';
import { engineScratch, memoryDownloadContext } from '../../support/transfers';

/** Transfers and deletes as a person drives them: what the tree and the final message show, whatever the job's end. */
describe('transfer commands', () => {
  async function setup() {
    const { source } = memorySource();
    const store = await source.create(validInput({ key_prefix: 'logs/' }));
    const fake = fakeCommandDeps([source]);
    const storeNode = new StoreNode(undefined, source, store);
    const folder = new FolderNode(storeNode, 'logs/run 1/', 'run 1/');
    const object = (key: string) => new ObjectNode(folder, { key, name: key.slice(key.lastIndexOf('/') + 1), size: 10 });
    return { ...fake, source, store, storeNode, folder, object };
  }

  describe('with the transfer engine', () => {
    const scratch = engineScratch('logqs-commands-');

    it('keeps the first of two objects of one selection from two stores that land on one file, instead of overwriting it with the second', async () => {
      const { deps, source, store, ui, info } = await setup();
      const otherStore = await source.create(validInput({ name: 'other', key_prefix: 'logs/' }));
      // Each store's objects in memory, downloaded by the real engine (as ObjectService does, the callbacks passed on).
      const contexts = new Map([
        [store.id, memoryDownloadContext({ 'logs/a.bag': Buffer.from('first store') }, scratch.files)],
        [otherStore.id, memoryDownloadContext({ 'logs/a.bag': Buffer.from('second store') }, scratch.files)],
      ]);
      deps.objects.download = (_source, storeId, items, targetDir, callbacks) => downloadObjects(contexts.get(storeId)!, { ...items, targetDir, ...callbacks });
      ui.localFolder = scratch.dir;
      ui.conflictAnswer = 'overwrite';
      const first = new ObjectNode(new StoreNode(undefined, source, store), { key: 'logs/a.bag', name: 'a.bag', size: 11 });
      const second = new ObjectNode(new StoreNode(undefined, source, otherStore), { key: 'logs/a.bag', name: 'a.bag', size: 12 });
      await download(deps)(first, [first, second]);
      assert.equal(await fs.readFile(path.join(scratch.dir, 'a.bag'), 'utf8'), 'first store');
      assert.deepEqual(ui.asked.filter((question) => question.startsWith('askConflict')), [], 'a file this download wrote is not asked about as if it was there before');
      assert.match(ui.told.at(-1) ?? '', /^info: Downloaded nothing from "other".*1 object skipped/);
      assert.ok(info.some((line) => /Not downloaded: "logs\/a\.bag": another key of this download has the same name/.test(line)), info.join('\n'));
    });
  });

  /** A download of two stores' objects whose first store's job ends with `failure`: how to run it, and what it did. */
  async function downloadWithFirstStoreFailing(failure: LogqsError) {
    const { deps, source, store, ui, calls } = await setup();
    const first = await source.create(validInput({ name: 'first', key_prefix: 'logs/' }));
    ui.localFolder = '/tmp/x';
    ui.conflictAnswer = 'overwrite';
    const real = deps.objects.download;
    deps.objects.download = async (...args) => {
      if (args[1] === first.id) {
        // Recorded: the failure must be this store's job's, not a question left unanswered before it (which cancels too).
        calls.push('download of "first" (fails)');
        throw failure;
      }
      return real(...args);
    };
    const failing = new ObjectNode(new StoreNode(undefined, source, first), { key: 'logs/x.bag', name: 'x.bag', size: 3 });
    const later = new ObjectNode(new StoreNode(undefined, source, store), { key: 'logs/a.bag', name: 'a.bag', size: 3 });
    const laterAsked = () => calls.some((call) => call.startsWith('download keys=logs/a.bag'));
    return { ui, calls, laterAsked, run: () => download(deps)(failing, [failing, later]) };
  }

  it('downloads the other stores of a selection when one store fails, and reports that store by name', async () => {
    const { ui, calls, laterAsked, run } = await downloadWithFirstStoreFailing(new LogqsError('unreachable', 'Can\'t reach 10.0.0.9:9000 (ECONNREFUSED)'));
    await run();
    assert.ok(calls.includes('report Couldn\'t download from "first"'), calls.join('\n'));
    assert.ok(laterAsked(), calls.join('\n'));
    assert.match(ui.told.at(-1) ?? '', /^info: Downloaded 1 file/);
  });

  it('stops a download of several stores at a cancel, asking none of the later stores', async () => {
    const { calls, laterAsked, run } = await downloadWithFirstStoreFailing(new LogqsError('cancelled', 'Cancelled'));
    await assert.rejects(run(), code('cancelled'));
    assert.ok(calls.includes('download of "first" (fails)'), calls.join('\n'));
    assert.ok(!laterAsked(), calls.join('\n'));
  });

  it('shows in the tree what an upload sent before it was cancelled or failed', async () => {
    const { deps, folder, ui, calls, store } = await setup();
    ui.localPaths = ['/home/me/a.txt', '/home/me/b.txt'];
    deps.objects.upload = async () => {
      calls.push('upload (a.txt sent, then cancelled)');
      throw new LogqsError('cancelled', 'Cancelled');
    };
    await assert.rejects(upload(false)(deps)(folder), code('cancelled'));
    assert.ok(calls.includes(`tree.objectsChanged ${store.id}`), calls.join('\n'));
  });

  it('refuses, before any count, question or progress, a write to a store made read-only since the tree drew it (or a download from one disabled)', async () => {
    const { deps, folder, calls, source, store, ui } = await setup();
    // Another window (or the LogQS server) changes the record; the tree still holds the one it drew.
    await source.update(store.id, { read_only: true });
    await assert.rejects(deleteObjects(deps)(folder, [folder]), code('read-only'));
    await assert.rejects(upload(false)(deps)(folder), code('read-only'));
    await source.update(store.id, { read_only: false, disabled: true });
    await assert.rejects(download(deps)(folder, [folder]), code('disabled'));
    assert.deepEqual(calls.filter((call) => !call.startsWith('report')), [], calls.join('\n'));
    assert.equal(ui.asked.length, 0, ui.asked.join('\n'));
  });

  it('downloads what a filtered folder shows, not the whole folder; an object the filter hides comes by itself', async () => {
    const { deps, folder, calls, state, object, ui } = await setup();
    ui.localFolder = '/tmp/x';
    ui.conflictAnswer = 'overwrite';
    state.filters.set(folder.id, '2023');
    const hidden = object('logs/run 1/2024-b.bag');
    const shown = object('logs/run 1/2023-a.bag');
    await download(deps)(folder, [folder, hidden, shown]);
    assert.deepEqual(
      calls.filter((call) => call.startsWith('download')),
      ['download keys=logs/run 1/2024-b.bag prefixes=logs/run 1/ logs/run 1/ as logs/run 1/2023* into /tmp/x'],
    );
  });

  it('says there is nothing to download when the filter of the folder shows no names', async () => {
    const { source } = memorySource();
    const store = await source.create(validInput({ key_prefix: 'reports/2024.' }));
    const { deps, calls, state, ui } = fakeCommandDeps([source]);
    const storeNode = new StoreNode(undefined, source, store);
    state.filters.set(storeNode.id, '2025');
    await download(deps)(storeNode, [storeNode]);
    assert.equal(calls.filter((call) => call.startsWith('download')).length, 0, calls.join('\n'));
    assert.ok(ui.told.some((line) => /Nothing to download: the filter/.test(line)), ui.told.join('\n'));
  });

  it('takes out of the tree what a delete removed before it was cancelled or failed, and says how much that was', async () => {
    const { deps, folder, object, calls, store, state, ui } = await setup();
    state.counts.set('logs/run 1/', 3000);
    deps.objects.deleteFolder = async (_source, _storeId, _folder, _signal, onDeleted) => {
      calls.push('deleteFolder (1000 deleted, then failed)');
      onDeleted?.(1000);
      throw new LogqsError('unreachable', 'The connection was reset');
    };
    const a = object('logs/a.bag');
    await assert.rejects(deleteObjects(deps)(a, [a, folder]), (error: Error) => {
      assert.equal(LogqsError.is(error) && error.code, 'unreachable');
      assert.equal(error.message, 'The connection was reset (at least 1001 of 3001 objects had been deleted from "robots")');
      return true;
    });
    assert.ok(calls.includes(`tree.objectsChanged ${store.id}`), calls.join('\n'));

    // A cancel is said by nothing else: a message says what went before it.
    deps.objects.deleteFolder = async (_source, _storeId, _folder, _signal, onDeleted) => {
      onDeleted?.(1000);
      throw new LogqsError('cancelled', 'Cancelled');
    };
    await assert.rejects(deleteObjects(deps)(folder, [folder]), code('cancelled'));
    assert.equal(ui.told.at(-1), 'info: Delete cancelled: at least 1000 of 3000 objects had been deleted from "robots".');
    // Cancelled before any object went: nothing to say.
    const told = ui.told.length;
    deps.objects.deleteFolder = async () => {
      throw new LogqsError('cancelled', 'Cancelled');
    };
    await assert.rejects(deleteObjects(deps)(folder, [folder]), code('cancelled'));
    assert.equal(ui.told.length, told, ui.told.join('\n'));
  });

  it('says what an upload or a download had done when it was cancelled or failed part way, and nothing more when it had done nothing', async () => {
    const { deps, folder, object, ui } = await setup();
    ui.localPaths = ['/home/me/run'];
    ui.localFolder = '/tmp/x';
    const stopAfter = (filesDone: number, filesTotal: number | undefined, error: Error) => async (...args: unknown[]) => {
      const callbacks = args[4] as { onProgress: (progress: { filesDone: number; filesTotal?: number; bytesDone: number }) => void };
      callbacks.onProgress({ filesDone, filesTotal, bytesDone: 0 });
      throw error;
    };
    const cancelled = new LogqsError('cancelled', 'Cancelled');
    deps.objects.upload = stopAfter(3, 10, cancelled);
    await assert.rejects(upload(true)(deps)(folder), code('cancelled'));
    assert.equal(ui.told.at(-1), 'info: Upload cancelled: 3 of 10 files had been uploaded to "robots".');
    deps.objects.upload = stopAfter(1, 10, new LogqsError('unreachable', 'The connection was reset'));
    await assert.rejects(upload(true)(deps)(folder), /^LogqsError: The connection was reset \(1 of 10 files had been uploaded to "robots"\)$/);
    // A folder still being listed has no total yet.
    deps.objects.download = stopAfter(2, undefined, cancelled);
    await assert.rejects(download(deps)(folder), code('cancelled'));
    assert.equal(ui.told.at(-1), 'info: Download cancelled: 2 files had been downloaded to /tmp/x.');
    const told = ui.told.length;
    deps.objects.download = stopAfter(0, 1, cancelled);
    await assert.rejects(download(deps)(object('logs/run 1/a.bag')), code('cancelled'));
    assert.equal(ui.told.length, told, ui.told.join('\n'));
  });

  it('downloads an object selected with the folder it is in once, with its folder', async () => {
    const { deps, folder, object, ui, calls } = await setup();
    ui.localFolder = '/tmp/x';
    ui.conflictAnswer = 'skip';
    const inside = object('logs/run 1/a.bag');
    await download(deps)(inside, [folder, inside]);
    assert.deepEqual(calls.filter((call) => call.startsWith('download ')), ['download keys= prefixes=logs/run 1/ into /tmp/x']);
  });

  it('says nothing was downloaded when every object was skipped, not "Downloaded 0 files"', async () => {
    const { deps, object, ui, state } = await setup();
    ui.localFolder = '/tmp/x';
    ui.conflictAnswer = 'skip';
    state.downloadReport = { files: [], skipped: [{ key: 'logs/run 1/a.bag', reason: 'a file of that name exists' }], bytes: 0 };
    await download(deps)(object('logs/run 1/a.bag'));
    const told = ui.told.at(-1) ?? '';
    assert.doesNotMatch(told, /Downloaded 0 files/);
    assert.match(told, /1 object.*skipped|skipped.*1 object/i);
  });

  it('says nothing was uploaded when every file was skipped, not "Uploaded 0 files"', async () => {
    const { deps, folder, ui, state } = await setup();
    ui.localPaths = ['/home/me/a.txt'];
    ui.conflictAnswer = 'skip';
    state.uploadReport = { keys: [], skipped: [{ path: '/home/me/a.txt', reason: '"logs/run 1/a.txt" exists already' }], bytes: 0 };
    await upload(false)(deps)(folder);
    const told = ui.told.at(-1) ?? '';
    assert.doesNotMatch(told, /Uploaded 0 files/);
    assert.match(told, /1 file.*skipped|skipped.*1 file/i);
  });

  it('offers to open the one file a download brought, and the log when files were skipped', async () => {
    const { deps, object, ui, state, calls } = await setup();
    ui.localFolder = '/tmp/x';
    ui.conflictAnswer = 'overwrite';
    state.downloadReport = { files: [{ key: 'logs/run 1/a.bag', path: '/tmp/x/a.bag', size: 10 }], skipped: [], bytes: 10 };
    await download(deps)(object('logs/run 1/a.bag'));
    assert.deepEqual(ui.actions.map((action) => action.label), ['Open', 'Reveal in Explorer']);
    await ui.actions[0].run();
    assert.ok(calls.includes('openLocalFile /tmp/x/a.bag'), calls.join('\n'));
    // Outside the workspace the Explorer can't show it.
    state.workspaceFolders = ['/w'];
    await download(deps)(object('logs/run 1/a.bag'));
    assert.deepEqual(ui.actions.map((action) => action.label), ['Open']);
    state.workspaceFolders = ['/tmp/x'];

    state.downloadReport = { files: [], skipped: [{ key: 'logs/run 1/a.bag', reason: 'a file of that name exists' }], bytes: 0 };
    await download(deps)(object('logs/run 1/a.bag'));
    assert.deepEqual(ui.actions.map((action) => action.label), ['Show Log']);
    ui.actions[0].run();
    assert.ok(calls.includes('log.show'), calls.join('\n'));
  });

  it('says the empty folders an upload made, and not "uploaded 0 files" when that was all', async () => {
    const { deps, folder, ui, state } = await setup();
    ui.localPaths = ['/home/me/empty'];
    ui.conflictAnswer = 'overwrite';
    state.uploadReport = { keys: [], skipped: [], bytes: 0, folders: ['logs/run 1/empty/', 'logs/run 1/empty/deeper/'] };
    await upload(true)(deps)(folder);
    assert.equal(ui.told.at(-1), 'info: Made 2 empty folders in "robots".');
    state.uploadReport = { keys: ['logs/run 1/a.txt'], skipped: [], bytes: 1, folders: ['logs/run 1/empty/'] };
    await upload(true)(deps)(folder);
    assert.equal(ui.told.at(-1), 'info: Uploaded 1 file (1 B) to "robots". Made 1 empty folder there.');
  });

  it('offers the log after an upload that skipped files, and no button after one that did not', async () => {
    const { deps, folder, ui, state } = await setup();
    ui.localPaths = ['/home/me/a.txt', '/home/me/b.txt'];
    ui.conflictAnswer = 'overwrite';
    state.uploadReport = { keys: ['logs/run 1/a.txt'], skipped: [{ path: '/home/me/b.txt', reason: 'can\'t be read' }], bytes: 1 };
    await upload(false)(deps)(folder);
    assert.deepEqual(ui.actions.map((action) => action.label), ['Show Log']);
    state.uploadReport = { keys: ['logs/run 1/a.txt', 'logs/run 1/b.txt'], skipped: [], bytes: 2 };
    await upload(false)(deps)(folder);
    assert.deepEqual(ui.actions, []);
  });
});
