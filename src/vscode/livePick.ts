import * as vscode from 'vscode';
import { cancelledError } from '../core/errors';
import type { LivePick, LivePickBehaviour, PickChoice } from './ui';

interface LiveItem<T> extends vscode.QuickPickItem {
  value: T;
}

/** The Ui's livePick on a VS Code QuickPick. */
export function livePick<T>(request: { title: string; placeholder: string }, start: (pick: LivePick<T>) => LivePickBehaviour<T>): Promise<T> {
  const quickPick = vscode.window.createQuickPick<LiveItem<T>>();
  quickPick.title = request.title;
  quickPick.placeholder = request.placeholder;
  quickPick.ignoreFocusOut = true;
  const pick: LivePick<T> = {
    get value() {
      return quickPick.value;
    },
    set value(text: string) {
      quickPick.value = text;
    },
    get items() {
      return quickPick.items;
    },
    set items(choices: readonly PickChoice<T>[]) {
      // The caller's items are the answer to the text: always shown, never filtered out by it again.
      quickPick.items = choices.map((choice) => ({ ...choice, alwaysShow: true }));
    },
    get busy() {
      return quickPick.busy;
    },
    set busy(busy: boolean) {
      quickPick.busy = busy;
    },
  };
  const behaviour = start(pick);
  return new Promise<T>((resolve, reject) => {
    let accepted = false;
    const subscriptions = [
      quickPick.onDidChangeValue((text) => behaviour.onValue(text)),
      quickPick.onDidAccept(() => {
        const chosen = quickPick.selectedItems[0];
        if (chosen && behaviour.onAccept(chosen.value)) {
          accepted = true;
          resolve(chosen.value);
          quickPick.hide();
        }
      }),
      quickPick.onDidHide(() => {
        for (const subscription of subscriptions) {
          subscription.dispose();
        }
        behaviour.dispose();
        quickPick.dispose();
        if (!accepted) {
          reject(cancelledError());
        }
      }),
    ];
    quickPick.show();
  });
}
