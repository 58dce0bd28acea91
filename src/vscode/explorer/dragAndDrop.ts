import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ContainerNode, TreeNode } from './nodes';

/**
 * Files dragged from the Explorer (or the desktop) onto a store or folder are
 * uploaded there; dropped on an object, they go beside it, and on a folder's
 * "Load more…" or message ("No objects" of a new folder), into that folder. A file that comes
 * without a path (from the desktop into a browser-hosted editor) is written to
 * a temporary folder first, so every drop goes through the same upload. A
 * drop on the view's empty part says where to drop instead.
 */
export class UploadOnDrop implements vscode.TreeDragAndDropController<TreeNode> {
  readonly dropMimeTypes = ['text/uri-list', 'files'];
  readonly dragMimeTypes: string[] = [];

  constructor(
    private readonly upload: (target: ContainerNode, paths: string[]) => Promise<void>,
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
    const inMemory: vscode.DataTransferFile[] = [];
    dataTransfer.forEach((item) => {
      const file = item.asFile();
      if (file?.uri?.scheme === 'file') {
        paths.add(file.uri.fsPath);
      } else if (file && !file.uri) {
        inMemory.push(file);
      }
    });
    const staging = inMemory.length > 0 ? await fs.mkdtemp(path.join(os.tmpdir(), 'logqs-drop-')) : undefined;
    try {
      for (const [index, file] of inMemory.entries()) {
        // A folder each: two files of one name (from two desktop folders) must not overwrite each other here.
        const staged = path.join(staging!, String(index), path.basename(file.name));
        await fs.mkdir(path.dirname(staged));
        await fs.writeFile(staged, await file.data());
        paths.add(staged);
      }
      // Nothing from this computer (nodes of this view, say) still goes to the upload, which says why it refuses.
      await this.upload(container, [...paths]);
    } finally {
      if (staging) {
        await fs.rm(staging, { recursive: true, force: true });
      }
    }
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
