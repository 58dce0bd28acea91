import type { ObjectStore, ObjectStoreCreateInput, ObjectStoreUpdateInput } from '../core/objectStore';
import type { ObjectStoreSource } from '../core/ports';
import type { StoreRef } from '../core/sources';
import type { ConflictChoice, TransferProgress } from '../core/transfer';

/** An object or folder chosen by browsing a store. */
export interface BrowsedItem {
  kind: 'object' | 'folder';
  /** Full key, or full prefix ending in "/" ("" for the store's root). */
  key: string;
}

export interface BrowseRequest {
  title: string;
  want: 'object' | 'folder' | 'either';
  /** False when the store's root is no answer (Delete: a store is not emptied by a pick at its root). */
  rootFolder?: boolean;
}

/**
 * What commands ask of the editor's UI. Commands take it as a dependency, so
 * tests run them with scripted answers instead of the palette; prompts.ts
 * implements it with VS Code's input boxes, pickers and notifications.
 * Every question rejects with a 'cancelled' LogqsError when dismissed.
 */
export interface Ui {
  /** A notification; `actions` are its buttons (what a person may want next, such as the log or the file). */
  info(message: string, actions?: readonly MessageAction[]): void;
  warn(message: string): void;
  /** A passing word in the status bar (a copy done): nothing to answer or dismiss. */
  status(message: string): void;
  /** A modal question; true when the person chose `action`. */
  confirm(message: string, detail: string, action: string): Promise<boolean>;
  /** A modal question with several answers; rejects 'cancelled' when dismissed. */
  choose<T extends string>(message: string, detail: string, answers: readonly T[]): Promise<T>;
  /** An input box validated as the person types. */
  askText(request: { title: string; prompt: string; value?: string; password?: boolean; validate?: (text: string) => string | undefined }): Promise<string>;
  pickSource(sources: readonly ObjectStoreSource[], placeHolder: string): Promise<ObjectStoreSource>;
  pickStore(stores: readonly StoreRef[], placeHolder: string): Promise<StoreRef>;
  /** `secretKeptBy`: where the secret access key goes, as the secret's prompt says it ("kept in this editor's secret storage"). */
  promptNewStore(stores: readonly ObjectStore[], secretKeptBy: string): Promise<ObjectStoreCreateInput>;
  promptStoreChange(store: ObjectStore, stores: readonly ObjectStore[]): Promise<ObjectStoreUpdateInput>;
  /** Browses a store folder by folder until the person picks an object or a folder, as `want` allows. */
  browseStore(ref: StoreRef, request: BrowseRequest): Promise<BrowsedItem>;
  /** A local folder (the workspace folder offered first); its file-system path. */
  pickLocalFolder(request: { title: string }): Promise<string>;
  /** Local files or folders to upload; their file-system paths. */
  pickLocalPaths(request: { title: string; folders: boolean }): Promise<string[]>;
  /** What to do with things that exist already: asked once per job. */
  askConflict(existing: string): Promise<ConflictChoice>;
  copyToClipboard(text: string): Promise<void>;
  /** Rows of facts about something, shown to read (and copy). */
  showDetails(title: string, rows: readonly (readonly [string, string])[]): void;
  /** One of several choices in a list. */
  pickOne<T>(title: string, choices: readonly PickChoice<T>[]): Promise<T>;
  /**
   * A list whose items the caller supplies as the person types (they are
   * shown as given, not filtered again); resolves with the value of an item
   * whose acceptance closes it, rejects 'cancelled' when dismissed.
   */
  livePick<T>(request: { title: string; placeholder: string }, start: (pick: LivePick<T>) => LivePickBehaviour<T>): Promise<T>;
}

/** A button on a notification, and what pressing it does. */
export interface MessageAction {
  label: string;
  run(): unknown;
}

/** The list of a livePick, as its caller changes it. */
export interface LivePick<T> {
  /** The text in the input box; setting it puts the caller's text there. */
  value: string;
  items: readonly PickChoice<T>[];
  busy: boolean;
}

export interface LivePickBehaviour<T> {
  /** The person changed the text. */
  onValue(text: string): void;
  /** An item was accepted: true closes the list with its value, false keeps it open (the caller changed it). */
  onAccept(value: T): boolean;
  /** The list closed, either way. */
  dispose(): void;
}

export interface PickChoice<T> {
  label: string;
  description?: string;
  value: T;
}

/** A long job with a cancellable progress notification. */
export type RunJob = <T>(
  title: string,
  job: (signal: AbortSignal, report: (progress: TransferProgress) => void) => Promise<T>,
) => Promise<T>;
