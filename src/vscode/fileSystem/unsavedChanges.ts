import type * as vscode from 'vscode';

type Document = { isDirty: boolean; uri: vscode.Uri };

/** What these functions read of the window: its text and notebook documents, and the tabs of all its groups. */
export interface OpenEditors {
  textDocuments: readonly Document[];
  notebookDocuments: readonly Document[];
  tabs: readonly { isDirty: boolean; input: unknown }[];
}

/**
 * Whether a text or notebook document of `uri` holds unsaved changes: VS
 * Code checks the save of those itself ("the content of the file is
 * newer"), which a custom editor's (the hex editor's) never is.
 */
export function hasUnsavedDocument(uri: vscode.Uri, editors: Omit<OpenEditors, 'tabs'>): boolean {
  const name = uri.toString();
  return [...editors.textDocuments, ...editors.notebookDocuments].some((document) => document.isDirty && document.uri.toString() === name);
}

/**
 * Whether any editor of `uri` holds unsaved changes. Text documents alone
 * miss those of a custom editor (the hex editor) and of a notebook, which
 * are no text documents: their tabs say so. A diff tab's changes are its
 * modified side's.
 */
export function hasUnsavedChanges(uri: vscode.Uri, editors: OpenEditors): boolean {
  const name = uri.toString();
  const edits = (input: unknown) => {
    const { uri: shown, modified } = (input ?? {}) as { uri?: vscode.Uri; modified?: vscode.Uri };
    return (modified ?? shown)?.toString() === name;
  };
  return hasUnsavedDocument(uri, editors) || editors.tabs.some((tab) => tab.isDirty && edits(tab.input));
}
