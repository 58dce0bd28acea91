import { LogqsError } from '../../core/errors';
import { folderNameProblem } from '../../core/objectService';
import { storeNodeOf } from '../explorer/nodes';
import type { CommandDeps } from './deps';
import { countSaid, stoppedPartWay } from './partWay';
import { revealAfter } from './reveal';
import { byStore, outermost, resolveTarget, resolveTargets, shownTargets } from './targets';

/** New Folder and Delete: the writes that are not transfers. */

type Deps = Pick<CommandDeps, 'sources' | 'ui' | 'report' | 'log' | 'objects' | 'editor' | 'runJob' | 'tree'>;

export const newFolder = (deps: Deps) => async (arg?: unknown) => {
  const target = await resolveTarget(deps, arg, { title: 'New Folder', want: 'folder', writes: true });
  const name = await deps.ui.askText({
    title: `New folder in "${target.ref.store.name}/${target.key}"`,
    prompt: 'Name of the new folder',
    validate: (text) => {
      const problem = folderNameProblem(text);
      return problem && `The folder name ${problem}`;
    },
  });
  // Spaces around a typed name are a slip of the keyboard, not part of it.
  const prefix = await deps.objects.createFolder(target.ref.source, target.ref.store.id, target.key, name.trim());
  deps.tree.objectsChanged(target.ref.store.id);
  // Said too: made from the palette, or in a folder whose filter hides its name, it is shown nowhere.
  deps.ui.info(`Created the folder "${prefix}" in "${target.ref.store.name}".`);
  const node = target.node && storeNodeOf(target.node);
  if (node) {
    await revealAfter(deps, 'New Folder', node.id, prefix);
  }
};

/** Deletes the selected objects and folders' contents, after saying how many objects that is. */
export const deleteObjects = (deps: Deps) => async (arg?: unknown, selected?: unknown) => {
  // Delete is not offered on stores: one that is only part of a selection is not a request to empty it.
  const targets = await resolveTargets(deps, arg, selected, { title: 'Delete', want: 'either', writes: true, wholeStore: false });
  if (targets.length === 0) {
    throw new LogqsError('invalid-input', 'Delete works on objects and folders, not on a whole store');
  }
  // A filtered folder loses what it shows, as it downloads what it shows: never objects the person can't see there.
  // (A folder's filter always shows some names: only a store's root, which Delete never takes, can have one that shows none.)
  const shown = shownTargets(targets, (node) => deps.tree.filterOf(node));
  for (const group of byStore(shown).map(outermost)) {
    const { ref } = group[0];
    const keys = group.filter((target) => target.kind === 'object').map((target) => target.key);
    const folders = group.filter((target) => target.kind === 'folder').map((target) => ({ prefix: target.key, listedAs: target.listedAs }));
    const inFolders = await deps.runJob(`Counting the objects to delete in "${ref.store.name}"`, async (signal) => {
      let count = 0;
      for (const folder of folders) {
        count += await deps.objects.countUnder(ref.source, ref.store.id, folder, signal);
      }
      return count;
    });
    const total = keys.length + inFolders;
    if (total === 0) {
      // Folders emptied since they were listed (or whose filter now shows nothing): no question about "0 objects".
      const [only] = folders;
      const where =
        folders.length > 1 ? `those ${folders.length} folders hold no object` : only.listedAs === undefined ? `"${only.prefix}" holds no object` : `the filter of "${only.prefix}" shows no object`;
      deps.ui.info(`Nothing to delete from "${ref.store.name}": ${where} now.`);
      continue;
    }
    const objects = `${total} object${total === 1 ? '' : 's'}`;
    const what = folders.length > 0 ? `${objects} (including ${foldersSaid(folders)})` : objects;
    const confirmed = await deps.ui.confirm(
      `Delete ${what} from "${ref.store.name}"?`,
      `They are removed from the bucket "${ref.store.bucket_name}". This can't be undone.`,
      'Delete',
    );
    if (!confirmed) {
      continue;
    }
    let outcome;
    /** Deleted so far: after a cancel or a failure, what can't be undone is said. */
    let deleted = 0;
    try {
      outcome = await deps.runJob(`Deleting from "${ref.store.name}"`, async (signal, onProgress) => {
        const reached = (count: number) => {
          deleted = count;
          onProgress({ filesDone: count, filesTotal: Math.max(total, count), bytesDone: 0 });
        };
        const result = await deps.objects.deleteObjects(ref.source, ref.store.id, keys, signal, reached);
        let done = result.deleted;
        const failures = [...result.failed];
        for (const folder of folders) {
          const result = await deps.objects.deleteFolder(ref.source, ref.store.id, folder, signal, (count) => reached(done + count));
          done += result.deleted;
          failures.push(...result.failed);
        }
        return { done, failed: failures };
      });
    } catch (error) {
      // At least: a request a cancel aborted may have been carried out by the server all the same.
      throw deleted === 0 ? error : stoppedPartWay(error, 'Delete', `at least ${countSaid(deleted, total, 'object')} had been deleted from "${ref.store.name}"`, deps.ui);
    } finally {
      // What went before a cancel or a failure is gone from the store: the tree drops it either way.
      deps.tree.objectsChanged(ref.store.id);
    }
    const { done, failed } = outcome;
    failed.forEach((entry) => deps.log.warn(`Not deleted: "${entry.key}": ${entry.reason}`));
    // A folder is deleted as it is listed then, not as counted: objects written into it since are gone too.
    deps.ui.info(
      `Deleted ${done} object${done === 1 ? '' : 's'} from "${ref.store.name}"${done > total ? ` (${done - total} more than counted: they came in the meantime)` : ''}${failed.length ? `; ${failed.length} could not be (see the LogQS log)` : ''}.`,
    );
  }
};

/** The folders of a confirmation: everything in one, or what its filter shows; or how many (and how many filtered). */
function foldersSaid(folders: readonly { prefix: string; listedAs?: string }[]): string {
  const filtered = folders.filter((folder) => folder.listedAs !== undefined).length;
  if (folders.length > 1) {
    return `everything in ${folders.length} folders${filtered > 0 ? `, ${filtered} of them only as far as their filter shows` : ''}`;
  }
  const [{ prefix, listedAs }] = folders;
  return listedAs === undefined ? `everything in "${prefix}"` : `everything in "${prefix}" that its filter shows: keys that start with "${listedAs}"`;
}
