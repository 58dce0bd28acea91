import * as vscode from 'vscode';
import { LogqsError, cancelledError as cancelled } from '../core/errors';
import { storeLocation } from '../core/format';
import type { ObjectStoreSource } from '../core/ports';
import type { StoreRef } from '../core/sources';
import type { ConflictChoice } from '../core/transfer';
import { livePick } from './livePick';
import { browseStore } from './objectPicker';
import { askText, promptForNewStore, promptForStoreChange } from './storeForms';
import type { Ui } from './ui';

async function pick<T extends vscode.QuickPickItem>(items: T[], placeHolder: string, nothing: string, title?: string): Promise<T> {
  if (items.length === 0) {
    throw new LogqsError('not-found', nothing);
  }
  const choice = await vscode.window.showQuickPick(items, { title, placeHolder, ignoreFocusOut: true });
  if (!choice) {
    throw cancelled();
  }
  return choice;
}

/** How long a status bar word stays. */
const STATUS_MS = 4000;

const CONFLICT_ANSWERS: Record<string, ConflictChoice> = { Overwrite: 'overwrite', Skip: 'skip', 'Keep Both': 'keepBoth' };

/** The editor's implementation of the commands' Ui. */
export const vscodeUi: Ui = {
  info: (message, actions = []) =>
    void vscode.window.showInformationMessage(message, ...actions.map((action) => action.label)).then((label) => actions.find((action) => action.label === label)?.run()),
  warn: (message) => void vscode.window.showWarningMessage(message),
  // Long enough to read, gone before the next copy; a notification for every copy would pile up.
  status: (message) => void vscode.window.setStatusBarMessage(message, STATUS_MS),
  async confirm(message, detail, action) {
    return (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action;
  },
  async choose(message, detail, answers) {
    const answer = await vscode.window.showWarningMessage(message, { modal: true, detail }, ...answers);
    if (answer === undefined) {
      throw cancelled();
    }
    return answer;
  },
  askText: (request) => askText(request),
  async pickSource(sources: readonly ObjectStoreSource[], placeHolder) {
    const items = sources.map((source) => ({ label: source.label, source }));
    return (await pick(items, placeHolder, 'There is no data store to use')).source;
  },
  async pickStore(stores: readonly StoreRef[], placeHolder) {
    const several = new Set(stores.map((ref) => ref.source.id)).size > 1;
    // The default store first: it is the one most often meant.
    const ordered = [...stores].sort((a, b) => Number(b.store.default) - Number(a.store.default));
    const items = ordered.map((ref) => ({
      label: ref.store.default ? `$(star-full) ${ref.store.name}` : ref.store.name,
      description: storeLocation(ref.store),
      detail: several ? ref.source.label : undefined,
      ref,
    }));
    return (await pick(items, placeHolder, 'There is no object store that fits; add one first')).ref;
  },
  promptNewStore: promptForNewStore,
  promptStoreChange: promptForStoreChange,
  browseStore,
  async pickLocalFolder({ title }) {
    const folders = vscode.workspace.workspaceFolders?.filter((folder) => folder.uri.scheme === 'file') ?? [];
    if (folders.length > 0) {
      const choice = await pick(
        [
          ...folders.map((folder) => ({ label: `$(root-folder) ${folder.name}`, description: folder.uri.fsPath, path: folder.uri.fsPath })),
          { label: '$(folder-opened) Choose a folder…', description: '', path: undefined },
        ],
        title,
        'There is no folder to choose',
      );
      if (choice.path !== undefined) {
        return choice.path;
      }
    }
    const [chosen] = (await vscode.window.showOpenDialog({ title, canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: 'Download Here' })) ?? [];
    if (!chosen) {
      throw cancelled();
    }
    return chosen.fsPath;
  },
  async pickLocalPaths({ title, folders }) {
    const chosen = await vscode.window.showOpenDialog({
      title,
      canSelectFiles: !folders,
      canSelectFolders: folders,
      canSelectMany: true,
      openLabel: 'Upload',
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    if (!chosen || chosen.length === 0) {
      throw cancelled();
    }
    return chosen.map((uri) => uri.fsPath);
  },
  async askConflict(existing) {
    const answer = await vscode.window.showWarningMessage(
      `"${existing}" exists already.`,
      { modal: true, detail: 'What should happen to it, and to any other that exists already in this transfer?' },
      ...Object.keys(CONFLICT_ANSWERS),
    );
    if (answer === undefined) {
      throw cancelled();
    }
    return CONFLICT_ANSWERS[answer];
  },
  copyToClipboard: async (text) => vscode.env.clipboard.writeText(text),
  async pickOne(title, choices) {
    return (await pick(choices.map((choice) => ({ ...choice })), 'Choose one', 'There is nothing to choose', title)).value;
  },
  livePick,
  showDetails(title, rows) {
    const detail = rows.map(([name, value]) => `${name}: ${value}`).join('\n');
    void vscode.window.showInformationMessage(title, { modal: true, detail }, 'Copy').then((choice) => {
      if (choice === 'Copy') {
        void vscode.env.clipboard.writeText(`${title}\n${detail}`);
      }
    });
  },
};
