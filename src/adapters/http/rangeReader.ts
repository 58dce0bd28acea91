import type { Agent as HttpAgent, IncomingMessage } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import { LogqsError, cancelledError } from '../../core/errors';
import { lazy } from '../../core/lazy';
import { untilAborted } from '../../core/transfer/retry';
import type { ChunkedBody, FileWritingBody, RangeReader, RangeResponse } from '../../core/transfer';
import { networkCode } from '../remoteErrors';
import { loadNodeHttp, nodeHttps } from '../vendor/loaders';
import { carriesBytes, errorText, rangeResponse, statusError } from './answers';
import { DirectGets, DirectUnavailable, plainConnector, type DirectRoute } from './directGet';
import { RangeThread } from './rangeThread';

export interface RangeReaderOptions {
  /** How long a connection may stay silent before it counts as broken (and is retried). */
  timeoutMs: () => number;
  /** Where the range thread's code is (see RangeThread); tests pass a stand-in. */
  rangeThreadFile?: string;
  /** How long an origin that couldn't be read directly stays on node:http before its route is learned again; tests shorten it. */
  relearnAfterMs?: number;
  /** node:http and node:https as the host has them (VS Code patches them for its proxy settings); tests pass their own. */
  nodeHttp?: () => Promise<{ http: typeof import('node:http'); https: typeof import('node:https') }>;
}

function unreachable(target: URL, error: unknown): LogqsError {
  return new LogqsError('unreachable', `Can't reach ${target.host} (${networkCode(error) ?? (error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
}

/**
 * A GET's Range header: none for the whole object (from byte 0, no end). A
 * range costs radosgw more than a plain GET of a small object: for 2000
 * objects of 64 KiB, 2.1 CPU-seconds against 1.6 to 1.9, and its OSD 0.6
 * against 0.4, on the CPU the client shares with it here.
 */
const rangeHeaders = (range: { start: number; end?: number }): Record<string, string> =>
  range.start === 0 && range.end === undefined ? {} : { Range: `bytes=${range.start}-${range.end ?? ''}` };

/**
 * What the GET that learns an origin's route asks node:http for, at most,
 * when the bytes go into a file: the rest of its range comes on the route
 * learned (the caller asks again for what a body did not bring), so a large
 * range is not all read through node:http, at several times the CPU.
 */
const LEARNING_BYTES = 64 * 1024;

/**
 * What a GET into a file asks for, at most, on this thread while the range
 * thread starts (90 ms here, on the first download of a session): the
 * caller asks again for the rest, by then of the thread. Waiting instead
 * left the link idle after the HEAD.
 */
const EARLY_BYTES = 2 * 1024 * 1024;

/** The first `bytes` of a range (all of it if shorter): what a GET asks for when the rest is to come another way. */
const firstBytes = (range: { start: number; end?: number }, bytes: number) => ({ start: range.start, end: Math.min(range.end ?? Infinity, range.start + bytes - 1) });

/** See onNodeHttp. */
const RELEARN_AFTER_MS = 5 * 60_000;

/** An answer's headers by lower-case name, a repeated one's values joined. */
const headersOf = (response: IncomingMessage): Record<string, string> =>
  Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]));

function defaultPort(url: URL): number {
  return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
}

/** A HEAD's answer: its status, and its headers by lower-case name. */
export interface HeadAnswer {
  status: number;
  headers: Readonly<Record<string, string>>;
}

/** A GET's answer read whole: its status, headers and body. */
export interface WholeAnswer extends HeadAnswer {
  body: Buffer;
}

/** What the HTTP adapter does besides reading objects: requests of presigned URLs for metadata and listings. */
export interface PresignedRequests {
  head(url: string, signal: AbortSignal): Promise<HeadAnswer>;
  getWhole(url: string, maxBytes: number, signal: AbortSignal): Promise<WholeAnswer | undefined>;
}

/**
 * Ranged GETs (and HEADs) of presigned URLs. The first request to an
 * origin goes through node:http(s) (keep-alive agents), as the host has them: in VS Code that
 * applies the user's proxy settings. When that connection went straight to
 * the server (its peer is one of the host's addresses, at the URL's port)
 * the next GETs to the origin read the socket directly (DirectGets), which
 * costs a fraction of node:http's CPU per byte; those asked with 'file' are
 * made on the range thread (RangeThread), which writes their bytes itself.
 * A GET into a file that learns the route asks node:http for its first
 * LEARNING_BYTES only, and one made while the range thread starts reads its
 * first EARLY_BYTES here. Through a proxy node:http serves every GET; a GET
 * that can't be made directly (no connection, an answer without
 * Content-Length, a range thread that won't start) is asked again of
 * node:http, which then serves the origin.
 */
export function createRangeReader(options: RangeReaderOptions): Required<RangeReader> & PresignedRequests & { dispose(): void } {
  /** Keep-alive agents, each made at its protocol's first request. */
  const agents: { 'http:'?: HttpAgent; 'https:'?: HttpsAgent } = {};
  let direct: DirectGets | undefined;
  let thread: RangeThread | undefined;
  /**
   * Made synchronously, so that prepareForFiles starts the thread before its
   * caller goes on: the thread then starts on the other core while this one
   * loads the AWS SDK for the HEAD (a promise would wait until after it).
   */
  const rangeThread = () => (thread ??= new RangeThread(options.timeoutMs, options.rangeThreadFile));
  /** Per origin: where DirectGets connects, or 'node' (proxied, or not readable directly). */
  const routes = new Map<string, DirectRoute | 'node'>();
  /** Per origin on node:http: when its route is to be learned again (see onNodeHttp). */
  const relearning = new Map<string, NodeJS.Timeout>();
  /** Per origin whose route is being learned: settles once it is (the GETs that come meanwhile wait, then go direct). */
  const learning = new Map<string, Promise<void>>();
  let disposed = false;
  const connect = lazy(async () => {
    const { http, net, dns } = await loadNodeHttp();
    const host = await options.nodeHttp?.();
    // Disposed of meanwhile (the extension stopping): nothing is made that would outlive it.
    if (disposed) {
      throw cancelledError();
    }
    direct = new DirectGets(plainConnector(net, () => nodeHttps().tls), options.timeoutMs);
    return { http: host?.http ?? http, https: () => host?.https ?? nodeHttps().https, dns, direct, thread: rangeThread() };
  });

  /**
   * An origin on node:http (a direct GET failed, or node:http goes through a
   * proxy) for a while: a brief network failure, or a proxy setting since
   * changed, must not keep it there for the rest of the session.
   */
  function onNodeHttp(origin: string): void {
    routes.set(origin, 'node');
    clearTimeout(relearning.get(origin));
    const relearn = () => {
      relearning.delete(origin);
      if (routes.get(origin) === 'node') {
        routes.delete(origin);
      }
    };
    relearning.set(origin, setTimeout(relearn, options.relearnAfterMs ?? RELEARN_AFTER_MS).unref());
  }

  type Connection = Awaited<ReturnType<typeof connect>>;

  /**
   * Whether node:http's socket went straight to the URL's server (its peer is
   * one of the host's addresses, at the URL's port); asked once per origin.
   */
  async function learnRoute(target: URL, socket: Socket, dns: typeof import('node:dns')): Promise<void> {
    const address = socket.remoteAddress?.replace(/^::ffff:/, '');
    const hostname = target.hostname.replace(/^\[(.*)\]$/, '$1');
    if (address === undefined || socket.remotePort !== defaultPort(target)) {
      return;
    }
    const found = await dns.promises.lookup(hostname, { all: true }).catch(() => []);
    if (found.some((entry) => entry.address.replace(/^::ffff:/, '') === address)) {
      routes.set(target.origin, { address, port: defaultPort(target), tls: target.protocol === 'https:', hostname, host: target.host });
    }
  }

  /** A GET on a direct route: read here (DirectGets), or, for bytes that go into a file, on the range thread. */
  async function getDirect<Body extends ChunkedBody | FileWritingBody>(
    route: DirectRoute,
    target: URL,
    range: { start: number; end?: number },
    signal: AbortSignal,
    gets: { get(route: DirectRoute, pathAndQuery: string, headers: Record<string, string>, signal: AbortSignal): Promise<{ status: number; headers: Map<string, string>; body: Body; discard: () => void }> },
  ): Promise<RangeResponse<Body>> {
    let response;
    try {
      response = await gets.get(route, target.pathname + target.search, rangeHeaders(range), signal);
    } catch (error) {
      // Failing before any answer (refused, or a certificate VS Code's https trusts and plain tls.connect doesn't): node:http decides.
      throw error instanceof DirectUnavailable || LogqsError.is(error) ? error : new DirectUnavailable(networkCode(error) ?? (error as Error).message, { cause: error });
    }
    const { status, headers, body, discard } = response;
    if (!carriesBytes(status)) {
      throw statusError(status, target, 'writeTo' in body ? '' : await errorText(body));
    }
    return rangeResponse(status, (name) => headers.get(name), body, discard);
  }

  async function get(url: string, range: { start: number; end?: number }, signal: AbortSignal, into?: 'file'): Promise<RangeResponse<ChunkedBody | FileWritingBody>> {
    if (disposed) {
      throw cancelledError();
    }
    const connection = await connect();
    const { direct: gets, thread: fileGets } = connection;
    const target = new URL(url);
    const pending = learning.get(target.origin);
    if (pending) {
      // Awaited only when there is one: the first GET must reach learning.set below without yielding.
      await untilAborted(pending, signal);
    }
    const route = routes.get(target.origin);
    if (route !== undefined && route !== 'node') {
      try {
        if (into === 'file' && fileGets.starting) {
          // The range thread is starting (see prepareForFiles): the first bytes are read here meanwhile, the rest asked of it once it runs.
          return await getDirect(route, target, firstBytes(range, EARLY_BYTES), signal, gets);
        }
        return await (into === 'file' ? getDirect(route, target, range, signal, fileGets) : getDirect(route, target, range, signal, gets));
      } catch (error) {
        if (!(error instanceof DirectUnavailable)) {
          throw error;
        }
        onNodeHttp(target.origin);
      }
    }
    // Through node:http, the first GET to an origin learns its route (see throughNodeHttp).
    const asked = route === undefined && into === 'file' ? firstBytes(range, LEARNING_BYTES) : range;
    const response = await throughNodeHttp(connection, 'GET', target, rangeHeaders(asked), signal);
    const status = response.statusCode ?? 0;
    if (!carriesBytes(status)) {
      throw statusError(status, target, await errorText(response));
    }
    return rangeResponse(status, (name) => response.headers[name] as string | undefined, response, () => response.destroy());
  }

  /**
   * A request through node:http, answered with whatever status. The first to
   * an origin learns its route from node:http's connection; until then the
   * origin is 'node', and requests that come meanwhile wait for it.
   */
  function throughNodeHttp(connection: Connection, method: 'GET' | 'HEAD', target: URL, headers: Record<string, string>, signal: AbortSignal): Promise<IncomingMessage> {
    // Synchronous up to learning.set: two first requests must not both learn.
    const { http, https, dns } = connection;
    let settleLearning: (() => void) | undefined;
    if (!routes.has(target.origin)) {
      onNodeHttp(target.origin);
      learning.set(target.origin, new Promise<void>((resolve) => (settleLearning = resolve)));
    }
    const endLearning = (socket?: Socket) => {
      if (settleLearning === undefined) {
        return;
      }
      const done = settleLearning;
      settleLearning = undefined;
      if (!socket) {
        // No answer to learn from (an error, a refusal): the next GET asks again.
        routes.delete(target.origin);
      }
      void (socket ? learnRoute(target, socket, dns) : Promise.resolve()).finally(() => {
        learning.delete(target.origin);
        done();
      });
    };
    return new Promise<IncomingMessage>((resolve, reject) => {
      if (signal.aborted) {
        endLearning();
        reject(cancelledError());
        return;
      }
      const secure = target.protocol === 'https:';
      let request: ReturnType<typeof http.request>;
      try {
        const protocol = secure ? https() : http;
        const agent = secure ? (agents['https:'] ??= new (https().Agent)({ keepAlive: true, maxSockets: 64 })) : (agents['http:'] ??= new http.Agent({ keepAlive: true, maxSockets: 64 }));
        request = protocol.request(target, { method, agent, headers, signal, timeout: options.timeoutMs() }, (response) => {
          // An answer that carries no object teaches nothing about the route: a refusal may come from a proxy.
          endLearning(carriesBytes(response.statusCode ?? 0) ? response.socket : undefined);
          resolve(response);
        });
      } catch (error) {
        // Refused before it was made (node:https missing, a header Node won't send): the requests waiting for the route must not wait forever.
        endLearning();
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      request.on('timeout', () => request.destroy(Object.assign(new Error('no answer in time'), { code: 'ETIMEDOUT' })));
      request.on('error', (error) => {
        endLearning();
        reject(signal.aborted ? cancelledError() : unreachable(target, error));
      });
      request.end();
    });
  }

  /** A request through node:http once the origin's route is learned, if it is being learned (see throughNodeHttp). */
  async function ask(method: 'GET' | 'HEAD', url: string, signal: AbortSignal): Promise<IncomingMessage> {
    if (disposed) {
      throw cancelledError();
    }
    const connection = await connect();
    const target = new URL(url);
    const pending = learning.get(target.origin);
    if (pending) {
      await untilAborted(pending, signal);
    }
    return throughNodeHttp(connection, method, target, {}, signal);
  }

  /** A HEAD of a presigned URL: its status and headers (by lower-case name); it learns the origin's route as a first GET would. */
  async function head(url: string, signal: AbortSignal): Promise<HeadAnswer> {
    const response = await ask('HEAD', url, signal);
    response.resume();
    return { status: response.statusCode ?? 0, headers: headersOf(response) };
  }

  /**
   * A GET of a presigned URL read whole (a listing's page, say): its status and
   * body, or undefined when the body is longer than `maxBytes`. It learns the
   * origin's route as a first GET would.
   */
  async function getWhole(url: string, maxBytes: number, signal: AbortSignal): Promise<WholeAnswer | undefined> {
    const response = await ask('GET', url, signal);
    const chunks: Buffer[] = [];
    let length = 0;
    try {
      for await (const chunk of response as AsyncIterable<Buffer>) {
        length += chunk.length;
        if (length > maxBytes) {
          response.destroy();
          return undefined;
        }
        chunks.push(chunk);
      }
    } catch (error) {
      throw signal.aborted ? cancelledError() : unreachable(new URL(url), error);
    }
    return { status: response.statusCode ?? 0, headers: headersOf(response), body: Buffer.concat(chunks, length) };
  }

  return {
    // One body for both of RangeReader's forms: a file-writing body only ever answers a GET asked with 'file'.
    get: get as RangeReader['get'],
    head,
    getWhole,
    async fetchIntoPlace(url, expected, place, signal) {
      const { thread: fileGets } = await connect();
      const target = new URL(url);
      // One that comes while the first GET learns the route waits for it, as a GET does: declined, it would be read on
      // this thread and written by the file threads, which start only then (a folder's first files waited 100 ms for them).
      const pending = learning.get(target.origin);
      if (pending) {
        await untilAborted(pending, signal);
      }
      const route = routes.get(target.origin);
      // Only where the route is learned and direct: until then (or behind a proxy) the ordinary path serves.
      if (route === undefined || route === 'node') {
        return undefined;
      }
      // The whole object: the thread checks that the answer is all of it (its length, its ETag).
      return fileGets.place(route, target.pathname + target.search, rangeHeaders({ start: 0 }), expected, place, signal);
    },
    prepareForFiles() {
      // Not once disposed (the extension stopping): a thread started then would outlive it.
      if (!disposed) {
        rangeThread().warm();
      }
    },
    dispose() {
      disposed = true;
      agents['http:']?.destroy();
      agents['https:']?.destroy();
      direct?.dispose();
      thread?.dispose();
      relearning.forEach((timer) => clearTimeout(timer));
    },
  };
}
