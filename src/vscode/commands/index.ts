import { connectToLogqs, disconnectFromLogqs } from './connectionCommands';
import type { CommandDeps } from './deps';
import { deleteObjects, newFolder } from './editCommands';
import { clearFilter, filterFolder, findObject } from './findCommands';
import { copyKey, copyPresignedUrl, copyS3Uri, openObject, showObjectDetails } from './objectCommands';
import type { CommandSpec } from './register';
import { getSessionCredentials, openSessionTerminal } from './sessionCommands';
import { addObjectStore, deleteObjectStore, editObjectStore, setDefaultObjectStore } from './storeCommands';
import { download, downloadFromExplorer, upload, uploadDropped, uploadFromExplorer } from './transferCommands';
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
    { id: 'logqs.findObject', failure: 'Couldn\'t find the object', run: findObject(deps) },
    { id: 'logqs.filterFolder', failure: 'Couldn\'t filter', run: filterFolder(deps) },
    { id: 'logqs.clearFilter', failure: 'Couldn\'t clear the filter', run: clearFilter(deps) },
    { id: 'logqs.openObject', failure: 'Couldn\'t open the object', run: openObject(deps) },
    { id: 'logqs.copyPresignedUrl', failure: 'Couldn\'t make a presigned URL', run: copyPresignedUrl(deps) },
    { id: 'logqs.copyS3Uri', failure: 'Couldn\'t copy the S3 URI', run: copyS3Uri(deps) },
    { id: 'logqs.copyKey', failure: 'Couldn\'t copy the key', run: copyKey(deps) },
    { id: 'logqs.showObjectDetails', failure: 'Couldn\'t show the object\'s details', run: showObjectDetails(deps) },
    { id: 'logqs.download', failure: 'Couldn\'t download', run: download(deps) },
    { id: 'logqs.uploadFiles', failure: 'Couldn\'t upload', run: upload(false)(deps) },
    { id: 'logqs.uploadFolder', failure: 'Couldn\'t upload', run: upload(true)(deps) },
    { id: 'logqs.uploadPaths', failure: 'Couldn\'t upload', run: uploadDropped(deps) },
    { id: 'logqs.uploadFromExplorer', failure: 'Couldn\'t upload', run: uploadFromExplorer(deps) },
    { id: 'logqs.downloadFromExplorer', failure: 'Couldn\'t download', run: downloadFromExplorer(deps) },
    { id: 'logqs.newFolder', failure: 'Couldn\'t create the folder', run: newFolder(deps) },
    { id: 'logqs.deleteObjects', failure: 'Couldn\'t delete', run: deleteObjects(deps) },
    { id: 'logqs.connect', failure: 'Couldn\'t connect to LogQS', run: connectToLogqs(deps) },
    { id: 'logqs.disconnect', failure: 'Couldn\'t disconnect from LogQS', run: disconnectFromLogqs(deps) },
    { id: 'logqs.getSessionCredentials', failure: 'Couldn\'t get session credentials', run: getSessionCredentials(deps) },
    { id: 'logqs.openSessionTerminal', failure: 'Couldn\'t open a terminal with session credentials', run: openSessionTerminal(deps) },
  ];
}
