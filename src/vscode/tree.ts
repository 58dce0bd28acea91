import * as vscode from 'vscode';
import { toLogqsError } from '../core/errors';
import { formatBytes, storeLocation } from '../core/format';
import type { ObjectBrowser, ObjectEntry } from '../core/objectBrowser';
import type { ObjectStore } from '../core/objectStore';
import type { ObjectStoreRegistry } from '../core/registryService';
import { type Log, reportError } from './log';
import { listingPageSize } from './settings';

export const VIEW_ID = 'logqs.objectStores';

export class StoreNode {
  readonly kind = 'store';
  constructor(readonly store: ObjectStore) {}
}

export class FolderNode {
  readonly kind = 'folder';
  constructor(
    readonly store: ObjectStore,
    readonly prefix: string,
    readonly name: string,
  ) {}
}

export class ObjectNode {
  readonly kind = 'object';
  constructor(
    readonly store: ObjectStore,
    readonly entry: ObjectEntry,
  ) {}
}

export class LoadMoreNode {
  readonly kind = 'loadMore';
  constructor(readonly parent: ContainerNode) {}
}

export class MessageNode {
  readonly kind = 'message';
  constructor(
    /** Undefined for a message at the root of the view. */
    readonly parent: ContainerNode | undefined,
    readonly text: string,
    readonly isError: boolean,
  ) {}
}

export type ContainerNode = StoreNode | FolderNode;
export type TreeNode = ContainerNode | ObjectNode | LoadMoreNode | MessageNode;

/** What has been loaded under a store or folder so far, page by page. */
interface Listing {
  children: TreeNode[];
  nextContinuationToken?: string;
}

function nodeId(node: TreeNode): string {
  switch (node.kind) {
    case 'store':
      return `store:${node.store.id}`;
    case 'folder':
      return `folder:${node.store.id}:${node.prefix}`;
    case 'object':
      return `object:${node.store.id}:${node.entry.key}`;
    case 'loadMore':
      return `${nodeId(node.parent)}:loadMore`;
    case 'message':
      return `${node.parent ? nodeId(node.parent) : 'root'}:message`;
  }
}

/** Context tokens that package.json `when` clauses match with regular expressions. */
function storeContextValue(store: ObjectStore): string {
  return [
    'store',
    store.managed ? 'managed' : 'editable',
    store.default ? 'default' : 'notDefault',
    store.disabled ? 'disabled' : 'enabled',
  ].join(' ');
}

/** What a listing depends on: when any of it changes, the store's listings are stale. */
function dataPlaneKey(store: ObjectStore): string {
  return JSON.stringify([store.bucket_name, store.region_name, store.endpoint_url, store.key_prefix, store.access_key_id, store.disabled]);
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
    ['secret_access_key', 'kept in secret storage (write-only)'],
    ['default', String(store.default)],
    ['read_only', String(store.read_only)],
    ['managed', String(store.managed)],
    ['disabled', String(store.disabled)],
  ];
  if (store.note) {
    rows.push(['note', store.note]);
  }
  const markdown = new vscode.MarkdownString(`**${escapeMarkdown(store.name)}**\n\n`);
  markdown.appendMarkdown(rows.map(([key, value]) => `- ${key}: \`${value.replace(/`/g, "'")}\``).join('\n'));
  return markdown;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

export class ObjectStoreTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly listings = new Map<string, Listing>();
  private readonly inFlight = new Map<string, Promise<Listing>>();
  /** The records the tree was last drawn from, to tell which listings a change made stale. */
  private listedStores = new Map<string, ObjectStore>();

  constructor(
    private readonly registry: ObjectStoreRegistry,
    private readonly browser: ObjectBrowser,
    private readonly log: Log,
  ) {}

  dispose(): void {
    this.changed.dispose();
  }

  /** Forgets what was listed (everywhere, or under one store) and redraws. */
  refresh(node?: ContainerNode): void {
    if (node) {
      this.forgetListings(node.store.id);
    } else {
      this.listings.clear();
    }
    this.changed.fire(node);
  }

  /**
   * Redraws the list of stores after a record changed. Listings are kept for
   * stores whose bucket, prefix, endpoint and credentials are unchanged, so an
   * edit of one store doesn't re-list (and re-report errors of) the others.
   */
  storesChanged(): void {
    this.changed.fire(undefined);
  }

  private forgetListings(storeId: string): void {
    const storePrefix = `store:${storeId}`;
    const folderPrefix = `folder:${storeId}:`;
    for (const key of this.listings.keys()) {
      if (key === storePrefix || key.startsWith(folderPrefix)) {
        this.listings.delete(key);
      }
    }
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const item = this.createTreeItem(node);
    item.id = nodeId(node);
    return item;
  }

  private createTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'store': {
        const item = new vscode.TreeItem(node.store.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = storeDescription(node.store);
        item.tooltip = storeTooltip(node.store);
        item.contextValue = storeContextValue(node.store);
        item.iconPath = new vscode.ThemeIcon(node.store.disabled ? 'circle-slash' : node.store.default ? 'star-full' : 'database');
        return item;
      }
      case 'folder': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.tooltip = node.prefix;
        item.contextValue = node.store.read_only ? 'folder readOnly' : 'folder writable';
        item.iconPath = vscode.ThemeIcon.Folder;
        return item;
      }
      case 'object': {
        const item = new vscode.TreeItem(node.entry.name, vscode.TreeItemCollapsibleState.None);
        item.description = formatBytes(node.entry.size);
        const modified = node.entry.lastModified ? `\n\nLast modified: ${node.entry.lastModified.toISOString()}` : '';
        item.tooltip = new vscode.MarkdownString(`\`${node.entry.key.replace(/`/g, "'")}\`\n\n${node.entry.size.toLocaleString('en-US')} bytes${modified}`);
        item.contextValue = 'object';
        item.iconPath = vscode.ThemeIcon.File;
        // Lets the file icon theme pick an icon from the name.
        item.resourceUri = vscode.Uri.from({ scheme: 'logqs-object', path: `/${node.entry.name}` });
        return item;
      }
      case 'loadMore': {
        const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
        item.command = { command: 'logqs.loadMore', title: 'Load more', arguments: [node] };
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.contextValue = 'loadMore';
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.tooltip = node.text;
        item.iconPath = new vscode.ThemeIcon(node.isError ? 'error' : 'info');
        item.contextValue = node.isError ? 'message error' : 'message';
        return item;
      }
    }
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (!node) {
      return this.rootChildren();
    }
    if (node.kind !== 'store' && node.kind !== 'folder') {
      return [];
    }
    const listing = this.listings.get(nodeId(node)) ?? (await this.loadFirstPage(node));
    return listing.nextContinuationToken ? [...listing.children, new LoadMoreNode(node)] : listing.children;
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.kind === 'loadMore' || node.kind === 'message' ? node.parent : undefined;
  }

  /** Appends the next page under a store or folder. */
  async loadMore(node: LoadMoreNode): Promise<void> {
    const key = nodeId(node.parent);
    const listing = this.listings.get(key);
    if (!listing?.nextContinuationToken) {
      return;
    }
    const { page, children } = await this.listPage(node.parent, listing.nextContinuationToken);
    this.listings.set(key, {
      children: [...listing.children, ...children],
      nextContinuationToken: page.nextContinuationToken,
    });
    this.changed.fire(node.parent);
  }

  private async rootChildren(): Promise<TreeNode[]> {
    try {
      const stores = await this.registry.list();
      const current = new Map(stores.map((store) => [store.id, store]));
      for (const [id, before] of this.listedStores) {
        const after = current.get(id);
        if (!after || dataPlaneKey(after) !== dataPlaneKey(before)) {
          this.forgetListings(id);
        }
      }
      this.listedStores = current;
      return stores.map((store) => new StoreNode(store));
    } catch (error) {
      reportError(this.log, 'Couldn\'t load object stores', error);
      // An empty list would show the welcome view and invite adding over a damaged file.
      return [new MessageNode(undefined, toLogqsError(error).message, true)];
    }
  }

  private loadFirstPage(node: ContainerNode): Promise<Listing> {
    const key = nodeId(node);
    const pending = this.inFlight.get(key);
    if (pending) {
      return pending;
    }
    const load = this.listFirstPage(node).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, load);
    return load;
  }

  private async listFirstPage(node: ContainerNode): Promise<Listing> {
    const key = nodeId(node);
    let listing: Listing;
    try {
      const { page, children } = await this.listPage(node);
      listing = {
        children: children.length > 0 || page.nextContinuationToken ? children : [new MessageNode(node, 'No objects', false)],
        nextContinuationToken: page.nextContinuationToken,
      };
      this.log.info(`Listed "${page.prefix}" in "${node.store.name}": ${page.folders.length} folders, ${page.objects.length} objects${page.nextContinuationToken ? ', more to load' : ''}`);
    } catch (error) {
      const problem = toLogqsError(error);
      reportError(this.log, `Couldn't list objects in "${node.store.name}"`, problem);
      listing = { children: [new MessageNode(node, problem.message, true)] };
    }
    // Errors are kept too, so a redraw doesn't raise the same notification again; Refresh retries.
    this.listings.set(key, listing);
    return listing;
  }

  /** One page of the objects under a store or folder, and the tree nodes that show it. */
  private async listPage(node: ContainerNode, continuationToken?: string) {
    const page = await this.browser.listPage(node.store.id, {
      folderPrefix: node.kind === 'folder' ? node.prefix : undefined,
      continuationToken,
      pageSize: listingPageSize(),
    });
    const children: TreeNode[] = [
      ...page.folders.map((folder) => new FolderNode(node.store, folder.prefix, folder.name)),
      ...page.objects.map((entry) => new ObjectNode(node.store, entry)),
    ];
    return { page, children };
  }
}
