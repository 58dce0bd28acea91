import * as z from 'zod';
import { LogqsError } from '../../core/errors';
import { type ObjectStoreCreate, objectStoreCreateSchema } from '../../core/objectStore';
import { sameStoreName } from '../../core/storeRules';
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
    entries.forEach((entry, index) => {
      // The same text however its accents are written (see sameStoreName): both entries would follow one record.
      const first = entries.findIndex((other) => sameStoreName(other.name, entry.name));
      if (first !== index) {
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
