import * as z from 'zod';
import { type Connection, connectionSchema } from '../../core/connections';
import { LogqsError } from '../../core/errors';
import { LockedJsonFile, readJsonDocument } from './jsonDocument';

const fileSchema = z.object({ version: z.literal(1), connections: z.array(connectionSchema) });

/** The LogQS DataStores the extension is connected to, in one JSON file (no secrets: those are in secret storage). */
export class JsonFileConnections {
  private readonly file: LockedJsonFile;

  constructor(readonly filePath: string) {
    this.file = new LockedJsonFile(filePath, 'LogQS connections file');
  }

  async load(): Promise<Connection[]> {
    const document = await readJsonDocument(this.filePath, 'LogQS connections file', fileSchema, { version: 1, connections: [] });
    if (!document.ok) {
      throw new LogqsError('storage', `The LogQS connections file ${this.filePath} is damaged and was left untouched: ${document.problem}`);
    }
    return document.data.connections;
  }

  async save(connections: readonly Connection[]): Promise<void> {
    await this.file.write({ version: 1, connections });
  }

  /** Runs `work` (a load, a change, a save) while no other window changes the file. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.file.exclusive(work);
  }
}
