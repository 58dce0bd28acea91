import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type * as z from 'zod';
import { LogqsError } from '../../core/errors';
import { parseJsonText } from '../../core/jsonText';

/** A JSON file's content checked against its schema, or why it can't be used, in words fit for a message. */
export type JsonDocument<T> = { ok: true; data: T } | { ok: false; problem: string };

/**
 * Reads and checks a JSON file. A file that can't be read is a storage error
 * (or `ifMissing` when it doesn't exist); bad content is returned as a
 * problem, so each caller says what that means for its own file.
 */
export async function readJsonDocument<S extends z.ZodType>(
  filePath: string,
  description: string,
  schema: S,
  ifMissing?: z.output<S>,
): Promise<JsonDocument<z.output<S>>> {
  let text: string;
  try {
    text = await fs.readFile(filePath, 'utf8');
  } catch (error) {
    if (ifMissing !== undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { ok: true, data: ifMissing };
    }
    throw new LogqsError('storage', `Can't read the ${description} ${filePath}: ${(error as Error).message}`, { cause: error });
  }
  // Never JSON.parse's own message: it quotes the text around the fault, which may be a secret.
  const json = parseJsonText(text);
  if (!json.ok) {
    return { ok: false, problem: json.problem };
  }
  const parsed = schema.safeParse(json.value);
  if (parsed.success) {
    return { ok: true, data: parsed.data };
  }
  // Issue messages name the field, never the value, so no secret is echoed.
  const issue = parsed.error.issues[0];
  return { ok: false, problem: `${issue.path.join('.') || 'the file'} ${issue.message}` };
}

/**
 * Writes a JSON file atomically: to a temporary file that is then renamed
 * over the old one, so a crash never leaves a half-written file. Readable by
 * its owner only.
 */
export async function writeJsonFile(filePath: string, description: string, value: unknown): Promise<void> {
  const body = JSON.stringify(value, null, 2) + '\n';
  // Unique per save, not per millisecond: two saves sharing one temporary file mix their bytes into it.
  const temporary = `${filePath}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await fs.mkdir(path.dirname(filePath), { recursive: true });
    await fs.writeFile(temporary, body, { encoding: 'utf8', mode: 0o600 });
    await fs.rename(temporary, filePath);
  } catch (error) {
    await fs.rm(temporary, { force: true }).catch(() => undefined);
    throw new LogqsError('storage', `Can't save the ${description} ${filePath}: ${(error as Error).message}`, { cause: error });
  }
}
