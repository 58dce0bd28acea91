import '../../support/vscodeStubInstalled';
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { uploadDropped } from '../../../src/vscode/commands/transferCommands';
import { UploadOnDrop } from '../../../src/vscode/explorer/dragAndDrop';
import { type ContainerNode, FolderNode, LoadMoreNode, MessageNode, ObjectNode, StoreNode } from '../../../src/vscode/explorer/nodes';
import { code } from '../../support/assertions';
import { fakeCommandDeps } from '../../support/fakeCommandDeps';
import { memorySource, validInput } from '../../support/memoryPorts';

/** Drops on the Object Stores view: where they go, and what a drop of nothing from this computer says. */
describe('drag and drop', () => {
  /** A drop's data as VS Code hands it over: items by MIME type. */
  function dataTransfer(items: Record<string, string>): vscode.DataTransfer {
    const entries = Object.entries(items).map(([mime, text]) => [mime, { asString: async () => text, asFile: () => undefined }] as const);
    return {
      get: (mime: string) => entries.find(([candidate]) => candidate === mime)?.[1],
      forEach: (callback: (item: unknown, mime: string) => void) => entries.forEach(([mime, item]) => callback(item, mime)),
    } as unknown as vscode.DataTransfer;
  }

  async function setup() {
    const { source } = memorySource();
    const store = await source.create(validInput({ key_prefix: 'logs/' }));
    const storeNode = new StoreNode(undefined, source, store);
    const folder = new FolderNode(storeNode, 'logs/run 1/', 'run 1/');
    const object = new ObjectNode(folder, { key: 'logs/run 1/a.bag', name: 'a.bag', size: 3 });
    const uploads: { target: ContainerNode; paths: string[] }[] = [];
    const told: string[] = [];
    const controller = new UploadOnDrop(
      async (target, paths) => {
        uploads.push({ target, paths });
      },
      () => told.push('where to drop'),
    );
    return { source, store, storeNode, folder, object, uploads, told, controller };
  }

  it('uploads files dropped on an object into the object\'s folder', async () => {
    const { controller, object, folder, uploads } = await setup();
    await controller.handleDrop(object, dataTransfer({ 'text/uri-list': 'file:///home/me/a.txt\r\nfile:///home/me/b.txt' }));
    assert.deepEqual(uploads.map(({ target, paths }) => [target, paths]), [[folder, ['/home/me/a.txt', '/home/me/b.txt']]]);
  });

  it('uploads files dropped on a folder\'s only row ("No objects" of a new folder) or its "Load more…" into that folder', async () => {
    const { controller, folder, storeNode, uploads, told } = await setup();
    await controller.handleDrop(new MessageNode(folder, 'No objects', false), dataTransfer({ 'text/uri-list': 'file:///home/me/a.txt' }));
    await controller.handleDrop(new LoadMoreNode(storeNode), dataTransfer({ 'text/uri-list': 'file:///home/me/b.txt' }));
    assert.deepEqual(uploads.map(({ target, paths }) => [target, paths]), [[folder, ['/home/me/a.txt']], [storeNode, ['/home/me/b.txt']]]);
    // A message of the view itself, or of a source's list of stores, is in no store.
    await controller.handleDrop(new MessageNode(undefined, 'No object stores yet.', false), dataTransfer({ 'text/uri-list': 'file:///home/me/c.txt' }));
    assert.deepEqual(told, ['where to drop']);
  });

  it('says where to drop, and uploads nothing, for files dropped on the view\'s empty part', async () => {
    const { controller, uploads, told } = await setup();
    await controller.handleDrop(undefined, dataTransfer({ 'text/uri-list': 'file:///home/me/a.txt' }));
    assert.deepEqual(uploads, []);
    assert.deepEqual(told, ['where to drop']);
  });

  it('refuses, with a reason, a node of the view dropped on another (no move or copy between folders)', async () => {
    const { controller, storeNode, folder, uploads, source } = await setup();
    await controller.handleDrop(storeNode, dataTransfer({ 'application/vnd.code.tree.logqs.objectstores': '', 'text/uri-list': 'logqs-object:/a.bag' }));
    assert.equal(uploads.length, 1, 'the drop reaches the upload command, which says why nothing is uploaded');
    const { deps, calls } = fakeCommandDeps([source]);
    await assert.rejects(uploadDropped(deps)(folder, uploads[0].paths), (error: unknown) => code('invalid-input')(error) && /not moved or copied/.test((error as Error).message));
    assert.ok(!calls.some((call) => call.startsWith('job') || call.startsWith('upload')), calls.join('\n'));
  });

  it('hands files dropped without a path (desktop into a browser) to the upload as they are', async () => {
    const { folder } = await setup();
    const dropped = (name: string, text: string) => ({ asString: async () => '', asFile: () => ({ name, uri: undefined, data: async () => Buffer.from(text) }) });
    const items = [dropped('a.txt', 'first'), dropped('a.txt', 'second')];
    const transfer = { get: () => undefined, forEach: (callback: (item: unknown, mime: string) => void) => items.forEach((item) => callback(item, 'files')) } as unknown as vscode.DataTransfer;
    const handed: { paths: string[]; names: string[] }[] = [];
    const upload = new UploadOnDrop(
      async (_target, paths, withoutPath) => void handed.push({ paths, names: withoutPath.map((file) => file.name) }),
      () => assert.fail('dropped on a folder'),
    );
    await upload.handleDrop(folder, transfer);
    assert.deepEqual(handed, [{ paths: [], names: ['a.txt', 'a.txt'] }]);
  });

  it('copies files dropped without a path apart (two of one name included) under a job with Cancel, uploads them, then removes the copies', async () => {
    const { folder, source } = await setup();
    const { deps, calls } = fakeCommandDeps([source]);
    const file = (name: string, text: string) => ({ name, data: async () => Buffer.from(text) });
    const contents: string[] = [];
    let staged: string[] = [];
    deps.objects.upload = async (_source, _storeId, paths) => {
      staged = [...paths];
      contents.push(...(await Promise.all(paths.slice(1).map((entry) => fs.readFile(entry, 'utf8')))));
      return { keys: ['logs/run 1/a.txt'], skipped: [], bytes: 11 };
    };
    await uploadDropped(deps)(folder, ['/home/me/local.txt'], [file('a.txt', 'first'), file('a.txt', 'second')]);
    assert.ok(calls.includes('job Copying 2 dropped files'), calls.join('\n'));
    assert.deepEqual(staged.map((entry) => path.basename(entry)), ['local.txt', 'a.txt', 'a.txt']);
    assert.deepEqual(contents, ['first', 'second'], 'each dropped file reaches the upload with its own bytes');
    await assert.rejects(fs.stat(path.dirname(path.dirname(staged[1]))), /ENOENT/, 'the copies are removed');
  });

  it('refuses files dropped on a read-only store before reading any of them', async () => {
    const { source } = memorySource();
    const store = await source.create(validInput({ name: 'archive', read_only: true }));
    const { deps, calls } = fakeCommandDeps([source]);
    const unread = { name: 'huge.bag', data: async () => assert.fail('read before the store was checked') };
    await assert.rejects(uploadDropped(deps)(new StoreNode(undefined, source, store), [], [unread]), code('read-only'));
    assert.deepEqual(calls, []);
  });

  it('skips, saying why, a dropped item it can\'t read (a folder from the desktop, in a browser), uploads the rest, and leaves no copy behind', async () => {
    const { folder, source } = await setup();
    const { deps, ui } = fakeCommandDeps([source]);
    const before = new Set(await fs.readdir(os.tmpdir()));
    const warned: string[] = [];
    deps.log.warn = (line) => warned.push(line);
    let uploaded: string[] = [];
    deps.objects.upload = async (_source, _storeId, paths) => {
      uploaded = paths.map((entry) => path.basename(entry));
      return { keys: ['logs/run 1/ok.txt'], skipped: [], bytes: 2 };
    };
    const folderDropped = { name: 'bags', data: async () => Promise.reject(new Error('NotFoundError: A requested file or directory could not be found')) };
    await uploadDropped(deps)(folder, [], [{ name: 'ok.txt', data: async () => Buffer.from('ok') }, folderDropped]);
    assert.deepEqual(uploaded, ['ok.txt']);
    assert.match(ui.told.at(-1) ?? '', /^info: Uploaded 1 file \(2 B\) to "robots"; skipped 1 file/);
    assert.ok(warned.some((line) => /^Not uploaded: bags: the drop couldn't be read \(NotFoundError.*drop the files themselves$/.test(line)), warned.join('\n'));
    // Nothing readable at all: said as the reason.
    await assert.rejects(uploadDropped(deps)(folder, [], [folderDropped]), (error: unknown) => code('invalid-input')(error) && /^Nothing to upload: "bags": the drop couldn't be read/.test((error as Error).message));
    warned.length = 0;
    await assert.rejects(uploadDropped(deps)(folder, [], [folderDropped, { ...folderDropped, name: 'more bags' }]), /^LogqsError: Nothing to upload: "bags" \(and 1 other item, see the LogQS log\)/);
    assert.deepEqual(warned.map((line) => line.split(':')[1].trim()), ['bags', 'more bags']);
    const left = (await fs.readdir(os.tmpdir())).filter((name) => name.startsWith('logqs-drop-') && !before.has(name));
    assert.deepEqual(left, []);
  });
});
