import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import {
  type Connection,
  type ConnectionSettings,
  DEFAULT_API_ENDPOINT_PREFIX,
  DEFAULT_API_URL,
  apiKeySecretSchema,
  connectionSchema,
  defaultConnectionName,
} from '../../core/connections';
import { LogqsError } from '../../core/errors';
import { parseInput } from '../../core/objectStore';
import type { SecretVault } from '../../core/ports';
import type { SessionCredentialCache } from '../../core/sessionCache';
import type { StoreSources } from '../../core/sources';
import type { JsonFileConnections } from '../files/connectionsFile';
import { LIST_STORES, LogqsClient, type LogqsClientOptions } from './logqsClient';
import { listEnvelope } from './logqsSchemas';
import { LogqsStoreSource, logqsSourceId } from './logqsStoreSource';

export interface LogqsConnectionsDeps {
  file: JsonFileConnections;
  /** The API key secrets, by connection id. */
  secrets: SecretVault;
  sources: StoreSources;
  sessions: SessionCredentialCache;
  client: LogqsClientOptions;
}

/**
 * The LogQS DataStores the extension is connected to: each is a source of
 * object stores beside the embedded one. Connecting checks the connection at
 * once (the key, the DataStore, the address) before anything is kept.
 */
export class LogqsConnections {
  /** Changes of the connections file, one at a time: each reads the file and writes it back. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: LogqsConnectionsDeps) {}

  /** Adds a source for every saved connection (at start-up). */
  restore(): Promise<Connection[]> {
    return this.inOrder(async () => {
      const connections = await this.deps.file.load();
      connections.forEach((connection) => this.deps.sources.add(this.sourceFor(connection)));
      return connections;
    });
  }

  /**
   * The connections file as another window left it (the file is watched):
   * the DataStores it connected are added here, and those it disconnected
   * leave (their secret left the shared secret storage with them). Those
   * this window connected or disconnected are as they should be already.
   */
  fileChanged(): Promise<void> {
    return this.inOrder(async () => {
      const connections = await this.deps.file.load();
      const saved = new Set(connections.map(logqsSourceId));
      for (const connection of connections) {
        if (!this.deps.sources.byId(logqsSourceId(connection))) {
          this.deps.sources.add(this.sourceFor(connection));
        }
      }
      for (const source of this.deps.sources.all()) {
        if (source instanceof LogqsStoreSource && !saved.has(source.id)) {
          source.disconnected();
          this.deps.sources.remove(source.id);
        }
      }
    });
  }

  async connect(settings: ConnectionSettings & { name?: string }, signal?: AbortSignal): Promise<LogqsStoreSource> {
    const { apiKeySecret: secret } = parseInput(z.object({ apiKeySecret: apiKeySecretSchema }), { apiKeySecret: settings.apiKeySecret ?? '' });
    const connection = parseInput(connectionSchema, {
      id: randomUUID(),
      name: settings.name?.trim() || defaultConnectionName(settings.datastoreId ?? ''),
      apiUrl: settings.apiUrl || DEFAULT_API_URL,
      apiEndpointPrefix: settings.apiEndpointPrefix ?? DEFAULT_API_ENDPOINT_PREFIX,
      datastoreId: settings.datastoreId,
      apiKeyId: settings.apiKeyId,
    });
    const assertNew = (known: readonly Connection[]) => {
      const existing = known.find((candidate) => candidate.apiUrl === connection.apiUrl && candidate.datastoreId === connection.datastoreId);
      if (existing) {
        throw new LogqsError('conflict', `The DataStore ${connection.datastoreId} at ${connection.apiUrl} is connected already, as "${existing.name}"`);
      }
    };
    assertNew(await this.deps.file.load());
    // One request that needs the key and the DataStore: a wrong key, an unknown DataStore or a bad address shows now
    // (not a store record the extension can't read: the source leaves that one out and lists the others).
    await this.client(connection, async () => secret).get('objectStores', listEnvelope(z.unknown()), LIST_STORES, { limit: 1 }, signal);
    return this.serially(async () => {
      // Read again: another connect may have added it (or other DataStores) meanwhile, and must not be lost.
      const known = await this.deps.file.load();
      assertNew(known);
      await this.deps.secrets.set(connection.id, secret);
      try {
        await this.deps.file.save([...known, connection]);
      } catch (error) {
        await this.deps.secrets.delete(connection.id).catch(() => undefined);
        throw error;
      }
      const source = this.sourceFor(connection);
      this.deps.sources.add(source);
      return source;
    });
  }

  /** Forgets a connection and its secret; its stores leave the tree (nothing changes in LogQS). */
  disconnect(sourceId: string): Promise<Connection> {
    return this.serially(() => this.disconnectNow(sourceId));
  }

  private async disconnectNow(sourceId: string): Promise<Connection> {
    const connections = await this.deps.file.load();
    const connection = connections.find((candidate) => logqsSourceId(candidate) === sourceId);
    if (!connection) {
      throw new LogqsError('not-found', 'That LogQS DataStore is not connected');
    }
    await this.deps.file.save(connections.filter((candidate) => candidate !== connection));
    await this.deps.secrets.delete(connection.id);
    const source = this.deps.sources.byId(sourceId);
    if (source instanceof LogqsStoreSource) {
      source.disconnected();
    }
    this.deps.sources.remove(sourceId);
    return connection;
  }

  /** Runs `change` after every change before it has ended, here and in other windows, so no two read and rewrite the file at once. */
  private serially<T>(change: () => Promise<T>): Promise<T> {
    return this.inOrder(() => this.deps.file.exclusive(change));
  }

  /** Runs `work` after what this window began before (a read of the file needs no lock: it is replaced whole). */
  private inOrder<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private sourceFor(connection: Connection): LogqsStoreSource {
    const secret = async () => {
      const value = await this.deps.secrets.get(connection.id);
      if (value === undefined) {
        throw new LogqsError('auth', `The API key secret of "${connection.name}" is missing from this machine's secret storage; disconnect and connect again`);
      }
      return value;
    };
    return new LogqsStoreSource(connection, this.client(connection, secret), this.deps.sessions);
  }

  private client(connection: Connection, apiKeySecret: () => Promise<string>): LogqsClient {
    return new LogqsClient({ ...connection, apiKeySecret }, this.deps.client);
  }
}
