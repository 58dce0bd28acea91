import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod';
import { LogqsError } from '../../core/errors';
import { type ObjectStore, objectStoreSchema } from '../../core/objectStore';
import type { RecordRepository } from '../../core/ports';
import { readJsonDocument, writeJsonFile } from './jsonDocument';

/** A lock older than this was left by a window that died holding it. */
const STALE_LOCK_MS = 30_000;
/** How long a change waits for another window's before giving up. */
const LOCK_WAIT_MS = 10_000;

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
    await writeJsonFile(this.filePath, 'object stores file', { version: 1, objectStores: stores });
  }

  /**
   * Every editor window has its own extension host over this one file: a
   * change (load, change, save) holds a lock file, created exclusively, so
   * that no window saves over a record another window has just added.
   */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    const lock = `${this.filePath}.lock`;
    await fs.mkdir(path.dirname(lock), { recursive: true });
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        await fs.writeFile(lock, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new LogqsError('storage', `Can't lock the object stores file ${this.filePath}: ${(error as Error).message}`, { cause: error });
        }
        const age = await fs.stat(lock).then((stat) => Date.now() - stat.mtimeMs, () => 0);
        if (age > STALE_LOCK_MS) {
          await fs.rm(lock, { force: true });
        } else if (Date.now() > deadline) {
          throw new LogqsError('storage', `The object stores file ${this.filePath} is being changed by another window; try again`);
        } else {
          await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20));
        }
      }
    }
    try {
      return await work();
    } finally {
      await fs.rm(lock, { force: true }).catch(() => undefined);
    }
  }

  private corrupt(reason: string): LogqsError {
    return new LogqsError(
      'storage',
      `The object stores file ${this.filePath} is damaged and was left untouched: ${reason}`,
    );
  }
}
