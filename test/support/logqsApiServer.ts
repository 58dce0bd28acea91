/**
 * A LogQS API server on 127.0.0.1 for tests. It STANDS IN FOR THE HOSTED
 * LogQS SERVICE, which can't run here, and follows the reference page
 * ../shared/reference/logqs-api.md: the same routes under
 * `{prefix}/lqs/{datastore_id}/api/`, Bearer base64("id:secret") auth, the
 * `{"data": …}` and list envelopes (offset, limit, order, sort, count),
 * `{"message": …}` error bodies with the statuses the client tells apart,
 * percent-encoded object keys. Only object stores, their objects and session
 * credentials are served. Its objects live in the real S3 server (Ceph RGW):
 * listings are ListObjectsV2 with the store's keys, presigned URLs are signed
 * for RGW, session credentials come from RGW's STS (AssumeRole with the
 * session policy). It can be told to fail (503s, a 429 with Retry-After, a
 * malformed answer) to test the client.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { sessionPolicy } from '../../src/core/sessionPolicy';

export interface ServerStore {
  id: string;
  name: string;
  bucket_name: string;
  region_name: string | null;
  access_key_id: string | null;
  secret_access_key: string | null;
  endpoint_url: string | null;
  key_prefix: string | null;
  default: boolean;
  managed: boolean;
  disabled: boolean;
  read_only: boolean;
  note: string | null;
  context: Record<string, unknown> | null;
  created_at: string;
  updated_at: string | null;
}

export interface LogqsApiServerOptions {
  datastoreId?: string;
  apiKeyId?: string;
  apiKeySecret?: string;
  /** The hosted service's "/apps". */
  prefix?: string;
  /** The role RGW's STS lets stores assume (scripts/s3-server.sh creates it). */
  roleArn?: string;
}

interface Injected {
  status: number;
  retryAfterSeconds?: number;
}

const FIELDS = ['name', 'bucket_name', 'region_name', 'access_key_id', 'secret_access_key', 'endpoint_url', 'key_prefix', 'default', 'managed', 'disabled', 'read_only', 'note', 'context'] as const;

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class LogqsApiServer {
  readonly datastoreId: string;
  readonly apiKeyId: string;
  readonly apiKeySecret: string;
  readonly prefix: string;
  readonly stores = new Map<string, ServerStore>();
  /** Every request as "METHOD path?query", for tests that count them. */
  readonly requests: string[] = [];
  /** The JSON bodies of POST and PATCH requests, in order. */
  readonly bodies: { method: string; body: unknown }[] = [];
  private readonly injected: Injected[] = [];
  private malformNextField?: string;
  private server?: http.Server;
  private readonly roleArn: string;

  constructor(options: LogqsApiServerOptions = {}) {
    this.datastoreId = options.datastoreId ?? randomUUID();
    this.apiKeyId = options.apiKeyId ?? randomUUID();
    this.apiKeySecret = options.apiKeySecret ?? `secret-${randomUUID()}`;
    this.prefix = options.prefix ?? '/apps';
    this.roleArn = options.roleArn ?? 'arn:aws:iam:::role/logqs';
  }

  /** The `api_url` a client is given. */
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next `count` requests answer `status` (with Retry-After when given). */
  failNext(count: number, status: number, retryAfterSeconds?: number): void {
    for (let index = 0; index < count; index++) {
      this.injected.push({ status, retryAfterSeconds });
    }
  }

  /** The next answer that carries a resource leaves `field` out of it. */
  malformNext(field: string): void {
    this.malformNextField = field;
  }

  /** A store put in place as LogQS would provision it (managed, for instance), bypassing the API's rules. */
  seed(fields: Partial<ServerStore> & Pick<ServerStore, 'name' | 'bucket_name'>): ServerStore {
    const now = new Date().toISOString().replace('Z', '+00:00');
    const store: ServerStore = {
      id: randomUUID(),
      region_name: 'us-east-1',
      access_key_id: null,
      secret_access_key: null,
      endpoint_url: null,
      key_prefix: null,
      default: false,
      managed: false,
      disabled: false,
      read_only: false,
      note: null,
      context: null,
      created_at: now,
      updated_at: now,
      ...fields,
    };
    this.stores.set(store.id, store);
    return store;
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    this.requests.push(`${request.method} ${url.pathname}${url.search}`);
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', 'x-logqs-version': '1.0.0-test', ...headers });
      response.end(body === undefined ? undefined : JSON.stringify(body));
    };
    try {
      const injected = this.injected.shift();
      if (injected) {
        send(injected.status, { message: `injected ${injected.status}` }, injected.retryAfterSeconds === undefined ? {} : { 'retry-after': String(injected.retryAfterSeconds) });
        return;
      }
      const base = `${this.prefix}/lqs/`;
      if (!url.pathname.startsWith(base)) {
        throw new ApiError(404, 'Not found');
      }
      const [datastoreId, api, ...rest] = url.pathname.slice(base.length).split('/');
      if (api !== 'api') {
        throw new ApiError(404, 'Not found');
      }
      if (request.headers.authorization !== `Bearer ${Buffer.from(`${this.apiKeyId}:${this.apiKeySecret}`).toString('base64')}`) {
        throw new ApiError(401, 'Invalid API key');
      }
      if (decodeURIComponent(datastoreId) !== this.datastoreId) {
        throw new ApiError(404, 'DataStore not found');
      }
      const body = request.method === 'POST' || request.method === 'PATCH' ? await readJson(request) : undefined;
      if (body !== undefined) {
        this.bodies.push({ method: request.method!, body });
      }
      const result = await this.route(request.method ?? 'GET', rest, url.searchParams, body, response);
      if (result === undefined) {
        return; // the route wrote the answer itself (bytes)
      }
      send(result.status, this.malform(result.body));
    } catch (error) {
      if (error instanceof ApiError) {
        send(error.status, { message: error.message });
      } else {
        send(500, { message: 'Internal server error' });
      }
    }
  }

  private malform(body: unknown): unknown {
    const field = this.malformNextField;
    if (field === undefined || body === undefined) {
      return body;
    }
    this.malformNextField = undefined;
    const strip = (item: unknown) => {
      if (item && typeof item === 'object') {
        delete (item as Record<string, unknown>)[field];
      }
    };
    const data = (body as { data?: unknown }).data;
    (Array.isArray(data) ? data : [data]).forEach(strip);
    return body;
  }

  private async route(method: string, path: string[], query: URLSearchParams, body: unknown, response: http.ServerResponse): Promise<{ status: number; body?: unknown } | undefined> {
    const [collection, rawId, sub, ...keyParts] = path;
    if (collection !== 'objectStores') {
      throw new ApiError(404, 'Not found');
    }
    if (rawId === undefined || rawId === '') {
      if (method === 'GET') {
        return { status: 200, body: this.listStores(query) };
      }
      if (method === 'POST') {
        return { status: 201, body: { data: this.view(this.createStore(body)) } };
      }
      throw new ApiError(405, 'Method not allowed');
    }
    const store = this.stores.get(decodeURIComponent(rawId));
    if (!store) {
      throw new ApiError(404, 'Object store not found');
    }
    if (sub === undefined) {
      if (method === 'GET') {
        return { status: 200, body: { data: this.view(store) } };
      }
      if (method === 'PATCH') {
        return { status: 200, body: { data: this.view(this.updateStore(store, body)) } };
      }
      if (method === 'DELETE') {
        if (store.managed) {
          throw new ApiError(403, 'Managed object stores cannot be deleted');
        }
        this.stores.delete(store.id);
        return { status: 204 };
      }
      throw new ApiError(405, 'Method not allowed');
    }
    if (store.disabled) {
      throw new ApiError(400, 'Object store is disabled');
    }
    if (sub === 'sessionCredentials' && method === 'GET') {
      return { status: 200, body: { data: await this.sessionCredentials(store) } };
    }
    if (sub === 'objects' && method === 'GET' && keyParts.length === 0) {
      return { status: 200, body: await this.listObjects(store, query) };
    }
    if (sub === 'objects' && method === 'GET') {
      const key = decodeURIComponent(keyParts.join('/'));
      return this.fetchObject(store, key, query, response);
    }
    throw new ApiError(404, 'Not found');
  }

  private listStores(query: URLSearchParams) {
    const offset = Number(query.get('offset') ?? 0);
    const limit = Number(query.get('limit') ?? 100);
    const order = (query.get('order') ?? 'created_at') as keyof ServerStore;
    const sort = query.get('sort') ?? 'asc';
    let stores = [...this.stores.values()];
    for (const filter of ['name', 'bucket_name'] as const) {
      const wanted = query.get(filter);
      if (wanted !== null) {
        stores = stores.filter((store) => store[filter] === wanted);
      }
    }
    const sortKey = (store: ServerStore) => JSON.stringify(store[order] ?? null);
    stores.sort((a, b) => sortKey(a).localeCompare(sortKey(b)) * (sort === 'desc' ? -1 : 1));
    return { offset, limit, order, sort, count: stores.length, data: stores.slice(offset, offset + limit).map((store) => this.view(store)) };
  }

  /** A store as the API shows it: every field but the secret, plus LogQS's own. */
  private view(store: ServerStore) {
    const fields: Partial<ServerStore> = { ...store };
    delete fields.secret_access_key;
    return { ...fields, timestamp: store.updated_at, deleted_at: null, created_by: null, updated_by: null, deleted_by: null };
  }

  private createStore(body: unknown): ServerStore {
    const input = asRecord(body);
    for (const required of ['name', 'bucket_name'] as const) {
      if (typeof input[required] !== 'string' || input[required] === '') {
        throw new ApiError(400, `${required} is required`);
      }
    }
    if (input.managed === true) {
      throw new ApiError(403, 'Only LogQS creates managed object stores');
    }
    this.assertNameFree(input.name as string);
    const store = this.seed({ ...pick(input), name: input.name as string, bucket_name: input.bucket_name as string });
    if (store.default) {
      this.onlyDefault(store.id);
    }
    return store;
  }

  private updateStore(store: ServerStore, body: unknown): ServerStore {
    const input = asRecord(body);
    if (store.managed) {
      throw new ApiError(403, 'Managed object stores cannot be modified');
    }
    if ('secret_access_key' in input || 'access_key_id' in input) {
      throw new ApiError(400, 'Credentials cannot be changed after creation');
    }
    if (typeof input.name === 'string' && input.name !== store.name) {
      this.assertNameFree(input.name);
    }
    Object.assign(store, pick(input), { updated_at: new Date().toISOString().replace('Z', '+00:00') });
    if (input.default === true) {
      this.onlyDefault(store.id);
    }
    return store;
  }

  private assertNameFree(name: string): void {
    if ([...this.stores.values()].some((candidate) => candidate.name === name)) {
      throw new ApiError(409, `An object store named "${name}" already exists`);
    }
  }

  private onlyDefault(id: string): void {
    this.stores.forEach((store) => (store.default = store.id === id));
  }

  private s3(store: ServerStore): S3Client {
    if (!store.access_key_id || !store.secret_access_key) {
      throw new ApiError(400, 'Object store has no credentials');
    }
    return new S3Client({
      region: store.region_name ?? 'us-east-1',
      ...(store.endpoint_url ? { endpoint: store.endpoint_url, forcePathStyle: true } : {}),
      credentials: { accessKeyId: store.access_key_id, secretAccessKey: store.secret_access_key },
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
  }

  /** The key as LogQS scopes it: the prefix prepended unless present. */
  private scoped(store: ServerStore, key: string): string {
    return store.key_prefix && !key.startsWith(store.key_prefix) ? store.key_prefix + key : key;
  }

  private async listObjects(store: ServerStore, query: URLSearchParams) {
    const prefix = this.scoped(store, query.get('prefix') ?? '');
    const s3 = this.s3(store);
    try {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: store.bucket_name,
          Prefix: prefix || undefined,
          Delimiter: query.get('delimiter') ?? undefined,
          MaxKeys: query.has('max_keys') ? Number(query.get('max_keys')) : undefined,
          ContinuationToken: query.get('continuation_token') ?? undefined,
          StartAfter: query.get('start_after') ?? undefined,
        }),
      );
      return {
        data: (page.Contents ?? []).map((object) => ({ key: object.Key, etag: object.ETag ?? null, size: object.Size ?? 0, last_modified: object.LastModified?.toISOString() ?? null, presigned_url: null, upload_state: 'complete' })),
        is_truncated: page.IsTruncated ?? false,
        key_count: page.KeyCount ?? 0,
        max_keys: page.MaxKeys ?? 1000,
        continuation_token: page.ContinuationToken ?? null,
        next_continuation_token: page.NextContinuationToken ?? null,
        prefix: page.Prefix ?? null,
        start_after: page.StartAfter ?? null,
        delimiter: page.Delimiter ?? null,
        common_prefixes: (page.CommonPrefixes ?? []).map((entry) => entry.Prefix),
      };
    } finally {
      s3.destroy();
    }
  }

  private async fetchObject(store: ServerStore, rawKey: string, query: URLSearchParams, response: http.ServerResponse) {
    const key = this.scoped(store, rawKey);
    if (store.key_prefix && !key.startsWith(store.key_prefix)) {
      throw new ApiError(403, 'Key outside the object store\'s prefix');
    }
    const s3 = this.s3(store);
    try {
      if (query.get('redirect') === 'true') {
        const range = response.req.headers.range;
        const object = await s3.send(new GetObjectCommand({ Bucket: store.bucket_name, Key: key, Range: range }));
        response.writeHead(range ? 206 : 200, { 'content-type': object.ContentType ?? 'application/octet-stream', 'content-length': String(object.ContentLength ?? 0) });
        response.end(Buffer.from(await object.Body!.transformToByteArray()));
        return undefined;
      }
      const head = await s3.send(new HeadObjectCommand({ Bucket: store.bucket_name, Key: key })).catch((error: Error & { $metadata?: { httpStatusCode?: number } }) => {
        throw error.$metadata?.httpStatusCode === 404 ? new ApiError(404, 'Object not found') : error;
      });
      const presigned = await getSignedUrl(s3, new GetObjectCommand({ Bucket: store.bucket_name, Key: key }), { expiresIn: 3600 });
      return {
        status: 200,
        body: { data: { key, etag: head.ETag ?? null, size: head.ContentLength ?? 0, last_modified: head.LastModified?.toISOString() ?? null, presigned_url: presigned, upload_state: 'complete' } },
      };
    } finally {
      s3.destroy();
    }
  }

  private async sessionCredentials(store: ServerStore) {
    if (!store.access_key_id || !store.secret_access_key) {
      throw new ApiError(400, 'Object store has no credentials');
    }
    const sts = new STSClient({
      region: store.region_name ?? 'us-east-1',
      ...(store.endpoint_url ? { endpoint: store.endpoint_url } : {}),
      credentials: { accessKeyId: store.access_key_id, secretAccessKey: store.secret_access_key },
    });
    try {
      const answer = await sts.send(
        new AssumeRoleCommand({ RoleArn: this.roleArn, RoleSessionName: 'logqs-api', Policy: sessionPolicy({ ...store, key_prefix: store.key_prefix }), DurationSeconds: 3600 }),
      );
      const credentials = answer.Credentials!;
      return { access_key_id: credentials.AccessKeyId, secret_access_key: credentials.SecretAccessKey, session_token: credentials.SessionToken, expiration: credentials.Expiration!.toISOString() };
    } finally {
      sts.destroy();
    }
  }
}

async function readJson(request: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new ApiError(400, 'Invalid JSON body');
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ApiError(400, 'Expected a JSON object');
  }
  return value as Record<string, unknown>;
}

/** The fields of a store that a body may set. */
function pick(input: Record<string, unknown>): Partial<ServerStore> {
  return Object.fromEntries(FIELDS.filter((field) => Object.hasOwn(input, field)).map((field) => [field, input[field]]));
}
