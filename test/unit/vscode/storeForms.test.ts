import '../../support/vscodeStubInstalled';
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { promptForStoreChange } from '../../../src/vscode/storeForms';
import { memorySource, validInput } from '../../support/memoryPorts';

/** The edit form's yes/no questions, as VS Code's single-choice quick pick shows them: Enter takes the first item. */
describe('store forms', () => {
  const original = vscode.window.showQuickPick;
  const originalInputBox = vscode.window.showInputBox;
  afterEach(() => {
    (vscode.window as { showQuickPick: unknown }).showQuickPick = original;
    (vscode.window as { showInputBox: unknown }).showInputBox = originalInputBox;
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

  it('says, as the endpoint_url is typed, that a URL naming the bucket would put the bucket in every key', async () => {
    const { source } = memorySource();
    const store = await source.create(validInput({ bucket_name: 'robot-logs' }));
    pressEnterOn('endpoint_url');
    const verdicts: (string | undefined)[] = [];
    (vscode.window as { showInputBox: unknown }).showInputBox = async (options: vscode.InputBoxOptions) => {
      for (const typed of ['https://acct.r2.cloudflarestorage.com/robot-logs', 'https://robot-logs.s3.us-east-1.amazonaws.com', 'https://acct.r2.cloudflarestorage.com']) {
        verdicts.push((await options.validateInput?.(typed)) as string | undefined);
      }
      return 'https://acct.r2.cloudflarestorage.com';
    };
    assert.deepEqual(await promptForStoreChange(store, [store]), { endpoint_url: 'https://acct.r2.cloudflarestorage.com' });
    assert.match(verdicts[0] ?? '', /ends with the bucket "robot-logs"/);
    assert.match(verdicts[1] ?? '', /names the bucket "robot-logs" in its host: .* such as s3\.us-east-1\.amazonaws\.com/);
    assert.equal(verdicts[2], undefined);
  });
});
