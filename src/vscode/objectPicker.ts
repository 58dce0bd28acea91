import * as vscode from 'vscode';
import { cancelledError, userMessage } from '../core/errors';
import { formatBytes } from '../core/format';
import { displayName } from '../core/keyPrefix';
import { type BrowsePage, browsePage } from '../core/objectBrowser';
import type { StoreRef } from '../core/sources';
import { listingPageSize } from './settings';
import type { BrowseRequest, BrowsedItem } from './ui';

type Step =
  | { action: 'choose'; item: BrowsedItem }
  | { action: 'open'; prefix: string }
  | { action: 'more' };

interface StepItem extends vscode.QuickPickItem {
  step: Step;
}

/**
 * Browses a store in a quick pick, one folder at a time, scoped to its
 * key_prefix like the tree, until the person picks an object or a folder.
 */
export async function browseStore(ref: StoreRef, request: BrowseRequest): Promise<BrowsedItem> {
  const root = ref.store.key_prefix ?? '';
  let prefix = root;
  const quickPick = vscode.window.createQuickPick<StepItem>();
  quickPick.ignoreFocusOut = true;
  quickPick.matchOnDescription = true;
  // Which folder is on show: a page that arrives for one the person has left is dropped.
  let shown = 0;
  try {
    for (;;) {
      const visit = ++shown;
      const folder = prefix;
      const pages: BrowsePage[] = [];
      let loading = false;
      const load = async () => {
        // A second Load more… while one is on its way would fetch the same page twice.
        if (loading) {
          return;
        }
        loading = true;
        quickPick.busy = true;
        try {
          const page = await browsePage(ref.source, ref.store.id, {
            folderPrefix: folder === root ? undefined : folder,
            continuationToken: pages.at(-1)?.nextContinuationToken,
            pageSize: listingPageSize(),
          });
          if (visit === shown) {
            pages.push(page);
            quickPick.items = itemsFor(pages, folder, root, request);
          }
        } catch (error) {
          if (visit === shown) {
            // What was loaded stays, with the way on: a failed Load more… is tried again from the error's item.
            quickPick.items = itemsFor(pages, folder, root, request, userMessage(error));
          }
        } finally {
          loading = false;
          if (visit === shown) {
            quickPick.busy = false;
          }
        }
      };
      quickPick.title = `${request.title}: ${ref.store.name}/${prefix.slice(root.length)}`;
      quickPick.placeholder = request.want === 'folder' ? 'Open a folder, or choose this one' : 'Open a folder, or pick an object';
      quickPick.items = [];
      quickPick.value = '';
      quickPick.show();
      void load();
      const step = await nextStep(quickPick, load);
      if (step.action === 'choose') {
        return step.item;
      }
      if (step.action === 'open') {
        prefix = step.prefix;
      }
    }
  } finally {
    quickPick.dispose();
  }
}

/** Waits for a pick; "Load more…" loads the next page in place. */
function nextStep(quickPick: vscode.QuickPick<StepItem>, loadMore: () => Promise<void>): Promise<Step> {
  return new Promise((resolve, reject) => {
    const stopListening = () => {
      for (const subscription of subscriptions) {
        subscription.dispose();
      }
    };
    const subscriptions = [
      quickPick.onDidAccept(() => {
        const picked = quickPick.selectedItems[0]?.step;
        if (picked?.action === 'more') {
          void loadMore();
          return;
        }
        if (picked) {
          stopListening();
          resolve(picked);
        }
      }),
      quickPick.onDidHide(() => {
        stopListening();
        reject(cancelledError());
      }),
    ];
  });
}

/**
 * A folder's items: the way on (choose it, up), its pages of folders and objects, then Load more…, or the error
 * of the last page asked for (`failure`), which asks again. The way on is shown whatever the person types, which
 * filters only the names loaded.
 */
function itemsFor(pages: readonly BrowsePage[], prefix: string, root: string, { want, rootFolder }: BrowseRequest, failure?: string): StepItem[] {
  const items: StepItem[] = [];
  if (want !== 'object' && (prefix !== root || rootFolder !== false)) {
    items.push({ label: '$(check) Choose this folder', description: prefix || '(the whole bucket)', alwaysShow: true, step: { action: 'choose', item: { kind: 'folder', key: prefix } } });
  }
  if (prefix !== root) {
    const parent = prefix.slice(0, prefix.slice(0, -1).lastIndexOf('/') + 1);
    items.push({ label: '$(arrow-up) ..', description: 'up one folder', alwaysShow: true, step: { action: 'open', prefix: parent.length < root.length ? root : parent } });
  }
  const wayOn = items.length;
  for (const page of pages) {
    items.push(...page.folders.map((folder): StepItem => ({ label: `$(folder) ${folder.name}`, step: { action: 'open', prefix: folder.prefix } })));
    if (want !== 'folder') {
      items.push(
        ...page.objects.map((object): StepItem => ({
          label: `$(file) ${object.name}`,
          description: formatBytes(object.size),
          step: { action: 'choose', item: { kind: 'object', key: object.key } },
        })),
      );
    }
  }
  if (failure !== undefined) {
    items.push({ label: `$(error) ${failure}`, description: 'Enter to try again', alwaysShow: true, step: { action: 'more' } });
  } else if (pages.at(-1)?.nextContinuationToken) {
    items.push({ label: '$(ellipsis) Load more…', alwaysShow: true, step: { action: 'more' } });
  } else if (items.length === wayOn) {
    items.push({ label: want === 'folder' ? 'No folders here' : 'No objects here', description: displayName(prefix || '/'), step: { action: 'open', prefix } });
  }
  return items;
}
