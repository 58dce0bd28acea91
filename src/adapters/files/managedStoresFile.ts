import * as z from 'zod';
import { LogqsError } from '../../core/errors';
import { type ObjectStoreCreate, objectStoreCreateSchema } from '../../core/objectStore';
import { storeNameKey } from '../../core/storeRules';
import { readJsonDocument } from './jsonDocument';

/**
 * The file through which LogQS (an administrator, a deployment, the try-it
 * script) provisions managed object stores:
 *   { "objectStores": [ { "name": ..., "secret_access_key": ..., ... } ] }
 * Secrets are moved into SecretStorage; records are marked managed.
 */
const managedFileSchema = z.object({
  objectStores: z.array(objectStoreCreateSchema).superRefine((entries, ctx) => {
    // Said of the entry that repeats a name, with the entry it repeats, so the file's author can find both.
    // Compared as store names are (see storeNameKey): two spellings of one text would follow one record.
    const firstWith = new Map<string, number>();
    entries.forEach((entry, index) => {
      const first = firstWith.get(storeNameKey(entry.name));
      if (first === undefined) {
        firstWith.set(storeNameKey(entry.name), index);
      } else {
        ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `is the name of objectStores.${first} too: names must be unique` });
      }
    });
  }),
});

export async function readManagedStoresFile(filePath: string): Promise<ObjectStoreCreate[]> {
  const document = await readJsonDocument(filePath, 'managed object stores file', managedFileSchema);
  if (!document.ok) {
    throw new LogqsError('invalid-input', `The managed object stores file ${filePath} is invalid: ${document.problem}`);
  }
  return document.data.objectStores;
}
