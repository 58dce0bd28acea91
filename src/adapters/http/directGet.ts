import type { Socket } from 'node:net';
import { LogqsError, cancelledError } from '../../core/errors';

/**
 * Plain HTTP/1.1 GETs of presigned URLs straight on a socket, for the bytes
 * of downloads. node:http copies every body chunk out of the socket's buffer
 * into a new one, and the fresh memory page-faults: on a CPU shared with the
 * server that was about 0.7 of the 2.5 CPU-seconds of a 1 GiB download, and
 * 0.4 user CPU-seconds of a folder of 2000 small files. Here the socket reads
 * into a few buffers of its own, used again and again. What this client
 * doesn't do, it leaves to node:http (DirectUnavailable): answers without
 * a Content-Length, proxies (the caller uses it only where node:http was
 * seen to connect straight to the server), and any connection it can't make.
 */
/** Where to connect: the server's address as node:http reached it, and the URL's origin. */
export interface DirectRoute {
  address: string;
  port: number;
  tls: boolean;
  /** The URL's host name, for Host and TLS's server name. */
  hostname: string;
  host: string;
}

export interface DirectResponse {
  status: number;
  headers: Map<string, string>;
  /** The body's bytes; each chunk is valid until the next is asked for (its buffer is read into again). */
  body: AsyncIterable<Uint8Array>;
  /** Closes the connection of a body that won't be read. */
  discard: () => void;
}

export interface DirectConnector {
  connect(route: DirectRoute, onread: { buffer: () => Uint8Array; callback: (bytes: number, buffer: Uint8Array) => boolean }): Socket;
}

/**
 * Connections with Node's own net and tls (asked for at the first TLS
 * connection, see nodeHttps): the certificate is checked against the URL's
 * host name, not the address.
 */
export function plainConnector(net: typeof import('node:net'), tls: () => typeof import('node:tls')): DirectConnector {
  return {
    connect: (route, onread) =>
      route.tls
        ? // tls.connect passes onread on to its socket (Node's types list it for net only).
          tls().connect({ host: route.address, port: route.port, servername: net.isIP(route.hostname) ? undefined : route.hostname, onread } as import('node:tls').ConnectionOptions)
        : net.connect({ host: route.address, port: route.port, onread }),
  };
}

/**
 * A connection reads into a few slabs, each filled by successive reads, so
 * that the bytes that arrive while the caller handles the last chunk come
 * out as one larger chunk: fewer chunks and file writes (half as many for
 * 1 GiB as with a buffer per read).
 */
export const SLAB_BYTES = 1024 * 1024;
const SLABS = 4;
/** A slab with less room than this is not read into again: it is handed on once its bytes are used. */
const MIN_READ_BYTES = 64 * 1024;
const MAX_HEADER_BYTES = 64 * 1024;
/** An idle connection is closed after this long: the server may close it any time after (S3 servers keep them a few seconds). */
const IDLE_MS = 4000;

/**
 * An answer expected under this many bytes, from a plain-HTTP server at a loopback address that was seen holding such
 * a body back, goes on a connection of its own, which the server closes. A server that writes the head and the body
 * apart with Nagle's algorithm on (radosgw's default) holds the body until the head is acknowledged, and Linux delays
 * that acknowledgement 40 ms on a connection that carries one request after another; the loopback link's segments
 * (64 KiB) hold the head and such a body whole, so every one waited. A new connection's first segments are
 * acknowledged at once, and on this machine it costs microseconds. Only where the wait was seen: a loopback address
 * may be a tunnel (kubectl port-forward, ssh -L) to a server elsewhere, where a connection costs a round trip and a
 * tunnel's stream, and a server that sends at once (MinIO) never waits.
 */
export const ALONE_BELOW_BYTES = 60 * 1024;

/** A small body that comes whole, in one read, this long after its head was held back (a delayed acknowledgement is 40 ms). */
const HELD_BACK_MS = 30;

/** Room for such an answer's head and body in one slab. */
const ALONE_SLAB_BYTES = 128 * 1024;

/** Whether an address node:http reached is this machine (127.0.0.0/8 or ::1). */
function isLoopbackAddress(address: string): boolean {
  return /^127\./.test(address) || address === '::1';
}

/** A GET this client can't do (no connection, an answer without Content-Length): the caller asks node:http instead. */
export class DirectUnavailable extends Error {}

function brokenConnection(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** How many bytes a body's chunk is to hold, or how long, once asked for, it may wait for them (see Connection.next). */
export interface ChunkWanted {
  bytes: number;
  ms: number;
}

/** Whatever was read by then: the default chunk, of a body and of a response's head. */
const ANY_BYTES: ChunkWanted = { bytes: 1, ms: 0 };

/** A buffer reads go into one after the other: bytes up to `filled` were read, up to `taken` handed out. */
interface Slab {
  buffer: Buffer;
  filled: number;
  taken: number;
  /** Slices handed out and not yet released. */
  holds: number;
}

/** Bytes handed out of a slab; valid until released. */
interface Slice {
  slab: Slab;
  start: number;
  end: number;
}

function newSlab(bytes: number): Slab {
  return { buffer: Buffer.allocUnsafe(bytes), filled: 0, taken: 0, holds: 0 };
}

function bytesOf(slice: Slice): Buffer {
  return slice.slab.buffer.subarray(slice.start, slice.end);
}

/** One keep-alive connection: a socket reading into its own few slabs, handed out as slices. */
class Connection {
  /** Slabs read into and not yet handed out in full, oldest first; the last is the one Node reads into. */
  private readonly reading: Slab[];
  /** Slabs read into before and free again; every slab allocated is here or in `reading` (at most SLABS in all). */
  private readonly free: Slab[] = [];
  private wake: (() => void) | undefined;
  private failure: Error | undefined;
  private paused = false;
  /** Kept for a next request: nothing should arrive now, and anything that does makes it unusable. */
  idle = false;
  /** Reads so far, and when the last came (see DirectGets.holdingBack). */
  reads = 0;
  lastReadAt = 0;
  /** Called once it has closed (while idle: to leave the idle list, and free its buffers). */
  onClose: (() => void) | undefined;
  readonly socket: Socket;

  constructor(
    readonly key: string,
    connector: DirectConnector,
    route: DirectRoute,
    /** Smaller for a connection that carries one small answer (see ALONE_BELOW_BYTES). */
    private readonly slabBytes = SLAB_BYTES,
  ) {
    this.reading = [newSlab(slabBytes)];
    this.socket = connector.connect(route, {
      // Node asks where to read next right after each read (see onRead for why a slab is always there).
      buffer: () => this.nextReadBuffer(),
      callback: (bytes) => this.onRead(bytes),
    });
    this.socket.setNoDelay(true);
    const fail = (error: Error) => {
      this.failure ??= error;
      this.notify();
    };
    this.socket.on('error', fail);
    this.socket.on('end', () => fail(brokenConnection('ECONNRESET', 'the server closed the connection')));
    this.socket.on('close', () => {
      fail(brokenConnection('ECONNRESET', 'the connection closed'));
      this.onClose?.();
    });
    this.socket.on('timeout', () => this.socket.destroy(brokenConnection('ETIMEDOUT', 'no answer in time')));
  }

  /** Whether it can carry another request: not failed or closed (idle too long, say), and no bytes left unread. */
  get alive(): boolean {
    return this.failure === undefined && !this.socket.destroyed && !this.reading.some((slab) => slab.taken < slab.filled);
  }

  private get current(): Slab {
    return this.reading[this.reading.length - 1];
  }

  private roomIn(slab: Slab): number {
    return slab.buffer.length - slab.filled;
  }

  /** The room left in the current slab, or a fresh slab once it has too little (onRead made sure there is one). */
  private nextReadBuffer(): Buffer {
    if (this.roomIn(this.current) < MIN_READ_BYTES) {
      // The slab left behind has bytes just read, not yet handed out: it is settled once they are used.
      // Allocated only when none is free: a connection that only carries small answers needs one or two.
      this.reading.push(this.free.pop() ?? newSlab(this.slabBytes));
    }
    return this.current.buffer.subarray(this.current.filled);
  }

  private onRead(bytes: number): boolean {
    if (this.idle) {
      // Bytes no request asked for (a server's parting 408, say) would pass for the next answer.
      this.destroy(brokenConnection('ECONNRESET', 'the server sent bytes on an idle connection'));
      return false;
    }
    this.current.filled += bytes;
    this.reads++;
    this.lastReadAt = performance.now();
    this.notify();
    // Node asks for the next buffer right after this, which may take the last slab left: reading then stops
    // until a slab comes back, so that the one after is there when that one is full.
    const spare = SLABS - this.reading.length;
    this.paused = this.roomIn(this.current) < MIN_READ_BYTES && spare <= 1;
    return !this.paused;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** A slab read into no more, handed out in full and released goes back to be read into. */
  private settle(slab: Slab): void {
    if (slab !== this.current && slab.taken === slab.filled && slab.holds === 0) {
      this.reading.splice(this.reading.indexOf(slab), 1);
      slab.filled = slab.taken = 0;
      this.free.push(slab);
      if (this.paused && !this.socket.destroyed) {
        this.paused = false;
        this.socket.resume();
      }
    }
  }

  /** Gives a slice back once its bytes are used, and reads on if reading had stopped for want of room. */
  release(slice: Slice): void {
    slice.slab.holds--;
    this.settle(slice.slab);
  }

  /**
   * All the bytes read and not yet handed out (of the oldest slab that has any), once there are `bytes`, or `ms`
   * after some were there to hand out, or the slab is full (read into no more), or the connection failed. So the
   * wait can't hold reading up: reading stops for want of room only while full slabs are unread or held, a full slab
   * is handed out whatever is wanted, and giving it back starts reading again.
   */
  async next(signal: AbortSignal, bytes = ANY_BYTES.bytes, ms = ANY_BYTES.ms): Promise<Slice> {
    /** Once bytes wait, the one timer after which they go, wanted or not (`due`). */
    let timer: NodeJS.Timeout | undefined;
    let due = false;
    try {
      for (;;) {
        const slab = this.reading.find((candidate) => candidate.taken < candidate.filled);
        if (slab && (slab.filled - slab.taken >= bytes || slab !== this.current || this.failure || due)) {
          const slice = { slab, start: slab.taken, end: slab.filled };
          slab.taken = slab.filled;
          slab.holds++;
          return slice;
        }
        if (signal.aborted) {
          throw cancelledError();
        }
        if (this.failure) {
          throw this.failure;
        }
        if (slab && timer === undefined) {
          timer = setTimeout(() => {
            due = true;
            this.notify();
          }, ms);
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      clearTimeout(timer);
    }
  }

  destroy(error?: Error): void {
    this.failure ??= error ?? brokenConnection('ECONNRESET', 'closed');
    this.socket.destroy();
  }
}

/** Case-insensitive headers of a response head (status line dropped); a header that repeats keeps its last value. */
function parseHead(head: string): { status: number; headers: Map<string, string> } {
  const lines = head.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1];
  if (status === undefined) {
    throw brokenConnection('ECONNRESET', 'the server did not answer in HTTP/1.1');
  }
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
  }
  return { status: Number(status), headers };
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

/** The connections that can serve a route: to its address and port, for its host name, with or without TLS. */
function routeKey(route: DirectRoute): string {
  return `${route.tls ? 's' : ''}${route.address}:${route.port}:${route.host}`;
}

/** Keep-alive connections per route, and GETs on them. */
export class DirectGets {
  private readonly idle = new Map<string, Connection[]>();
  /** Routes (see routeKey) whose server was seen holding a small body back: their small answers go alone (see ALONE_BELOW_BYTES). */
  private readonly holdingBack = new Set<string>();

  /**
   * `chunks`: how many bytes a body's chunk is to hold, and how long, once asked for, it may wait for them, so that a
   * caller that writes each chunk to a file makes fewer, larger writes, without holding a slow link's bytes back.
   * By default each chunk is what was read by then.
   */
  constructor(
    private readonly connector: DirectConnector,
    private readonly timeoutMs: () => number,
    private readonly chunks: ChunkWanted = ANY_BYTES,
  ) {}

  /** `expectedBytes`: the body's length, when known; a small one from a server seen holding one back goes alone (see ALONE_BELOW_BYTES). */
  async get(route: DirectRoute, pathAndQuery: string, headers: Record<string, string>, signal: AbortSignal, expectedBytes?: number): Promise<DirectResponse> {
    const alone = expectedBytes !== undefined && expectedBytes < ALONE_BELOW_BYTES && this.holdingBack.has(routeKey(route));
    // A kept connection the server closed in the meantime fails before any answer: that is tried once more on a new one.
    for (let attempt = 0; ; attempt++) {
      const { connection, reused } = alone ? { connection: new Connection(routeKey(route), this.connector, route, ALONE_SLAB_BYTES), reused: false } : this.checkout(route);
      try {
        return await this.exchange(connection, route, pathAndQuery, headers, signal, alone);
      } catch (error) {
        connection.destroy();
        if (!reused || attempt > 0 || signal.aborted || LogqsError.is(error) || error instanceof DirectUnavailable) {
          throw error;
        }
      }
    }
  }

  dispose(): void {
    for (const connections of this.idle.values()) {
      connections.forEach((connection) => connection.destroy());
    }
    this.idle.clear();
  }

  /** A kept connection to the route that can still be used, or a new one. */
  private checkout(route: DirectRoute): { connection: Connection; reused: boolean } {
    const key = routeKey(route);
    const kept = this.idle.get(key) ?? [];
    for (let connection = kept.pop(); connection; connection = kept.pop()) {
      connection.onClose = undefined;
      connection.idle = false;
      if (connection.alive) {
        connection.socket.ref();
        return { connection, reused: true };
      }
      connection.destroy();
    }
    return { connection: new Connection(key, this.connector, route), reused: false };
  }

  private checkin(connection: Connection): void {
    connection.idle = true;
    if (!connection.alive) {
      connection.destroy();
      return;
    }
    // Closed when idle too long (its buffers freed), and it keeps no process (or extension host's exit) waiting.
    connection.socket.setTimeout(IDLE_MS);
    connection.socket.unref();
    const kept = this.idle.get(connection.key) ?? [];
    kept.push(connection);
    this.idle.set(connection.key, kept);
    connection.onClose = () => {
      const index = kept.indexOf(connection);
      if (index >= 0) {
        kept.splice(index, 1);
      }
    };
  }

  private async exchange(connection: Connection, route: DirectRoute, pathAndQuery: string, requestHeaders: Record<string, string>, signal: AbortSignal, alone: boolean): Promise<DirectResponse> {
    const headers = alone ? { ...requestHeaders, Connection: 'close' } : requestHeaders;
    if (signal.aborted) {
      throw cancelledError();
    }
    const onAbort = () => connection.destroy(cancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    let handedOver = false;
    try {
      connection.socket.setTimeout(this.timeoutMs());
      const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
      connection.socket.write(`GET ${pathAndQuery} HTTP/1.1\r\nHost: ${route.host}\r\n${lines.join('')}\r\n`, 'latin1');
      const { status, headers: responseHeaders, first } = await this.readHead(connection, signal);
      const length = Number(responseHeaders.get('content-length'));
      if (responseHeaders.has('transfer-encoding') || !Number.isSafeInteger(length) || length < 0) {
        throw new DirectUnavailable(responseHeaders.get('transfer-encoding') ?? 'no Content-Length');
      }
      // Asked to close, it is not kept even when the server leaves it open (or doesn't say).
      const keepAlive = !alone && !/\bclose\b/i.test(responseHeaders.get('connection') ?? '');
      // A small body that didn't come with its head, on a plain connection to a loopback address: watched for being held back.
      const watched = !alone && !route.tls && isLoopbackAddress(route.address) && length > 0 && length < ALONE_BELOW_BYTES && first.end === first.start;
      const head = watched ? { reads: connection.reads, at: performance.now(), route: routeKey(route) } : undefined;
      handedOver = true;
      const discard = () => {
        signal.removeEventListener('abort', onAbort);
        connection.destroy();
      };
      return { status, headers: responseHeaders, body: this.body(connection, first, length, keepAlive, signal, onAbort, head), discard };
    } finally {
      if (!handedOver) {
        signal.removeEventListener('abort', onAbort);
      }
    }
  }

  /** Reads up to the blank line that ends the head; the body's first bytes, if they came with it, are left as `first`. */
  private async readHead(connection: Connection, signal: AbortSignal) {
    let head: Buffer = Buffer.alloc(0);
    for (;;) {
      const slice = await connection.next(signal);
      const bytes = bytesOf(slice);
      // The blank line may straddle two reads: look for it from three bytes before the new ones.
      const from = Math.max(0, head.length - 3);
      head = head.length === 0 ? bytes : Buffer.concat([head, bytes]);
      const blank = head.indexOf(CRLFCRLF, from);
      if (blank < 0) {
        if (head.length > MAX_HEADER_BYTES) {
          throw brokenConnection('ECONNRESET', 'the response head is too long');
        }
        head = Buffer.from(head); // copied: the read buffer goes back to be read into
        connection.release(slice);
        continue;
      }
      const parsed = parseHead(head.toString('latin1', 0, blank));
      const bodyStart = blank + 4 - (head.length - bytes.length);
      return { ...parsed, first: { ...slice, start: slice.start + bodyStart } };
    }
  }

  private async *body(
    connection: Connection,
    first: Slice,
    length: number,
    keepAlive: boolean,
    signal: AbortSignal,
    onAbort: () => void,
    /** The head of a watched answer (see exchange): the read it ended at, when, and its route. */
    head?: { reads: number; at: number; route: string },
  ): AsyncGenerator<Uint8Array> {
    let remaining = length;
    let clean = false;
    let slice: Slice | undefined = first;
    try {
      for (;;) {
        slice ??= await connection.next(signal, Math.min(this.chunks.bytes, remaining), this.chunks.ms);
        const size = slice.end - slice.start;
        // The whole body in the one read after its head, long after it: held back until the head was acknowledged.
        if (head && size === length && connection.reads === head.reads + 1 && connection.lastReadAt - head.at >= HELD_BACK_MS) {
          this.holdingBack.add(head.route);
        }
        if (size > remaining) {
          // More than Content-Length said: nothing on this connection can be trusted.
          throw brokenConnection('ECONNRESET', 'the server sent more than it announced');
        }
        remaining -= size;
        if (size > 0) {
          yield bytesOf(slice);
        }
        connection.release(slice);
        slice = undefined;
        if (remaining === 0) {
          break;
        }
      }
      clean = true;
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (clean && keepAlive) {
        this.checkin(connection);
      } else {
        connection.destroy();
      }
    }
  }
}
