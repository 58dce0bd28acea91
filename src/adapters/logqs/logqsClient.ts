import type * as z from 'zod';
import { LogqsError, cancelledError, isAbort } from '../../core/errors';
import { parseJsonText } from '../../core/jsonText';
import { lazy } from '../../core/lazy';
import { redactValues } from '../../core/redact';
import { networkCode } from '../remoteErrors';
import type { HTTPError, KyInstance } from '../vendor/ky';
import { loadKy } from '../vendor/loaders';

/** Where and as whom the extension talks to one LogQS DataStore. */
export interface LogqsEndpoint {
  /** The API's address, e.g. https://api.logqs.com (the hosted service). */
  apiUrl: string;
  /** The hosted service serves the API under /apps. */
  apiEndpointPrefix: string;
  datastoreId: string;
  apiKeyId: string;
  /** Read when a request is made: the secret lives in SecretStorage, not in this object. */
  apiKeySecret: () => Promise<string>;
}

export interface LogqsClientOptions {
  timeoutMs: () => number;
  /** Retries of 429 and 5xx answers (GET, PUT, DELETE: not the POST that creates). */
  retries?: number;
}

/** The API's base URL, as the reference says: `{api_url}{prefix}/lqs/{datastore_id}/api/`. */
export function apiBaseUrl(endpoint: Pick<LogqsEndpoint, 'apiUrl' | 'apiEndpointPrefix' | 'datastoreId'>): string {
  const origin = endpoint.apiUrl.replace(/\/+$/, '');
  const prefix = endpoint.apiEndpointPrefix.replace(/^\/*/, '/').replace(/\/+$/, '');
  return `${origin}${prefix === '/' ? '' : prefix}/lqs/${encodeURIComponent(endpoint.datastoreId)}/api/`;
}

/**
 * An object key as a path in a route, as the LogQS client quotes it
 * (Python's urllib.parse.quote): every byte but letters, digits, "_.-~" and
 * "/" percent-encoded.
 */
export function encodeKeyPath(key: string): string {
  return encodeURIComponent(key)
    .replace(/%2F/g, '/')
    .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * 408, 429 and every 5xx but 501 (a route the server lacks stays lacking): the API may sit behind a proxy or CDN
 * whose own 5xx (507, 520 to 524) pass as quickly as a 503.
 */
const RETRIED_STATUSES = [408, 429, 500, ...Array.from({ length: 98 }, (_, index) => 502 + index)];

/** The `Authorization` value: Bearer base64("<id>:<secret>"). */
export function bearer(apiKeyId: string, apiKeySecret: string): string {
  return `Bearer ${Buffer.from(`${apiKeyId}:${apiKeySecret}`, 'utf8').toString('base64')}`;
}

/**
 * The one HTTP client of the LogQS back end: ky with the Bearer header added
 * by a hook (so it is in no options object that could be logged), a timeout
 * (the setting as it is at each request), retries with back-off on 429 and
 * 5xx honouring Retry-After, none on 4xx, and every answer parsed with a zod
 * schema. ky is loaded, and the instance made, at the first request (a
 * client is made for each connection at start-up).
 */
export class LogqsClient {
  private readonly http = lazy(async (): Promise<KyInstance> => {
    const { ky } = await loadKy();
    const { endpoint, options } = this;
    return ky.create({
      baseUrl: apiBaseUrl(endpoint),
      throwHttpErrors: true,
      retry: {
        limit: options.retries ?? 3,
        methods: ['get', 'put', 'head', 'delete', 'options'],
        statusCodes: RETRIED_STATUSES,
        afterStatusCodes: [413, 429, 503],
        maxRetryAfter: 60_000,
        backoffLimit: 5_000,
      },
      hooks: {
        beforeRequest: [
          async ({ request }) => {
            request.headers.set('Authorization', bearer(endpoint.apiKeyId, await endpoint.apiKeySecret()));
          },
        ],
      },
    });
  });

  constructor(
    private readonly endpoint: LogqsEndpoint,
    private readonly options: LogqsClientOptions,
  ) {}

  /** The DataStore this client talks to, as named in messages. */
  get where(): string {
    return `the LogQS DataStore ${this.endpoint.datastoreId} at ${this.endpoint.apiUrl}`;
  }

  async get<S extends z.ZodType>(path: string, schema: S, what: string, searchParams?: Record<string, string | number | boolean | undefined>, signal?: AbortSignal): Promise<z.output<S>> {
    return this.request(schema, what, async () => (await this.http()).get(path, { ...this.perRequest(), searchParams: definedOnly(searchParams), signal }));
  }

  async post<S extends z.ZodType>(path: string, body: Record<string, unknown>, schema: S, what: string): Promise<z.output<S>> {
    return this.request(schema, what, async () => (await this.http()).post(path, { ...this.perRequest(), json: body }), body);
  }

  async patch<S extends z.ZodType>(path: string, body: Record<string, unknown>, schema: S, what: string): Promise<z.output<S>> {
    return this.request(schema, what, async () => (await this.http()).patch(path, { ...this.perRequest(), json: body }), body);
  }

  /** Deletes; a 404 after a retry is the first try's success (its answer lost: a proxy's 504, say), not a failure. */
  async delete(path: string, what: string): Promise<void> {
    let retried = false;
    try {
      await (await this.http()).delete(path, { ...this.perRequest(), hooks: { beforeRetry: [() => void (retried = true)] } });
    } catch (error) {
      const { HTTPError } = await loadKy();
      if (retried && error instanceof HTTPError && error.response.status === 404) {
        return;
      }
      throw await this.describe(error, what);
    }
  }

  /** Read at each request, so that a change of the timeout setting holds from the next request on. */
  private perRequest(): { timeout: number } {
    return { timeout: this.options.timeoutMs() };
  }

  /** `sent`: the body of a POST or PATCH, whose secrets are scrubbed from the answer and whose name a 409 may be about. */
  private async request<S extends z.ZodType>(schema: S, what: string, send: () => Promise<Response>, sent: Record<string, unknown> = {}): Promise<z.output<S>> {
    let text: string;
    try {
      text = await (await send()).text();
    } catch (error) {
      throw await this.describe(error, what, sent);
    }
    return parseAnswer(schema, text, what);
  }

  /**
   * An API failure in words: its status and the API's own message, never the
   * request (it carries the key); any echo in that message of the API key
   * secret or of a secret the request sent is scrubbed, fragments too.
   */
  private async describe(error: unknown, what: string, sent: Record<string, unknown> = {}): Promise<LogqsError> {
    if (error instanceof LogqsError) {
      return error;
    }
    if (isAbort(error)) {
      return cancelledError(error);
    }
    const { HTTPError, TimeoutError } = await loadKy();
    if (error instanceof HTTPError) {
      const status = error.response.status;
      const message = await apiMessage(error);
      const apiKeySecret = await this.endpoint.apiKeySecret().catch(() => '');
      // The key as sent too (base64 of "id:secret"), which shares no run of characters with the secret itself.
      const secrets = [...secretsIn(sent), apiKeySecret, bearer(this.endpoint.apiKeyId, apiKeySecret).slice('Bearer '.length)];
      // Scrubbed whole, then cut: a secret cut short first could leave a fragment too short to be recognised.
      return apiError(status, message === undefined ? undefined : redactValues(message, secrets).slice(0, MESSAGE_CHARACTERS), what, this.where, 'name' in sent);
    }
    if (error instanceof TimeoutError) {
      return new LogqsError('unreachable', `${this.where} did not answer in time (${what})`, { cause: error });
    }
    const network = networkCode(error);
    return new LogqsError('unreachable', `Can't reach ${this.where} (${network ?? (error as Error).message})`, { cause: error });
  }
}

/** The secret values a request body carries (a store's secret_access_key), to be scrubbed from what the API answers to it. */
function secretsIn(body: Record<string, unknown>): string[] {
  return Object.entries(body).flatMap(([name, value]) => (/secret|token|password/i.test(name) && typeof value === 'string' ? [value] : []));
}

function definedOnly(params?: Record<string, string | number | boolean | undefined>): Record<string, string | number | boolean> | undefined {
  return params && (Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined)) as Record<string, string | number | boolean>);
}

/** The `message` of an API error body, if it has one; nothing else of the body is ever shown. */
async function apiMessage(error: HTTPError): Promise<string | undefined> {
  const data: unknown = error.data ?? (await error.response.clone().text().catch(() => undefined));
  const parsed = typeof data === 'string' ? parseJsonText(data) : { ok: true as const, value: data };
  const value = parsed.ok ? (parsed.value as { message?: unknown } | null) : null;
  return typeof value?.message === 'string' ? value.message : undefined;
}

/** The most of an API error's message shown. */
const MESSAGE_CHARACTERS = 500;

/** What listing the stores is called: the request connecting checks with, and the only one of the DataStore as a whole. */
export const LIST_STORES = 'list the object stores';

/** What the store's own requests are called ("fetch the object store", 'make "x" the default object store'). */
const STORE_ACTION = /^(fetch|edit|delete) the object store\b|the default object store$/;

/** API statuses as the extension's one error type, each with what it means to a person. */
export function apiError(status: number, message: string | undefined, what: string, where: string, nameSent = false): LogqsError {
  const said = message ? `: ${message}` : '';
  const options = { status, detail: `HTTP ${status} for ${what}${said}` };
  switch (status) {
    case 400:
      return new LogqsError('invalid-input', `The LogQS API refused ${what}${said}`, options);
    case 401:
      return new LogqsError('auth', `The API key was refused by ${where}; check the API key id and secret`, options);
    case 403:
      return new LogqsError('forbidden', `The API key may not ${what}${said}`, options);
    case 404:
      if (what === LIST_STORES) {
        // The collection's own route is unknown: the DataStore, or the address the API was looked for at.
        return new LogqsError('not-found', `Not found: ${where} (check the API URL, its endpoint prefix and the DataStore ID)${said}`, options);
      }
      // Asked of the store itself (how `what` begins or ends, never a store or key name inside it), a 404 means no such store.
      return new LogqsError('not-found', STORE_ACTION.test(what) ? `No such object store in ${where}${said}` : `Not found: ${what}${said}`, options);
    case 408:
      return new LogqsError('unreachable', `${where} did not answer in time (${what})${said}`, options);
    case 409:
      // A name sent (a store created or renamed) is what clashes; anything else (a store in use, say) is said as the API says it.
      return nameSent
        ? new LogqsError('conflict', `That name is already taken in ${where}${said}`, { ...options, field: 'name' })
        : new LogqsError('conflict', `Can't ${what}: it conflicts with the state of ${where}${said}`, options);
    case 413:
      return new LogqsError('too-large', `The LogQS API refused ${what} as too large${said}`, options);
    case 423:
      // `what` is an action ("list the objects of …"), not a thing that can be locked: said as what couldn't be done.
      return new LogqsError('locked', `Can't ${what}: it is locked in LogQS${said}`, options);
    case 429:
      return new LogqsError('remote', `${where} is limiting its requests (HTTP 429) and still refused ${what} after waiting; try again in a while${said}`, options);
    default:
      return new LogqsError(status >= 500 ? 'remote' : 'invalid-input', `${where} answered HTTP ${status} to ${what}${said}`, options);
  }
}

/** An answer checked against its schema; a mismatch names the field, never quotes the answer. */
export function parseAnswer<S extends z.ZodType>(schema: S, text: string, what: string): z.output<S> {
  const json = parseJsonText(text);
  if (!json.ok) {
    throw new LogqsError('remote', `The LogQS API answered ${what} with something that is ${json.problem}`);
  }
  return checkAnswer(schema, json.value, what);
}

/** A parsed answer (or one part of it) checked against its schema, as parseAnswer does. */
export function checkAnswer<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // Zod says "received undefined" of a missing field: a person reads "missing".
    const reason = issue.code === 'invalid_type' ? (/received undefined/.test(issue.message) ? 'missing' : `not ${article(issue.expected)} ${issue.expected}`) : issue.message;
    if (issue.path.length === 0) {
      // The answer as a whole (null, a list, a text): no field to name.
      throw new LogqsError('remote', `The LogQS API answered ${what} with something that is ${reason}`);
    }
    const field = issue.path.map(String).join('.');
    throw new LogqsError('remote', `The LogQS API answered ${what} without a valid ${field} (${reason})`, { field });
  }
  return parsed.data;
}

/** "an" before a vowel ("an array", "an object"), "a" otherwise ("a number"). */
function article(noun: string): string {
  return /^[aeiou]/i.test(noun) ? 'an' : 'a';
}
