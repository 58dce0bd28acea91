import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { createRangeReader } from '../../../src/adapters/http/rangeReader';
import type { ChunkedBody, FileWritingBody, RangeResponse } from '../../../src/core/transfer';
import { code } from '../../support/assertions';

const DATA = randomBytes(3 * 1024 * 1024 + 17);

/**
 * A server of one object that answers ranged GETs as S3 does, and, by path,
 * the answers a client meets less often: chunked, cut short, too long, a
 * head sent a byte at a time, S3 errors. It counts connections and requests.
 */
function startServer(tls?: { key: Buffer; cert: Buffer }) {
  const sockets = new Set<Socket>();
  const seen = { connections: 0, requests: 0, ranges: [] as (string | undefined)[] };
  const handler: http.RequestListener = (request, response) => {
    seen.requests++;
    seen.ranges.push(request.headers.range);
    const [, start, end] = /bytes=(\d+)-(\d*)/.exec(request.headers.range ?? '') ?? [];
    const from = Number(start ?? 0);
    const to = end ? Number(end) : DATA.length - 1;
    const part = DATA.subarray(from, to + 1);
    const headers = { 'content-range': `bytes ${from}-${to}/${DATA.length}`, etag: '"abc"', 'content-length': part.length };
    switch (request.url?.split('?')[0]) {
      case '/chunked':
        response.writeHead(206, { 'content-range': headers['content-range'], etag: headers.etag });
        response.end(part);
        return;
      case '/cut':
        response.writeHead(206, headers);
        response.write(part.subarray(0, part.length >> 1), () => response.socket?.destroy());
        return;
      case '/extra':
        request.socket.end(`HTTP/1.1 206 Partial Content\r\nContent-Length: 4\r\nContent-Range: bytes 0-3/${DATA.length}\r\n\r\n12345678`);
        return;
      case '/trickle': {
        const head = `HTTP/1.1 206 Partial Content\r\nContent-Length: ${part.length}\r\nETag: "abc"\r\nContent-Range: ${headers['content-range']}\r\n\r\n`;
        const socket = request.socket;
        let i = 0;
        const next = () => (i < head.length ? socket.write(head[i++], () => setTimeout(next, 1)) : socket.write(part));
        next();
        return;
      }
      case '/parting':
        response.writeHead(206, headers);
        response.end(part, () => setTimeout(() => request.socket.write('HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n'), 20));
        return;
      case '/slow': {
        // The part in eight pieces over about 0.8 s: a slow link.
        response.writeHead(206, headers);
        const piece = Math.ceil(part.length / 8);
        let sent = 0;
        const next = () => {
          response.write(part.subarray(sent, sent + piece));
          sent += piece;
          if (sent < part.length) {
            setTimeout(next, 100);
          } else {
            response.end();
          }
        };
        next();
        return;
      }
      case '/silent':
        return; // no answer at all, not even a head
      case '/stall':
        response.writeHead(206, headers);
        response.write(part.subarray(0, 10));
        return;
      case '/forbidden':
        // With a Content-Length, as S3 sends its errors: the connection stays usable (and direct).
        response.writeHead(403, { 'content-type': 'application/xml', 'content-length': 61 });
        response.end('<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>');
        return;
      case '/slowdown':
        response.writeHead(503, { 'content-length': 36 });
        response.end('<Error><Code>SlowDown</Code></Error>');
        return;
      case '/kms': {
        // As S3 answers for an object encrypted with SSE-KMS: its ETag is no MD5 of its bytes.
        const kms = { 'x-amz-server-side-encryption': 'aws:kms' };
        response.writeHead(request.headers.range === undefined ? 200 : 206, request.headers.range === undefined ? { etag: headers.etag, 'content-length': part.length, ...kms } : { ...headers, ...kms });
        response.end(part);
        return;
      }
      default:
        // As S3 does: a GET without a Range is answered 200, the whole object, without Content-Range.
        response.writeHead(request.headers.range === undefined ? 200 : 206, request.headers.range === undefined ? { etag: headers.etag, 'content-length': part.length } : headers);
        response.end(part);
    }
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    seen.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise<{ url: (path: string) => string; seen: typeof seen; openConnections: () => number; server: http.Server; close: () => Promise<void> }>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: (path) => (tls ? `https://localhost:${port}${path}?X-Amz-Signature=secret` : `http://127.0.0.1:${port}${path}?X-Amz-Signature=secret`),
        seen,
        openConnections: () => sockets.size,
        server,
        close: () => {
          sockets.forEach((socket) => socket.destroy());
          return new Promise((done) => server.close(() => done()));
        },
      });
    }),
  );
}

/** A test-only certificate for the name localhost (no address in it), and its key: test/support/tls. */
const TLS_CERT = path.resolve(__dirname, '../../../../test/support/tls/localhost.crt');
const tlsOptions = () => ({ key: readFileSync(TLS_CERT.replace(/\.crt$/, '.key')), cert: readFileSync(TLS_CERT) });

async function bytesOf(response: RangeResponse<ChunkedBody | FileWritingBody>): Promise<Buffer> {
  assert.ok(!('writeTo' in response.body), 'a body handed over, not written');
  const chunks: Buffer[] = [];
  for await (const chunk of response.body) {
    chunks.push(Buffer.from(chunk)); // copied: a chunk is valid only until the next is read
  }
  return Buffer.concat(chunks);
}

const live = () => new AbortController().signal;
/** The first GET to an origin goes through node:http and learns the route; the lookup behind it settles in a moment. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('range reader', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let reader: ReturnType<typeof createRangeReader>;
  beforeEach(async () => {
    server = await startServer();
    reader = createRangeReader({ timeoutMs: () => 5000 });
  });
  afterEach(async () => {
    reader.dispose();
    await server.close();
  });

  /** The first GET learns that node:http went straight to the server; the ones after it read the socket directly. */
  async function warmUp(path = '/object'): Promise<void> {
    const first = await reader.get(server.url(path), { start: 0, end: 9 }, live());
    assert.ok(first.body instanceof Readable, 'the first GET goes through node:http');
    assert.deepEqual(await bytesOf(first), DATA.subarray(0, 10));
    await settle();
  }

  it('closes at once the connection of an answer turned down after its head, on node:http, direct and on the range thread', async () => {
    // '/stall' sends its head and 10 bytes, then nothing: unread, its connection would wait for the 5 s timeout.
    const closes = async (how: string, into?: 'file') => {
      const response = await (into ? reader.get(server.url('/stall'), { start: 0, end: DATA.length - 1 }, live(), into) : reader.get(server.url('/stall'), { start: 0, end: DATA.length - 1 }, live()));
      const open = server.openConnections();
      response.discard?.();
      for (let waited = 0; server.openConnections() >= open && waited < 1000; waited += 10) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.ok(server.openConnections() < open, `${how}: still ${server.openConnections()} connections open`);
    };
    await closes('node:http');
    await settle();
    await closes('direct');
    await closes('range thread', 'file');
  });

  it('reads ranges byte-exact straight from the socket, on one kept connection, after the first GET', async () => {
    await warmUp();
    const connectionsBefore = server.seen.connections;
    for (const [start, end] of [
      [0, DATA.length - 1],
      [5, 5],
      [1024 * 1024 - 1, 2 * 1024 * 1024 + 3],
    ]) {
      const response = await reader.get(server.url('/object'), { start, end }, live());
      assert.ok(!(response.body instanceof Readable), 'read directly');
      assert.equal(response.status, 206);
      assert.equal(response.etag, '"abc"');
      assert.equal(response.totalSize, DATA.length);
      assert.deepEqual(await bytesOf(response), DATA.subarray(start, end + 1));
    }
    assert.equal(server.seen.connections - connectionsBefore, 1, 'the three GETs share one connection');
  });

  it('asks for the whole object without a Range (a range of a small object costs radosgw more), on node:http and directly', async () => {
    for (const how of ['node:http', 'direct']) {
      const response = await reader.get(server.url('/object'), { start: 0 }, live());
      assert.equal(response.body instanceof Readable, how === 'node:http', how);
      assert.equal(server.seen.ranges.at(-1), undefined, `${how}: no Range header`);
      assert.equal(response.status, 200);
      assert.equal(response.totalSize, DATA.length);
      assert.deepEqual(await bytesOf(response), DATA);
      await settle();
    }
    await bytesOf(await reader.get(server.url('/object'), { start: 5 }, live()));
    assert.equal(server.seen.ranges.at(-1), 'bytes=5-', 'the rest of an object is still a range');
  });

  it('lets GETs that start with the first wait for its route, then read directly', async () => {
    const responses = await Promise.all([0, 1, 2, 3].map((i) => reader.get(server.url('/object'), { start: i * 1000, end: i * 1000 + 999 }, live())));
    assert.deepEqual(
      responses.map((response) => response.body instanceof Readable),
      [true, false, false, false],
    );
    for (const [i, response] of responses.entries()) {
      assert.deepEqual(await bytesOf(response), DATA.subarray(i * 1000, i * 1000 + 1000));
    }
  });

  it('lets a GET or HEAD waiting for the route be cancelled at once, whatever the GET learning it does', async () => {
    const learner = new AbortController();
    const learning = reader.get(server.url('/silent'), { start: 0, end: 9 }, learner.signal).catch((error: unknown) => error);
    for (const ask of [(signal: AbortSignal) => reader.get(server.url('/object'), { start: 0, end: 9 }, signal), (signal: AbortSignal) => reader.head(server.url('/object'), signal)]) {
      const waiting = new AbortController();
      const started = Date.now();
      setTimeout(() => waiting.abort(), 50);
      await assert.rejects(ask(waiting.signal), code('cancelled'));
      assert.ok(Date.now() - started < 2000, 'cancelled without waiting for the learning GET (a 5 s timeout)');
    }
    learner.abort();
    assert.ok(code('cancelled')(await learning));
  });

  it('learns the route from a later GET when the first one is refused', async () => {
    await assert.rejects(reader.get(server.url('/forbidden'), { start: 0 }, live()), code('forbidden'));
    await warmUp();
    const response = await reader.get(server.url('/object'), { start: 0, end: 9 }, live());
    assert.ok(!(response.body instanceof Readable));
    await bytesOf(response);
  });

  it('reads a head that arrives a byte at a time', async () => {
    await warmUp();
    const response = await reader.get(server.url('/trickle'), { start: 100, end: 300_000 }, live());
    assert.deepEqual(await bytesOf(response), DATA.subarray(100, 300_001));
  });

  it('opens a new connection when the server closed the kept one', async () => {
    server.server.keepAliveTimeout = 50;
    await warmUp();
    await bytesOf(await reader.get(server.url('/object'), { start: 0, end: 99 }, live()));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const response = await reader.get(server.url('/object'), { start: 0, end: 99 }, live());
    assert.deepEqual(await bytesOf(response), DATA.subarray(0, 100));
  });

  it('does not take bytes sent on an idle connection for the next answer', async () => {
    await warmUp();
    await bytesOf(await reader.get(server.url('/parting'), { start: 0, end: 99 }, live()));
    await settle();
    const response = await reader.get(server.url('/object'), { start: 100, end: 199 }, live());
    assert.equal(response.status, 206);
    assert.deepEqual(await bytesOf(response), DATA.subarray(100, 200));
  });

  it('turns S3 errors into the same errors as node:http, without the URL’s signature', async () => {
    await warmUp();
    await assert.rejects(reader.get(server.url('/forbidden'), { start: 0 }, live()), (error: Error) => code('forbidden')(error) && /AccessDenied/.test(error.message) && !/secret/.test(error.message));
    await assert.rejects(reader.get(server.url('/slowdown'), { start: 0 }, live()), (error: Error) => code('remote')(error) && (error as { status?: number }).status === 503);
    // The connection stays usable after an error answer, and direct.
    const after = await reader.get(server.url('/object'), { start: 0, end: 3 }, live());
    assert.ok(!(after.body instanceof Readable));
    assert.deepEqual(await bytesOf(after), DATA.subarray(0, 4));
  });

  it('goes back to node:http for a chunked answer, stays there for that origin a while, then learns its route again', async () => {
    reader.dispose();
    reader = createRangeReader({ timeoutMs: () => 5000, relearnAfterMs: 300 });
    await warmUp();
    const chunked = await reader.get(server.url('/chunked'), { start: 0, end: 999 }, live());
    assert.ok(chunked.body instanceof Readable);
    assert.deepEqual(await bytesOf(chunked), DATA.subarray(0, 1000));
    const after = await reader.get(server.url('/object'), { start: 0, end: 9 }, live());
    assert.ok(after.body instanceof Readable);
    await bytesOf(after);
    await new Promise((resolve) => setTimeout(resolve, 400));
    // The first GET after the while learns the route again (through node:http); the next reads directly.
    await warmUp();
    const direct = await reader.get(server.url('/object'), { start: 0, end: 9 }, live());
    assert.ok(!(direct.body instanceof Readable));
    assert.deepEqual(await bytesOf(direct), DATA.subarray(0, 10));
  });

  it('fails a body cut short, and one longer than announced, as a broken connection', async () => {
    await warmUp();
    const cut = await reader.get(server.url('/cut'), { start: 0, end: 1024 * 1024 }, live());
    await assert.rejects(bytesOf(cut), (error: NodeJS.ErrnoException) => error.code === 'ECONNRESET');
    const extra = await reader.get(server.url('/extra'), { start: 0, end: 3 }, live());
    await assert.rejects(bytesOf(extra), (error: NodeJS.ErrnoException) => error.code === 'ECONNRESET');
  });

  it('stops at once when cancelled mid-body, and does not reuse that connection', async () => {
    await warmUp();
    const controller = new AbortController();
    const response = await reader.get(server.url('/object'), { start: 0 }, controller.signal);
    const before = server.seen.connections;
    let read = 0;
    await assert.rejects(
      (async () => {
        for await (const chunk of response.body) {
          read += chunk.byteLength;
          controller.abort();
        }
      })(),
      code('cancelled'),
    );
    assert.ok(read < DATA.length);
    assert.deepEqual(await bytesOf(await reader.get(server.url('/object'), { start: 0, end: 9 }, live())), DATA.subarray(0, 10));
    assert.equal(server.seen.connections, before + 1, 'a new connection after the cancelled one');
  });

  it('stops a body the server stalls on as soon as it is cancelled', async () => {
    await warmUp();
    const controller = new AbortController();
    const response = await reader.get(server.url('/stall'), { start: 0, end: 999 }, controller.signal);
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    await assert.rejects(bytesOf(response), code('cancelled'));
    assert.ok(Date.now() - started < 2000, 'not left to the 5 s timeout');
  });

  it('keeps every GET on node:http when node:http reaches the server through a proxy', async () => {
    // A forward proxy, and node:http as a proxy setting makes it: every request goes to the proxy with the full URL.
    let proxied = 0;
    const proxy = http.createServer((request, response) => {
      proxied++;
      const upstream = http.request(request.url ?? '', { headers: request.headers }, (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      });
      request.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyPort = (proxy.address() as AddressInfo).port;
    const viaProxy: typeof http = {
      ...http,
      request: ((url: URL, options: http.RequestOptions, callback: (response: http.IncomingMessage) => void) =>
        http.request({ ...options, host: '127.0.0.1', port: proxyPort, path: url.href, agent: undefined }, callback)) as typeof http.request,
    };
    reader.dispose();
    reader = createRangeReader({ timeoutMs: () => 5000, nodeHttp: async () => ({ http: viaProxy, https: await import('node:https') }) });
    try {
      for (let i = 0; i < 3; i++) {
        const response = await reader.get(server.url('/object'), { start: i, end: i + 99 }, live());
        assert.ok(response.body instanceof Readable);
        assert.deepEqual(await bytesOf(response), DATA.subarray(i, i + 100));
        await settle();
      }
      assert.equal(proxied, 3, 'every GET went through the proxy');
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('reads directly over TLS too, checking the certificate against the URL’s host name', async function () {
    this.timeout(20_000);
    // A child process, so the test's own CA reaches both node:https and tls.connect as a system CA would.
    const tlsServer = await startServer(tlsOptions());
    const script = `
      const { createRangeReader } = require(${JSON.stringify(path.resolve(__dirname, '../../../src/adapters/http/rangeReader.js'))});
      const { createHash } = require('node:crypto');
      (async () => {
        const reader = createRangeReader({ timeoutMs: () => 5000 });
        const seen = [];
        for (const [start, end] of [[0, 9], [0, ${DATA.length - 1}], [7, 300006]]) {
          const response = await reader.get(process.argv[1], { start, end }, new AbortController().signal);
          const hash = createHash('sha256');
          for await (const chunk of response.body) hash.update(chunk);
          seen.push({ direct: !(response.body instanceof require('node:stream').Readable), sha256: hash.digest('hex') });
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        reader.dispose();
        console.log(JSON.stringify(seen));
      })().catch((error) => { console.error(error); process.exit(1); });`;
    try {
      const output = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ['-e', script, tlsServer.url('/object')], { env: { ...process.env, NODE_EXTRA_CA_CERTS: TLS_CERT } }, (error, stdout, stderr) =>
          error ? reject(new Error(stderr)) : resolve(stdout),
        ),
      );
      const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
      assert.deepEqual(JSON.parse(output), [
        { direct: false, sha256: sha256(DATA.subarray(0, 10)) },
        { direct: true, sha256: sha256(DATA) },
        { direct: true, sha256: sha256(DATA.subarray(7, 300007)) },
      ]);
    } finally {
      await tlsServer.close();
    }
  });

  it('goes back to node:http when a direct connection fails, as TLS does for a CA only VS Code’s https trusts', async () => {
    const tls = tlsOptions();
    const tlsServer = await startServer(tls);
    // node:https as VS Code gives it: with certificates plain tls.connect doesn't have.
    const trusting = {
      ...https,
      request: ((url: URL, options: https.RequestOptions, callback: (response: http.IncomingMessage) => void) => https.request(url, { ...options, ca: tls.cert }, callback)) as typeof https.request,
    };
    reader.dispose();
    reader = createRangeReader({ timeoutMs: () => 5000, nodeHttp: async () => ({ http, https: trusting }) });
    try {
      for (const [start, end] of [
        [0, 9],
        [10, 200_009],
        [5, 5],
      ]) {
        const response = await reader.get(tlsServer.url('/object'), { start, end }, live());
        assert.ok(response.body instanceof Readable, 'node:https serves every GET');
        assert.deepEqual(await bytesOf(response), DATA.subarray(start, end + 1));
        await settle();
      }
    } finally {
      await tlsServer.close();
    }
  });
  it('hands a slow reader every byte, reading ahead only into the few buffers it has', async () => {
    await warmUp();
    const response = await reader.get(server.url('/object'), { start: 0 }, live());
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) {
      chunks.push(Buffer.from(chunk));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    assert.deepEqual(Buffer.concat(chunks), DATA);
    assert.ok(chunks.some((chunk) => chunk.length > 256 * 1024), 'reads that came while the reader slept are handed over together');
  });

  describe('into a file, on the range thread', () => {
    let folder: string;
    let fd: number;
    beforeEach(() => {
      folder = mkdtempSync(path.join(os.tmpdir(), 'logqs-range-thread-'));
      fd = openSync(path.join(folder, 'object'), 'w+');
    });
    afterEach(() => {
      closeSync(fd);
      rmSync(folder, { recursive: true, force: true });
    });

    const fileBytes = () => readFileSync(path.join(folder, 'object'));
    /** What a GET into a file reads on the extension host's thread while the range thread starts. */
    const EARLY = 2 * 1024 * 1024;

    async function writeRange(start: number, end: number, signal = live()): Promise<{ kept: number; error?: unknown; reported: number }> {
      const response = await reader.get(server.url('/object'), { start, end }, signal, 'file');
      assert.equal(response.status, 206);
      assert.equal(response.totalSize, DATA.length);
      assert.ok('writeTo' in response.body, 'written by the range thread');
      let reported = 0;
      const result = await response.body.writeTo(fd, start, (bytes) => (reported += bytes));
      return { ...result, reported };
    }

    it('learns the route with the first 64 KiB only, and writes the rest of the range on the thread', async () => {
      const first = await reader.get(server.url('/object'), { start: 0, end: DATA.length - 1 }, live(), 'file');
      assert.ok(first.body instanceof Readable, 'the first GET goes through node:http');
      assert.equal(first.totalSize, DATA.length);
      assert.deepEqual(await bytesOf(first), DATA.subarray(0, 64 * 1024));
      const { kept, error, reported } = await writeRange(64 * 1024, DATA.length - 1);
      assert.deepEqual({ kept, reported, error }, { kept: DATA.length - 64 * 1024, reported: DATA.length - 64 * 1024, error: undefined });
      assert.ok(fileBytes().subarray(64 * 1024).equals(DATA.subarray(64 * 1024)));
    });

    it('reads a GET into a file here while its thread starts, 2 MiB at most, and leaves the GETs after it to the thread once it runs', async () => {
      await warmUp();
      reader.prepareForFiles?.();
      const early = await reader.get(server.url('/object'), { start: 0 }, live(), 'file');
      assert.ok(!('writeTo' in early.body), 'read here: the thread does not run yet');
      assert.equal(server.seen.ranges.at(-1), `bytes=0-${EARLY - 1}`);
      assert.deepEqual(await bytesOf(early), DATA.subarray(0, EARLY));
      for (const until = Date.now() + 5000; ; await settle()) {
        const rest = await reader.get(server.url('/object'), { start: EARLY }, live(), 'file');
        if ('writeTo' in rest.body) {
          const { kept } = await rest.body.writeTo(fd, EARLY, () => undefined);
          assert.equal(kept, DATA.length - EARLY);
          break;
        }
        assert.deepEqual(await bytesOf(rest), DATA.subarray(EARLY, EARLY + EARLY), 'read here again, 2 MiB');
        assert.ok(Date.now() < until, 'the thread runs within 5 s');
      }
      assert.ok(fileBytes().subarray(EARLY).equals(DATA.subarray(EARLY)));
    });

    it('reports progress as a slow body arrives, not only once it has', async () => {
      await warmUp();
      const response = await reader.get(server.url('/slow'), { start: 0, end: 1024 * 1024 - 1 }, live(), 'file');
      assert.ok('writeTo' in response.body);
      const reports: number[] = [];
      const started = Date.now();
      const { kept } = await response.body.writeTo(fd, 0, () => reports.push(Date.now() - started));
      const took = Date.now() - started;
      assert.equal(kept, 1024 * 1024);
      assert.ok(reports.length >= 2 && reports[0] < took - 200, `reports at ${reports.join(', ')} ms of ${took} ms`);
    });

    it('writes ranges byte-exact at their offsets, from parallel GETs, reporting every byte', async () => {
      await warmUp();
      // The thread running first: GETs made while it starts are read on this thread (see the test of that).
      await writeRange(0, 0);
      const third = Math.ceil(DATA.length / 3);
      const results = await Promise.all([0, 1, 2].map((i) => writeRange(i * third, Math.min(DATA.length, (i + 1) * third) - 1)));
      assert.deepEqual(
        results.map(({ kept, reported, error }) => ({ kept, reported, error })),
        [0, 1, 2].map((i) => {
          const length = Math.min(DATA.length, (i + 1) * third) - i * third;
          return { kept: length, reported: length, error: undefined };
        }),
      );
      assert.ok(fileBytes().equals(DATA));
    });

    it('turns S3 errors into the same errors, and a body cut short into a broken connection with the bytes kept', async () => {
      await warmUp();
      await assert.rejects(reader.get(server.url('/forbidden'), { start: 0 }, live(), 'file'), (error: Error) => code('forbidden')(error) && /AccessDenied/.test(error.message) && !/secret/.test(error.message));
      const cut = await reader.get(server.url('/cut'), { start: 0, end: 1024 * 1024 }, live(), 'file');
      assert.ok('writeTo' in cut.body);
      const { kept, error } = await cut.body.writeTo(fd, 0, () => undefined);
      assert.equal((error as NodeJS.ErrnoException).code, 'ECONNRESET');
      assert.ok(kept > 0 && kept < 1024 * 1024 + 1, `kept ${kept}`);
      assert.ok(fileBytes().subarray(0, kept).equals(DATA.subarray(0, kept)));
    });

    it('says a write the file refuses (a full disk) as the file system’s refusal', async () => {
      await warmUp();
      const response = await reader.get(server.url('/object'), { start: 0, end: 99_999 }, live(), 'file');
      assert.ok('writeTo' in response.body);
      const full = openSync('/dev/full', 'w');
      try {
        const { kept, error } = await response.body.writeTo(full, 0, () => undefined);
        assert.equal(kept, 0);
        assert.ok(code('storage')(error) && /ENOSPC/.test((error as Error).message), String(error));
      } finally {
        closeSync(full);
      }
    });

    it('stops writing at once when cancelled, and answers only once it has stopped', async () => {
      await warmUp();
      const controller = new AbortController();
      const response = await reader.get(server.url('/stall'), { start: 0, end: 999 }, controller.signal, 'file');
      assert.ok('writeTo' in response.body);
      setTimeout(() => controller.abort(), 50);
      const started = Date.now();
      const { kept, error } = await response.body.writeTo(fd, 0, () => undefined);
      assert.ok(code('cancelled')(error), String(error));
      assert.equal(kept, 10);
      assert.ok(Date.now() - started < 2000, 'not left to the 5 s timeout');
    });

    it('says an answer the extension host was too busy to claim in time as a timed-out connection, to be asked again, not as a cancel', async () => {
      reader.dispose();
      reader = createRangeReader({ timeoutMs: () => 100 });
      await warmUp();
      const response = await reader.get(server.url('/object'), { start: 0, end: 99_999 }, live(), 'file');
      assert.ok('writeTo' in response.body);
      // The thread's timeout passes while this thread is busy: its word that it closed the answer waits behind the write asked for.
      for (const until = Date.now() + 400; Date.now() < until; );
      const { kept, error } = await response.body.writeTo(fd, 0, () => undefined);
      assert.equal(kept, 0);
      assert.ok(!code('cancelled')(error), String(error));
      assert.equal((error as NodeJS.ErrnoException).code, 'ETIMEDOUT');
    });

    it('counts the bytes a range thread reported written before it stopped, and starts another for the next GET', async () => {
      // A stand-in thread that answers a head, reports 4 bytes written and stops.
      const standIn = path.join(folder, 'stopping-thread.js');
      writeFileSync(
        standIn,
        `const { parentPort } = require('node:worker_threads');
        parentPort.on('message', (m) => {
          if (m.type === 'get') parentPort.postMessage({ type: 'head', id: m.id, status: 206, headers: [['content-range', 'bytes 0-9/${DATA.length}']] });
          if (m.type === 'write') { parentPort.postMessage({ type: 'progress', id: m.id, bytes: 4 }); setTimeout(() => process.exit(3), 10); }
        });`,
      );
      reader.dispose();
      reader = createRangeReader({ timeoutMs: () => 5000, rangeThreadFile: standIn });
      await warmUp();
      for (const attempt of [1, 2]) {
        const response = await reader.get(server.url('/object'), { start: 0, end: 9 }, live(), 'file');
        assert.ok('writeTo' in response.body, `attempt ${attempt} on a range thread`);
        const { kept, error } = await response.body.writeTo(fd, 0, () => undefined);
        assert.equal(kept, 4);
        assert.match((error as Error).message, /range thread stopped/);
      }
    });

    it('answers a HEAD with its status and headers, a refusal too, and learns the route from it as a first GET would', async () => {
      const refused = await reader.head(server.url('/forbidden'), live());
      assert.equal(refused.status, 403);
      const answer = await reader.head(server.url('/object'), live());
      assert.deepEqual([answer.status, answer.headers.etag, answer.headers['content-length']], [200, '"abc"', String(DATA.length)]);
      await settle();
      const response = await reader.get(server.url('/object'), { start: 0, end: 99_999 }, live(), 'file');
      assert.ok('writeTo' in response.body, 'the first GET into a file goes to the range thread, whole');
      response.discard?.();
    });

    it('starts its thread when told GETs into files are coming, before any GET, and at once', async () => {
      const marker = path.join(folder, 'thread-started');
      const standIn = path.join(folder, 'marking-thread.js');
      writeFileSync(standIn, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'up');`);
      reader.dispose();
      reader = createRangeReader({ timeoutMs: () => 5000, rangeThreadFile: standIn });
      const disposedReader = createRangeReader({ timeoutMs: () => 5000, rangeThreadFile: standIn });
      disposedReader.dispose();
      disposedReader.prepareForFiles?.();
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.ok(!existsSync(marker), 'no thread starts for a reader disposed of');
      reader.prepareForFiles?.();
      // Waited for synchronously: the thread must start while this one is busy, as it is loading the AWS SDK in a download.
      const pause = new Int32Array(new SharedArrayBuffer(4));
      for (const until = Date.now() + 3000; !existsSync(marker) && Date.now() < until; ) {
        Atomics.wait(pause, 0, 0, 20);
      }
      assert.ok(existsSync(marker), 'the thread ran while this thread was busy');
    });

    it('goes back to node:http when the range thread can’t start', async () => {
      reader.dispose();
      reader = createRangeReader({ timeoutMs: () => 5000, rangeThreadFile: path.join(folder, 'missing.js') });
      await warmUp();
      const response = await reader.get(server.url('/object'), { start: 10, end: 99_999 }, live(), 'file');
      assert.ok(response.body instanceof Readable, 'node:http serves the GET');
      assert.deepEqual(await bytesOf(response), DATA.subarray(10, 100_000));
    });
  });
});

describe('range reader, a whole object into its place', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let reader: ReturnType<typeof createRangeReader>;
  let folder: string;
  const md5 = createHash('md5').update(DATA).digest('hex');
  const expected = { size: DATA.length, etag: '"abc"', md5 };
  const place = (name = 'object.bin', replace = false) => ({ target: path.join(folder, name), temporary: path.join(folder, `.${name}.partial`), replace });
  /** What the folder holds: no temporary file may stay behind. */
  const names = () => readdirSync(folder).sort();

  beforeEach(async () => {
    server = await startServer();
    reader = createRangeReader({ timeoutMs: () => 5000 });
    folder = mkdtempSync(path.join(os.tmpdir(), 'logqs-place-'));
    // The first GET to the server learns its route (see 'range reader').
    await bytesOf(await reader.get(server.url('/object'), { start: 0, end: 9 }, live()));
    await settle();
  });
  afterEach(async () => {
    reader.dispose();
    await server.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('fetches the object straight into its file on the range thread, byte-exact, in one request', async () => {
    const requests = server.seen.requests;
    assert.equal(await reader.fetchIntoPlace(server.url('/object'), expected, place(), live()), 'written');
    assert.ok(readFileSync(path.join(folder, 'object.bin')).equals(DATA));
    assert.deepEqual(names(), ['object.bin']);
    assert.equal(server.seen.requests, requests + 1);
    assert.equal(server.seen.ranges.at(-1), undefined, 'asked whole, without a Range');
  });

  it('does nothing once disposed of (the extension stopping): every GET is refused as cancelled, asking the server nothing', async () => {
    reader.dispose();
    const requests = server.seen.requests;
    await assert.rejects(reader.fetchIntoPlace(server.url('/object'), expected, place(), live()), code('cancelled'));
    await assert.rejects(reader.get(server.url('/object'), { start: 0, end: 9 }, live(), 'file'), code('cancelled'));
    await assert.rejects(reader.get(server.url('/object'), { start: 0, end: 9 }, live()), code('cancelled'));
    await settle();
    assert.equal(server.seen.requests, requests);
    assert.deepEqual(names(), []);
  });

  it('declines before the route to the server is learned, asking it nothing', async () => {
    const fresh = createRangeReader({ timeoutMs: () => 5000 });
    try {
      const requests = server.seen.requests;
      assert.equal(await fresh.fetchIntoPlace(server.url('/object'), expected, place(), live()), undefined);
      assert.equal(server.seen.requests, requests);
      assert.deepEqual(names(), []);
    } finally {
      fresh.dispose();
    }
  });

  it('waits for the route while the first GET learns it, then fetches on the range thread', async () => {
    const fresh = createRangeReader({ timeoutMs: () => 5000 });
    try {
      const learner = fresh.get(server.url('/object'), { start: 0, end: 9 }, live());
      const placed = fresh.fetchIntoPlace(server.url('/object'), expected, place(), live());
      await bytesOf(await learner);
      assert.equal(await placed, 'written');
      assert.ok(readFileSync(path.join(folder, 'object.bin')).equals(DATA));
      assert.deepEqual(names(), ['object.bin']);
    } finally {
      fresh.dispose();
    }
  });

  it('declines once the GET it waited for learned nothing (refused), and is cancelled at once while it waits', async () => {
    const fresh = createRangeReader({ timeoutMs: () => 5000 });
    try {
      const refused = fresh.get(server.url('/forbidden'), { start: 0, end: 9 }, live()).catch((error: unknown) => error);
      assert.equal(await fresh.fetchIntoPlace(server.url('/object'), expected, place(), live()), undefined);
      assert.ok(code('forbidden')(await refused));
      assert.deepEqual(names(), []);

      const learner = new AbortController();
      const learning = fresh.get(server.url('/silent'), { start: 0, end: 9 }, learner.signal).catch((error: unknown) => error);
      const waiting = new AbortController();
      setTimeout(() => waiting.abort(), 50);
      await assert.rejects(fresh.fetchIntoPlace(server.url('/object'), expected, place(), waiting.signal), code('cancelled'));
      learner.abort();
      await learning;
      assert.deepEqual(names(), []);
    } finally {
      fresh.dispose();
    }
  });

  it('answers a file or a folder at the target without a request, unless it may replace a file', async () => {
    writeFileSync(path.join(folder, 'object.bin'), 'mine');
    mkdirSync(path.join(folder, 'a folder'));
    const requests = server.seen.requests;
    assert.equal(await reader.fetchIntoPlace(server.url('/object'), expected, place(), live()), 'exists');
    assert.equal(await reader.fetchIntoPlace(server.url('/object'), expected, place('a folder'), live()), 'folder');
    assert.equal(server.seen.requests, requests);
    assert.equal(readFileSync(path.join(folder, 'object.bin'), 'utf8'), 'mine');
    assert.equal(await reader.fetchIntoPlace(server.url('/object'), expected, place('object.bin', true), live()), 'written');
    assert.ok(readFileSync(path.join(folder, 'object.bin')).equals(DATA));
    assert.equal(await reader.fetchIntoPlace(server.url('/object'), expected, place('a folder', true), live()), 'folder');
    assert.deepEqual(names(), ['a folder', 'object.bin']);
  });

  it('answers a file made at the target while the object was on its way, and leaves that file as it is', async () => {
    // '/slow' sends the object over about 0.8 s: another download (or the person) puts a file there meanwhile.
    setTimeout(() => writeFileSync(path.join(folder, 'object.bin'), 'mine'), 200);
    assert.equal(await reader.fetchIntoPlace(server.url('/slow'), expected, place(), live()), 'exists');
    assert.equal(readFileSync(path.join(folder, 'object.bin'), 'utf8'), 'mine');
    assert.deepEqual(names(), ['object.bin']);
  });

  it('declines another version, another size, an error or a body cut short, leaving no file', async () => {
    assert.equal(await reader.fetchIntoPlace(server.url('/object'), { ...expected, etag: '"another"' }, place(), live()), undefined);
    assert.equal(await reader.fetchIntoPlace(server.url('/object'), { ...expected, size: 100, md5: undefined }, place(), live()), undefined);
    assert.equal(await reader.fetchIntoPlace(server.url('/forbidden'), expected, place(), live()), undefined);
    assert.equal(await reader.fetchIntoPlace(server.url('/cut'), expected, place(), live()), undefined);
    assert.deepEqual(names(), []);
  });

  it('says bytes whose MD5 is not the one expected are damaged, and keeps none of them', async () => {
    assert.equal(await reader.fetchIntoPlace(server.url('/object'), { ...expected, md5: '0'.repeat(32) }, place(), live()), 'damaged');
    assert.deepEqual(names(), []);
  });

  it('checks no MD5 where the answer says the object is encrypted with KMS, whose ETag is none', async () => {
    assert.equal(await reader.fetchIntoPlace(server.url('/kms'), { ...expected, md5: '0'.repeat(32) }, place(), live()), 'written');
    assert.ok(readFileSync(path.join(folder, 'object.bin')).equals(DATA));
  });

  it('stops at once when cancelled mid-body, leaving no file', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    await assert.rejects(reader.fetchIntoPlace(server.url('/stall'), expected, place(), controller.signal), code('cancelled'));
    assert.ok(Date.now() - started < 2000, 'not left to the 5 s timeout');
    assert.deepEqual(names(), []);
  });

  it('says the file system’s refusal as such, not as a failed GET to try again', async () => {
    const nowhere = { target: path.join(folder, 'missing', 'object.bin'), temporary: path.join(folder, 'missing', '.object.bin.partial'), replace: false };
    await assert.rejects(reader.fetchIntoPlace(server.url('/object'), expected, nowhere, live()), (error: unknown) => code('storage')(error) && /ENOENT/.test((error as Error).message));
    assert.deepEqual(names(), []);
  });

  it('closes at once the connection of an answer whose file could not be made, not left to the timeout', async () => {
    // '/stall' sends its head and 10 bytes, then nothing: left unread, its connection would wait for the 5 s timeout.
    const open = server.openConnections();
    const nowhere = { target: path.join(folder, 'missing', 'object.bin'), temporary: path.join(folder, 'missing', '.object.bin.partial'), replace: false };
    await assert.rejects(reader.fetchIntoPlace(server.url('/stall'), expected, nowhere, live()), code('storage'));
    for (let waited = 0; server.openConnections() > open && waited < 1000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(server.openConnections(), open, 'the GET\'s connection is closed');
  });
});
