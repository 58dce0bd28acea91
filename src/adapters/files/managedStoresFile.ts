import * as z from 'zod';
import { LogqsError } from '../../core/errors';
import { type ObjectStoreCreate, objectStoreCreateSchema } from '../../core/objectStore';
import { readJsonDocument } from './jsonDocument';

/**
 * The file through which LogQS (an administrator, a deployment, the try-it
 * script) provisions managed object stores:
 *   { "objectStores": [ { "name": ..., "secret_access_key": ..., ... } ] }
 * Secrets are moved into SecretStorage; records are marked managed.
 */
const managedFileSchema = z.object({
  objectStores: z
    .array(objectStoreCreateSchema)
    .refine((entries) => new Set(entries.map((entry) => entry.name)).size === entries.length, 'names must be unique'),
});

export async function readManagedStoresFile(filePath: string): Promise<ObjectStoreCreate[]> {
  const document = await readJsonDocument(filePath, 'managed object stores file', managedFileSchema);
  if (!document.ok) {
    throw new LogqsError('invalid-input', `The managed object stores file ${filePath} is invalid: ${document.problem}`);
  }
  return document.data.objectStores;
}
