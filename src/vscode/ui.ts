import type { ObjectStore, ObjectStoreCreateInput, ObjectStoreUpdateInput } from '../core/objectStore';
import type { ObjectStoreSource } from '../core/ports';
import type { StoreRef } from '../core/sources';

/**
 * What commands ask of the editor's UI. Commands take it as a dependency, so
 * tests run them with scripted answers instead of the palette; prompts.ts
 * implements it with VS Code's input boxes, pickers and notifications.
 * Every question rejects with a 'cancelled' LogqsError when dismissed.
 */
export interface Ui {
  info(message: string): void;
  warn(message: string): void;
  /** A modal question; true when the person chose `action`. */
  confirm(message: string, detail: string, action: string): Promise<boolean>;
  pickSource(sources: readonly ObjectStoreSource[], placeHolder: string): Promise<ObjectStoreSource>;
  pickStore(stores: readonly StoreRef[], placeHolder: string): Promise<StoreRef>;
  promptNewStore(stores: readonly ObjectStore[]): Promise<ObjectStoreCreateInput>;
  promptStoreChange(store: ObjectStore, stores: readonly ObjectStore[]): Promise<ObjectStoreUpdateInput>;
}
