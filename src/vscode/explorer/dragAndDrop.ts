import * as vscode from 'vscode';
import type { ContainerNode, TreeNode } from './nodes';

/**
 * Files dragged from the Explorer (or the desktop) onto a store or folder are
 * uploaded there; dropped on an object, they go beside it.
 */
export class UploadOnDrop implements vscode.TreeDragAndDropController<TreeNode> {
  readonly dropMimeTypes = ['text/uri-list', 'files'];
  readonly dragMimeTypes: string[] = [];

  constructor(private readonly upload: (target: ContainerNode, paths: string[]) => Promise<void>) {}

  async handleDrop(target: TreeNode | undefined, dataTransfer: vscode.DataTransfer): Promise<void> {
    const container = target?.kind === 'object' ? target.parent : target?.kind === 'store' || target?.kind === 'folder' ? target : undefined;
    if (!container) {
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
    dataTransfer.forEach((item) => {
      const file = item.asFile();
      if (file?.uri?.scheme === 'file') {
        paths.add(file.uri.fsPath);
      }
    });
    if (paths.size > 0) {
      await this.upload(container, [...paths]);
    }
  }
}
