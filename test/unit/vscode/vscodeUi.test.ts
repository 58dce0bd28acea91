import '../../support/vscodeStubInstalled';
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { vscodeUi } from '../../../src/vscode/vscodeUi';
import { code } from '../../support/assertions';
import { memorySource, validInput } from '../../support/memoryPorts';

type Item = vscode.QuickPickItem & Record<string, unknown>;

/** The editor's pickers, with VS Code's quick pick and open dialog answered as a person would. */
describe('vscodeUi: the store and folder pickers', () => {
  const window = vscode.window as unknown as Record<string, unknown>;
  const workspace = vscode.workspace as unknown as Record<string, unknown>;
  let shown: Item[][];
  let dialogs: vscode.OpenDialogOptions[];
  /** Which item the person picks, by what its label holds; undefined = Escape. */
  let pickLabel: string | undefined;
  let dialogAnswer: vscode.Uri[] | undefined;

  beforeEach(() => {
    shown = [];
    dialogs = [];
    pickLabel = undefined;
    dialogAnswer = undefined;
    window.showQuickPick = async (items: Item[]) => {
      shown.push(items);
      return pickLabel === undefined ? undefined : items.find((item) => item.label.includes(pickLabel!));
    };
    window.showOpenDialog = async (options: vscode.OpenDialogOptions) => {
      dialogs.push(options);
      return dialogAnswer;
    };
  });

  afterEach(() => {
    delete window.showQuickPick;
    delete window.showOpenDialog;
    workspace.workspaceFolders = undefined;
  });

  it('lists the default store first, starred, and gives back the store picked', async () => {
    const { source } = memorySource();
    const refs = [];
    for (const [name, isDefault] of [['alpha', false], ['fleet', true], ['zulu', false]] as const) {
      refs.push({ source, store: await source.create(validInput({ name, default: isDefault, key_prefix: `${name}/` })) });
    }
    pickLabel = 'zulu';
    const picked = await vscodeUi.pickStore(refs, 'Download from which object store?');
    assert.equal(picked.store.name, 'zulu');
    assert.deepEqual(
      shown[0].map((item) => [item.label, item.description]),
      [
        ['$(star-full) fleet', `${refs[1].store.bucket_name}/fleet/`],
        ['alpha', `${refs[0].store.bucket_name}/alpha/`],
        ['zulu', `${refs[2].store.bucket_name}/zulu/`],
      ],
    );
    pickLabel = undefined;
    await assert.rejects(vscodeUi.pickStore(refs, 'Which?'), code('cancelled'));
    await assert.rejects(vscodeUi.pickStore([], 'Which?'), code('not-found'));
  });

  it('offers the workspace folders on this computer first, then any folder through the dialog', async () => {
    workspace.workspaceFolders = [
      { name: 'workspace', uri: vscode.Uri.file('/home/me/workspace') },
      { name: 'remote', uri: { scheme: 'vscode-remote', fsPath: '/elsewhere' } },
    ];
    pickLabel = 'workspace';
    assert.equal(await vscodeUi.pickLocalFolder({ title: 'Download into' }), '/home/me/workspace');
    assert.deepEqual(
      shown[0].map((item) => item.label),
      ['$(root-folder) workspace', '$(folder-opened) Choose a folder…'],
    );
    assert.equal(dialogs.length, 0, 'no dialog when a workspace folder is picked');

    pickLabel = 'Choose a folder';
    dialogAnswer = [vscode.Uri.file('/data/logs')];
    assert.equal(await vscodeUi.pickLocalFolder({ title: 'Download into' }), '/data/logs');
    assert.equal(dialogs[0].canSelectFolders, true);
    assert.equal(dialogs[0].canSelectFiles, false);

    pickLabel = undefined;
    await assert.rejects(vscodeUi.pickLocalFolder({ title: 'Download into' }), code('cancelled'));
  });

  it('opens the dialog at once without a workspace folder, and a dialog closed unanswered cancels', async () => {
    dialogAnswer = [vscode.Uri.file('/data/logs')];
    assert.equal(await vscodeUi.pickLocalFolder({ title: 'Download into' }), '/data/logs');
    assert.equal(shown.length, 0, 'no list without a workspace folder');
    dialogAnswer = undefined;
    await assert.rejects(vscodeUi.pickLocalFolder({ title: 'Download into' }), code('cancelled'));
  });
});
