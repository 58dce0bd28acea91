import { LogqsError, userMessage } from '../../core/errors';
import { formatBytes } from '../../core/format';
import { folderFilterProblem, listingPrefix } from '../../core/keyPrefix';
import { type BrowsePage, FIND_PAGE_SIZE, browsePage, foundEntries } from '../../core/objectBrowser';
import { PrefixSearch } from '../../core/prefixSearch';
import type { StoreRef } from '../../core/sources';
import { assertUsable } from '../../core/storeRules';
import { type ContainerNode, FolderNode, StoreNode } from '../explorer/nodes';
import type { PickChoice } from '../ui';
import type { CommandDeps } from './deps';
import { copyPresignedUrl, openObject } from './objectCommands';
import { revealAfter } from './reveal';
import { USABLE, storesThatFit } from './targets';
import { download } from './transferCommands';

/** Find Object… (a server-side search by prefix as the person types), Filter… and Clear Filter on a store or folder. */

/** Quiet time after a keystroke before the server is asked: one request per pause, not per key. */
const FIND_DELAY_MS = 250;

type FindStep =
  | { action: 'object'; key: string }
  | { action: 'folder'; relative: string }
  | { action: 'more' }
  | { action: 'none' };

const AFTER_FIND = ['Open', 'Download…', 'Copy Presigned URL'] as const;

/** The label of the item that loads the next page: an icon only. */
export const MORE_RESULTS = '$(ellipsis)';

function isContainer(arg: unknown): arg is ContainerNode {
  return arg instanceof StoreNode || arg instanceof FolderNode;
}

/** What a page of results looks like in the list: folders narrow the search, objects are picked. */
function findItems(pages: readonly BrowsePage[], basePrefix: string): PickChoice<FindStep>[] {
  const items = foundEntries(pages, basePrefix).map(
    (entry): PickChoice<FindStep> =>
      entry.kind === 'folder'
        ? { label: `$(folder) ${entry.label}`, description: 'search in this folder', value: { action: 'folder', relative: entry.label } }
        : { label: `$(file) ${entry.label}`, description: formatBytes(entry.size ?? 0), value: { action: 'object', key: entry.key } },
  );
  if (items.length === 0) {
    items.push({ label: 'No keys start with this', value: { action: 'none' } });
  }
  if (pages.at(-1)?.nextContinuationToken) {
    // Its words are a description: a label the typed text matches ("mo…") would be sorted in among the results.
    items.push({ label: MORE_RESULTS, description: 'More results…', value: { action: 'more' } });
  }
  return items;
}

/**
 * Finds an object by the start of its key, under the clicked store or folder
 * (or a store picked from the palette), asking the server one page at a time
 * as the person types; then selects it in the tree and offers what to do.
 */
export const findObject = (deps: CommandDeps) => async (arg?: unknown) => {
  const node = isContainer(arg) ? arg : undefined;
  const ref: StoreRef = node
    ? { source: node.storeNode.source, store: node.storeNode.store }
    : await deps.ui.pickStore(await storesThatFit(deps, USABLE), 'Find Object: in which object store?');
  assertUsable(ref.store);
  const key = await pickFoundKey(deps, ref, node?.kind === 'folder' ? node.prefix : undefined);
  const storeNodeId = node?.storeNode.id ?? new StoreNode(undefined, ref.source, ref.store).id;
  // The tree loads its way to the key while the person chooses what to do. Its failure (a later page that can't be
  // listed) is logged, not the find's: it must not stand in for the action's result, nor for a dismissed choice.
  const revealing = revealAfter(deps, 'Find Object', storeNodeId, key, { loadPages: true });
  try {
    const action = await deps.ui.pickOne(key, AFTER_FIND.map((label) => ({ label, value: label })));
    const run = { Open: openObject, 'Download…': download, 'Copy Presigned URL': copyPresignedUrl }[action];
    await run(deps)({ id: ref.store.id, key });
  } finally {
    await revealing;
  }
};

/** The live list of Find Object, under a folder (the store's root when undefined); the full key of the object picked. */
async function pickFoundKey(deps: Pick<CommandDeps, 'ui' | 'log'>, ref: StoreRef, folderPrefix: string | undefined): Promise<string> {
  const basePrefix = listingPrefix(ref.store.key_prefix, folderPrefix);
  const picked = await deps.ui.livePick<FindStep>(
    { title: `Find Object in ${ref.store.name}/${basePrefix.slice((ref.store.key_prefix ?? '').length)}`, placeholder: 'Type the start of a key' },
    (pick) => {
      const search = new PrefixSearch<BrowsePage>({
        fetchPage: (text, continuationToken, signal) =>
          browsePage(ref.source, ref.store.id, { folderPrefix, startsWith: text, continuationToken, pageSize: FIND_PAGE_SIZE, signal }),
        onResults: (_text, pages) => {
          pick.items = findItems(pages, basePrefix);
        },
        onBusy: (busy) => {
          pick.busy = busy;
        },
        // Said in the list, not as a notification: the next keystroke may well fix it.
        onError: (_text, error) => {
          deps.log.warn(`Find Object in "${ref.store.name}": ${userMessage(error)}`);
          pick.items = [{ label: `$(error) ${userMessage(error)}`, value: { action: 'none' } }];
        },
        delayMs: FIND_DELAY_MS,
      });
      search.searchNow('');
      return {
        onValue: (text) => search.type(text),
        onAccept: (step) => {
          // Enter on a list that answers older text (a key pasted, Enter pressed at once) is no choice: the text is searched now.
          if (!search.shows(pick.value)) {
            search.searchNow(pick.value);
            return false;
          }
          if (step.action === 'more') {
            search.more();
          } else if (step.action === 'folder') {
            // At the store's root a text that starts with the key prefix is read as a full key (a pasted one), so a
            // folder named like the prefix ("logs/" holding "logs/logs/") is searched by its full key, not as the root.
            const { key_prefix: keyPrefix } = ref.store;
            const text = folderPrefix === undefined && keyPrefix && step.relative.startsWith(keyPrefix) ? keyPrefix + step.relative : step.relative;
            pick.value = text;
            search.searchNow(text);
          }
          return step.action === 'object';
        },
        dispose: () => search.dispose(),
      };
    },
  );
  if (picked.action !== 'object') {
    throw new LogqsError('bug', 'Find Object closed on an item that is not an object');
  }
  return picked.key;
}

function containerOf(arg: unknown, command: string): ContainerNode {
  if (!isContainer(arg)) {
    throw new LogqsError('invalid-input', `${command} works on a store or folder in the Object Stores view`);
  }
  return arg;
}

/** Shows only the children of a store or folder whose names start with what the person types; empty shows all. */
export const filterFolder = (deps: Pick<CommandDeps, 'ui' | 'tree' | 'editor'>) => async (arg?: unknown) => {
  const node = containerOf(arg, 'Filter…');
  const name = node.kind === 'folder' ? node.name : node.store.name;
  const text = await deps.ui.askText({
    title: `Filter ${name}`,
    prompt: 'Show only the children whose names start with this (empty shows all)',
    value: deps.tree.filterOf(node) ?? '',
    validate: folderFilterProblem,
  });
  deps.tree.setFilter(node, text);
  await deps.editor.expand(node);
};

export const clearFilter = (deps: Pick<CommandDeps, 'tree'>) => async (arg?: unknown) => {
  deps.tree.setFilter(containerOf(arg, 'Clear Filter'), '');
};
