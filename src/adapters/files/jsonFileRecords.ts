import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { LogqsError } from '../../core/errors';
import { type ObjectStore, objectStoreSchema } from '../../core/objectStore';
import type { RecordRepository } from '../../core/ports';
import { readJsonDocument } from './jsonDocument';

const fileSchema = z.object({
  version: z.literal(1),
  objectStores: z.array(objectStoreSchema),
});

/**
 * Records kept in one JSON file. Writes go to a temporary file that is then
 * renamed over the old one, so a crash never leaves a half-written file. A
 * file that doesn't parse is never overwritten: that would lose records.
 */
export class JsonFileRecordRepository implements RecordRepository {
  constructor(readonly filePath: string) {}

  async load(): Promise<ObjectStore[]> {
    const document = await readJsonDocument(this.filePath, 'object stores file', fileSchema, { version: 1, objectStores: [] });
    if (!document.ok) {
      throw this.corrupt(document.problem);
    }
    return document.data.objectStores;
  }

  async save(stores: readonly ObjectStore[]): Promise<void> {
    const body = JSON.stringify({ version: 1, objectStores: stores }, null, 2) + '\n';
    const temporary = `${this.filePath}.${process.pid}.${Date.now()}.tmp`;
    try {
      await fs.mkdir(path.dirname(this.filePath), { recursive: true });
      await fs.writeFile(temporary, body, { encoding: 'utf8', mode: 0o600 });
      await fs.rename(temporary, this.filePath);
    } catch (error) {
      await fs.rm(temporary, { force: true }).catch(() => undefined);
      throw new LogqsError('storage', `Can't save the object stores file ${this.filePath}: ${(error as Error).message}`, { cause: error });
    }
  }

  private corrupt(reason: string): LogqsError {
    return new LogqsError(
      'storage',
      `The object stores file ${this.filePath} is damaged and was left untouched: ${reason}`,
    );
  }
}
