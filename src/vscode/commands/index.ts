import type { CommandDeps } from './deps';
import type { CommandSpec } from './register';
import { addObjectStore, deleteObjectStore, editObjectStore, setDefaultObjectStore } from './storeCommands';
import { loadMore, refresh } from './viewCommands';

/** Every command of the extension: its id (as in package.json), what its failure is called, and its body. */
export function commandSpecs(deps: CommandDeps): CommandSpec[] {
  return [
    { id: 'logqs.addObjectStore', failure: 'Couldn\'t add the object store', run: addObjectStore(deps) },
    { id: 'logqs.editObjectStore', failure: 'Couldn\'t edit the object store', run: editObjectStore(deps) },
    { id: 'logqs.deleteObjectStore', failure: 'Couldn\'t delete the object store', run: deleteObjectStore(deps) },
    { id: 'logqs.setDefaultObjectStore', failure: 'Couldn\'t set the default object store', run: setDefaultObjectStore(deps) },
    { id: 'logqs.refresh', failure: 'Couldn\'t refresh', run: refresh(deps) },
    { id: 'logqs.loadMore', failure: 'Couldn\'t load more objects', run: loadMore(deps) },
  ];
}
