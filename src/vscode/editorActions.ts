import * as vscode from 'vscode';
import type { EditorActions } from './commands/deps';
import type { ObjectStoreTreeProvider } from './explorer/provider';
import { type ObjectFileSystem, objectUri } from './fileSystem/objectFileSystem';
import type { TreeNode } from './explorer/nodes';

/** The editor side of the commands: tabs, the Explorer, the Object Stores view. */
export function editorActions(view: vscode.TreeView<TreeNode>, tree: ObjectStoreTreeProvider, fileSystem: ObjectFileSystem): EditorActions {
  return {
    async openObject(address, { large, preview }) {
      const uri = objectUri(address);
      if (large) {
        fileSystem.allowLarge(uri);
      }
      // vscode.open picks the editor VS Code has for the type: text, image preview, hex…
      await vscode.commands.executeCommand('vscode.open', uri, { preview });
    },
    async revealLocalFile(path) {
      const uri = vscode.Uri.file(path);
      if (vscode.workspace.getWorkspaceFolder(uri)) {
        await vscode.commands.executeCommand('revealInExplorer', uri);
      }
    },
    inWorkspace(path) {
      return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(path)) !== undefined;
    },
    async openLocalFile(path) {
      await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(path));
    },
    openTerminal(name, environment, message) {
      // The environment is given to this terminal's process only: not persisted (transient), not shown; it adds to the user's.
      vscode.window.createTerminal({ name, env: environment, isTransient: true, message }).show();
    },
    async revealKey(storeNodeId, key, options) {
      const node = await tree.findKey(storeNodeId, key, options);
      if (node) {
        await view.reveal(node, { select: true, focus: false, expand: false });
      }
    },
    async expand(node) {
      await view.reveal(node, { select: true, focus: false, expand: true });
    },
  };
}
