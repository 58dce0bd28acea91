import * as z from 'zod';
import { LogqsError } from '../../core/errors';
import { type ObjectStore, objectStoreSchema } from '../../core/objectStore';
import type { RecordRepository } from '../../core/ports';
import { recordsProblem } from '../../core/storeRules';
import { LockedJsonFile, readJsonDocument } from './jsonDocument';

const fileSchema = z.object({
  version: z.literal(1),
  // A record's fields this version doesn't know (added by hand, or by a newer version) are kept: every save
  // writes the records back whole, and would otherwise drop them. Edits spread the record, so they keep them too.
  objectStores: z.array(objectStoreSchema.loose()),
});

/**
 * Records kept in one JSON file. Writes go to a temporary file that is then
 * renamed over the old one, so a crash never leaves a half-written file. A
 * file that doesn't parse is never overwritten: that would lose records.
 */
export class JsonFileRecordRepository implements RecordRepository {
  private readonly file: LockedJsonFile;

  constructor(readonly filePath: string) {
    this.file = new LockedJsonFile(filePath, 'object stores file');
  }

  async load(): Promise<ObjectStore[]> {
    const document = await readJsonDocument(this.filePath, 'object stores file', fileSchema, { version: 1, objectStores: [] });
    if (!document.ok) {
      throw this.corrupt(document.problem);
    }
    // A disabled store is never the default: one left both by an earlier version (or a hand) is read as not the
    // default, and the next save writes it so.
    const stores = document.data.objectStores.map((store) => (store.default && store.disabled ? { ...store, default: false } : store));
    const problem = recordsProblem(stores);
    if (problem) {
      throw this.corrupt(problem);
    }
    return stores;
  }

  async save(stores: readonly ObjectStore[]): Promise<void> {
    await this.file.write({ version: 1, objectStores: stores });
  }

  /**
   * Every editor window has its own extension host over this one file: a
   * change (load, change, save) holds the file's lock, so that no window
   * saves over a record another window has just added.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.file.exclusive(work);
  }

  private corrupt(reason: string): LogqsError {
    return new LogqsError(
      'storage',
      `The object stores file ${this.filePath} is damaged and was left untouched: ${reason}`,
    );
  }
}
