import '../../support/vscodeStubInstalled';
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { promptForStoreChange } from '../../../src/vscode/storeForms';
import { memorySource, validInput } from '../../support/memoryPorts';

/** The edit form's yes/no questions, as VS Code's single-choice quick pick shows them: Enter takes the first item. */
describe('store forms', () => {
  const original = vscode.window.showQuickPick;
  afterEach(() => {
    (vscode.window as { showQuickPick: unknown }).showQuickPick = original;
  });

  /** Answers the field question with `field`, and the yes/no question with Enter (its first item); returns that question's items. */
  function pressEnterOn(field: string) {
    const shown: vscode.QuickPickItem[][] = [];
    (vscode.window as { showQuickPick: unknown }).showQuickPick = async (items: readonly (vscode.QuickPickItem & { field?: string })[]) => {
      shown.push([...items]);
      return shown.length === 1 ? items.find((item) => item.field === field) : items[0];
    };
    return shown;
  }

  it('keeps read_only and disabled as they are when the person only presses Enter', async () => {
    const { source } = memorySource();
    for (const [field, current] of [['read_only', true], ['read_only', false], ['disabled', true]] as const) {
      const store = await source.create(validInput({ name: `s-${field}-${current}`, [field]: current }));
      const shown = pressEnterOn(field);
      assert.deepEqual(await promptForStoreChange(store, [store]), { [field]: current }, `${field} ${current}`);
      assert.equal(shown[1][0].description, '(current)');
    }
  });
});
