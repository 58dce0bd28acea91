import * as vscode from 'vscode';
import type { DroppedFile } from '../../adapters/files/droppedFiles';
import type { ContainerNode, TreeNode } from './nodes';

/**
 * Files dragged from the Explorer (or the desktop) onto a store or folder are
 * uploaded there; dropped on an object, they go beside it, and on a folder's
 * "Load more…" or message ("No objects" of a new folder), into that folder.
 * Files that come without a path (from the desktop into a browser-hosted
 * editor) go to the upload as they are: it copies them to a temporary folder
 * once it knows the store takes them, under its progress and Cancel. A drop
 * on the view's empty part says where to drop instead.
 */
export class UploadOnDrop implements vscode.TreeDragAndDropController<TreeNode> {
  readonly dropMimeTypes = ['text/uri-list', 'files'];
  readonly dragMimeTypes: string[] = [];

  constructor(
    private readonly upload: (target: ContainerNode, paths: string[], withoutPath: DroppedFile[]) => Promise<void>,
    /** Said for a drop on the view's empty part: there is no store or folder under it to upload to. */
    private readonly tellWhereToDrop: () => void,
  ) {}

  async handleDrop(target: TreeNode | undefined, dataTransfer: vscode.DataTransfer): Promise<void> {
    const container = dropContainer(target);
    if (!container) {
      this.tellWhereToDrop();
      return;
    }
    const paths = new Set<string>();
    const uriList = await dataTransfer.get('text/uri-list')?.asString();
    for (const line of uriList?.split(/\r?\n/) ?? []) {
      if (line.trim() && !line.startsWith('#')) {
        const uri = vscode.Uri.parse(line.trim());
        if (uri.scheme === 'file') {
          paths.add(uri.fsPath);
        }
      }
    }
    const withoutPath: DroppedFile[] = [];
    dataTransfer.forEach((item) => {
      const file = item.asFile();
      if (file?.uri?.scheme === 'file') {
        paths.add(file.uri.fsPath);
      } else if (file && !file.uri) {
        withoutPath.push(file);
      }
    });
    // Nothing from this computer (nodes of this view, say) still goes to the upload, which says why it refuses.
    await this.upload(container, [...paths], withoutPath);
  }
}

/** The store or folder a drop on `target` goes to: none for the view's empty part, a source, or the list of stores. */
function dropContainer(target: TreeNode | undefined): ContainerNode | undefined {
  switch (target?.kind) {
    case 'store':
    case 'folder':
      return target;
    case 'object':
      return target.parent;
    case 'loadMore':
    case 'message':
      return target.parent?.kind === 'store' || target.parent?.kind === 'folder' ? target.parent : undefined;
    default:
      return undefined;
  }
}
