import * as vscode from 'vscode';
import type { TreeNode } from './nodes';
import { ObjectTreeModel } from './treeModel';
import { treeItemFor } from './treeItems';

export const VIEW_ID = 'logqs.objectStores';
export type { TreeDeps } from './treeModel';

/** The Object Stores view: the tree model, drawn by VS Code. */
export class ObjectStoreTreeProvider extends ObjectTreeModel implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;

  dispose(): void {
    this.emitter.dispose();
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return treeItemFor(node, this.filterOf(node));
  }

  protected override changed(node: TreeNode | undefined): void {
    this.emitter.fire(node);
  }
}
