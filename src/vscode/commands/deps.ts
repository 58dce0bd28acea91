import type { ObjectService } from '../../core/objectService';
import type { ConnectionSettings } from '../../core/connections';
import type { ObjectStoreSource, SessionCredentials } from '../../core/ports';
import type { StoreRef, StoreSources } from '../../core/sources';
import type { ContainerNode } from '../explorer/nodes';
import type { ObjectStoreTreeProvider } from '../explorer/provider';
import type { ObjectAddress } from '../fileSystem/objectAddress';
import type { LogSink } from '../log';
import type { RunJob, Ui } from '../ui';

/** What the commands do to the editor beyond asking questions: open tabs, reveal things. */
export interface EditorActions {
  /**
   * Opens an object in an editor tab (the editor VS Code has for its type). `large`: the person agreed to open it
   * above the limit. `preview`: in the preview tab, which the next preview replaces (a click); false for each of a selection.
   */
  openObject(address: ObjectAddress, options: { large: boolean; preview: boolean }): Promise<void>;
  /** Shows a downloaded file in the Explorer (which opens in the sidebar), if it is in the workspace. */
  revealLocalFile(path: string): Promise<void>;
  /** Whether a local file is in the workspace, where the Explorer can show it. */
  inWorkspace(path: string): boolean;
  /** Opens a local file in an editor tab (the editor VS Code has for its type). */
  openLocalFile(path: string): Promise<void>;
  /**
   * Selects a key (object or folder) in the Object Stores view once its folder
   * is listed, if it is on a loaded page; with `loadPages`, wherever it is
   * (the pages on its way loaded, filters hiding it cleared).
   */
  revealKey(storeNodeId: string, key: string, options?: { loadPages?: boolean }): Promise<void>;
  /** Opens a store or folder in the Object Stores view. */
  expand(node: ContainerNode): Promise<void>;
  /** Opens a terminal with these environment variables added (and nothing of them written anywhere), showing `message` first. */
  /** `environment`: added to the user's; a null removes a variable. */
  openTerminal(name: string, environment: Record<string, string | null>, message: string): void;
}

/** The settings commands read, as functions so a change applies to the next command. */
export interface CommandSettings {
  openSizeLimitBytes(): number;
  presignExpirySeconds(): number;
}

/** Connecting to LogQS DataStores: what the commands need of it. */
export interface ConnectionDeps {
  connect(settings: ConnectionSettings & { name?: string }, signal?: AbortSignal): Promise<ObjectStoreSource>;
  disconnect(sourceId: string): Promise<unknown>;
  /** Settings found where the LogQS client looks for them (its environment variables, a logqs-config.json in the workspace). */
  hints(): Promise<{ label: string; settings: ConnectionSettings }[]>;
}

/** What every command may use; each command takes the part it needs, so tests can hand it fakes. */
export interface CommandDeps {
  sources: StoreSources;
  tree: Pick<ObjectStoreTreeProvider, 'refresh' | 'loadMore' | 'objectsChanged' | 'setFilter' | 'filterOf'>;
  ui: Ui;
  log: LogSink;
  /** Shows and logs an error that happens after a command has settled (a background check). */
  report: (action: string, error: unknown) => void;
  objects: Pick<
    ObjectService,
    'fetchObject' | 'presignedUrl' | 'download' | 'upload' | 'createFolder' | 'countUnder' | 'deleteObjects' | 'deleteFolder'
  >;
  runJob: RunJob;
  editor: EditorActions;
  settings: CommandSettings;
  /** A store's session credentials, kept and renewed before they expire (one home: the cache). */
  sessionCredentials: (ref: StoreRef, signal: AbortSignal) => Promise<SessionCredentials>;
  connections: ConnectionDeps;
}

/** A plain object given to a command (from another extension or a test) rather than a tree node. */
export function isInputObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;
}
