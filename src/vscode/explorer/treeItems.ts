import * as vscode from 'vscode';
import { formatBytes, storeLocation } from '../../core/format';
import type { ObjectStore } from '../../core/objectStore';
import { contextValue } from './contextValue';
import type { TreeNode } from './nodes';
import { toUriParts } from '../fileSystem/objectAddress';

/** How each node looks in the Object Stores view; a filtered store or folder says its filter. */
export function treeItemFor(node: TreeNode, filter?: string): vscode.TreeItem {
  const item = createTreeItem(node);
  item.id = node.id;
  item.contextValue = contextValue(node, filter);
  if (filter !== undefined) {
    item.description = [item.description, filterDescription(filter)].filter(Boolean).join(' · ');
  }
  return item;
}

export const filterDescription = (filter: string) => `filter: ${filter}*`;

function createTreeItem(node: TreeNode): vscode.TreeItem {
  switch (node.kind) {
    case 'source': {
      const item = new vscode.TreeItem(node.source.label, vscode.TreeItemCollapsibleState.Expanded);
      item.iconPath = new vscode.ThemeIcon(node.source.id === 'embedded' ? 'device-desktop' : 'cloud');
      return item;
    }
    case 'store': {
      const { store } = node;
      const item = new vscode.TreeItem(store.name, vscode.TreeItemCollapsibleState.Collapsed);
      item.description = storeDescription(store);
      item.tooltip = storeTooltip(store);
      item.iconPath = new vscode.ThemeIcon(store.disabled ? 'circle-slash' : store.default ? 'star-full' : 'database');
      return item;
    }
    case 'folder': {
      const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Collapsed);
      item.tooltip = node.prefix;
      item.iconPath = vscode.ThemeIcon.Folder;
      return item;
    }
    case 'object': {
      const { entry } = node;
      const item = new vscode.TreeItem(entry.name, vscode.TreeItemCollapsibleState.None);
      item.description = formatBytes(entry.size);
      const modified = entry.lastModified ? `\n\nLast modified: ${entry.lastModified.toISOString()}` : '';
      item.tooltip = new vscode.MarkdownString(`${inlineCode(entry.key)}\n\n${entry.size.toLocaleString('en-US')} bytes${modified}`);
      item.iconPath = vscode.ThemeIcon.File;
      // The object's own address: the file icon theme picks an icon from its name, and a row dragged out of the view
      // carries it (VS Code puts a row's resourceUri into the drag), an address the logqs: file system serves.
      item.resourceUri = vscode.Uri.from(toUriParts({ sourceId: node.storeNode.source.id, storeId: node.storeNode.store.id, key: entry.key }));
      item.command = { command: 'logqs.openObject', title: 'Open Object', arguments: [node] };
      return item;
    }
    case 'loadMore': {
      const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
      item.command = { command: 'logqs.loadMore', title: 'Load more', arguments: [node] };
      item.iconPath = new vscode.ThemeIcon('ellipsis');
      return item;
    }
    case 'message': {
      const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
      item.tooltip = node.text;
      item.iconPath = new vscode.ThemeIcon(node.isError ? 'error' : 'info');
      return item;
    }
  }
}

function storeDescription(store: ObjectStore): string {
  const flags = [
    store.default && 'default',
    store.read_only && 'read-only',
    store.managed && 'managed',
    store.disabled && 'disabled',
  ].filter(Boolean);
  return [storeLocation(store), ...flags].join(' · ');
}

function storeTooltip(store: ObjectStore): vscode.MarkdownString {
  const rows: [string, string][] = [
    ['bucket_name', store.bucket_name],
    ['region_name', store.region_name],
    ['endpoint_url', store.endpoint_url ?? 'AWS S3 (default)'],
    ['key_prefix', store.key_prefix ?? '(none)'],
    ['access_key_id', store.access_key_id],
    // Kept where its source keeps it: this editor's secret storage, or a LogQS DataStore.
    ['secret_access_key', 'write-only, never shown'],
    ['default', String(store.default)],
    ['read_only', String(store.read_only)],
    ['managed', String(store.managed)],
    ['disabled', String(store.disabled)],
  ];
  if (store.note) {
    rows.push(['note', store.note]);
  }
  const markdown = new vscode.MarkdownString(`**${escapeMarkdown(store.name)}**\n\n`);
  markdown.appendMarkdown(rows.map(([key, value]) => `- ${key}: ${inlineCode(value)}`).join('\n'));
  return markdown;
}

/** Text as Markdown inline code; backticks can't be escaped inside it, so they become quotes. */
function inlineCode(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
