import { promises as fs } from 'node:fs';
import { z } from 'zod';
import { LogqsError } from '../core/errors';
import { type ObjectStoreCreate, objectStoreCreateSchema } from '../core/objectStore';

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
  let text: string;
  try {
    text = await fs.readFile(filePath, 'utf8');
  } catch (error) {
    throw new LogqsError('storage', `Can't read the managed object stores file ${filePath}: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LogqsError('invalid-input', `The managed object stores file ${filePath} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = managedFileSchema.safeParse(json);
  if (!parsed.success) {
    // Issue messages name the field, never the value, so no secret is echoed.
    const issue = parsed.error.issues[0];
    throw new LogqsError('invalid-input', `The managed object stores file ${filePath} is invalid: ${issue.path.join('.') || 'the file'} ${issue.message}`);
  }
  return parsed.data.objectStores;
}
