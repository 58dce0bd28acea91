import '../../support/vscodeStubInstalled';
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { hasUnsavedChanges, hasUnsavedDocument } from '../../../src/vscode/fileSystem/unsavedChanges';

/** Whether an object's editor holds unsaved changes, whichever kind of editor it is. */
describe('unsaved changes', () => {
  const object = vscode.Uri.parse('logqs:/store-1/logs/run%201.ipynb');
  const other = vscode.Uri.parse('logqs:/store-1/logs/other.bin');

  it('are seen in a text document, and in the tab of a notebook or a custom editor (the hex editor), which are none', () => {
    assert.equal(hasUnsavedChanges(object, { notebookDocuments: [], textDocuments: [{ isDirty: true, uri: object }], tabs: [] }), true);
    // A notebook's tab, a custom editor's: only their tabs know they are dirty.
    assert.equal(hasUnsavedChanges(object, { notebookDocuments: [], textDocuments: [{ isDirty: false, uri: object }], tabs: [{ isDirty: true, input: { uri: object, viewType: 'hexEditor.hexedit' } }] }), true);
    assert.equal(hasUnsavedChanges(object, { notebookDocuments: [], textDocuments: [], tabs: [{ isDirty: true, input: { uri: object, notebookType: 'jupyter-notebook' } }] }), true);
    // A diff's changes are its modified side's.
    assert.equal(hasUnsavedChanges(object, { notebookDocuments: [], textDocuments: [], tabs: [{ isDirty: true, input: { original: other, modified: object } }] }), true);
    assert.equal(hasUnsavedChanges(other, { notebookDocuments: [], textDocuments: [], tabs: [{ isDirty: true, input: { original: other, modified: object } }] }), false);
  });

  it('are a document\'s, whose save VS Code checks itself, only when a text or notebook document has them (not the hex editor\'s)', () => {
    assert.equal(hasUnsavedDocument(object, { notebookDocuments: [], textDocuments: [{ isDirty: true, uri: object }] }), true);
    assert.equal(hasUnsavedDocument(object, { notebookDocuments: [{ isDirty: true, uri: object }], textDocuments: [] }), true);
    assert.equal(hasUnsavedDocument(object, { notebookDocuments: [{ isDirty: true, uri: other }], textDocuments: [{ isDirty: false, uri: object }, { isDirty: true, uri: other }] }), false);
  });

  it('are not seen in clean editors, in another object\'s, or in tabs without a document (a terminal, settings)', () => {
    assert.equal(hasUnsavedChanges(object, { notebookDocuments: [], textDocuments: [{ isDirty: true, uri: other }, { isDirty: false, uri: object }], tabs: [{ isDirty: false, input: { uri: object } }, { isDirty: true, input: { uri: other } }] }), false);
    assert.equal(hasUnsavedChanges(object, { notebookDocuments: [], textDocuments: [], tabs: [{ isDirty: true, input: undefined }, { isDirty: true, input: {} }] }), false);
  });
});
