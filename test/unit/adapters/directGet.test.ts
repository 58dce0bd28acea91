import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { ALONE_BELOW_BYTES, type ChunkWanted, type DirectConnector, DirectGets, SLAB_BYTES, plainConnector } from '../../../src/adapters/http/directGet';

// More than the four slabs a connection reads into: a slow reader's connection stops reading until it gives one back.
const DATA = randomBytes(5 * 1024 * 1024 + 17);
const PIECE = 48 * 1024;

/**
 * A server that sends DATA in 48 KiB pieces a millisecond apart, so that the client's reads come small; at /pause,
 * the head alone, then the pieces with a pause of PAUSE_MS after the first, as a slow link would.
 */
const PAUSE_MS = 500;
function startServer() {
  const server = http.createServer((request, response) => {
    response.writeHead(200, { 'content-length': DATA.length });
    let sent = 0;
    const next = () => {
      response.write(DATA.subarray(sent, sent + PIECE));
      sent += PIECE;
      if (sent < DATA.length) {
        setTimeout(next, sent === PIECE && request.url === '/pause' ? PAUSE_MS : 1);
      } else {
        response.end();
      }
    };
    if (request.url === '/pause') {
      // The head alone first: the first piece is then a read of the body, not bytes that came with the head.
      response.flushHeaders();
      setTimeout(next, 20);
    } else {
      next();
    }
  });
  return new Promise<{ port: number; close: () => Promise<void> }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => {
          server.closeAllConnections();
          return new Promise((done) => server.close(() => done()));
        },
      }),
    ),
  );
}

describe('direct GETs', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let gets: DirectGets | undefined;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => {
    gets?.dispose();
    await server.close();
  });

  /** The sizes of a GET's body chunks (read with `pauseMs` after each), and when each came (ms after the GET's answer). */
  async function read(chunks: ChunkWanted | undefined, { pauseMs = 0, path = '/object' } = {}) {
    gets = new DirectGets(plainConnector(net, () => tls), () => 5000, chunks);
    const route = { address: '127.0.0.1', port: server.port, tls: false, hostname: '127.0.0.1', host: `127.0.0.1:${server.port}` };
    const response = await gets.get(route, path, {}, new AbortController().signal);
    const answered = performance.now();
    const received: Buffer[] = [];
    const times: number[] = [];
    for await (const chunk of response.body) {
      received.push(Buffer.from(chunk)); // copied: a chunk is valid only until the next is read
      times.push(performance.now() - answered);
      if (pauseMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    }
    assert.equal(response.status, 200);
    assert.ok(Buffer.concat(received).equals(DATA), 'the body differs from what was sent');
    return { sizes: received.map((chunk) => chunk.length), times };
  }

  /** Chunks of a slab, without the time bound (which a loaded machine's late timers would let cut a slab in two). */
  const SLABS = { bytes: SLAB_BYTES, ms: 60_000 };

  it('hands a body over as it is read, by default', async () => {
    const { sizes } = await read(undefined);
    assert.ok(sizes.length >= 20, `${sizes.length} chunks`);
  });

  it('hands a body over a slab at a time when asked for chunks of a slab: a write each for the range thread', async () => {
    const { sizes } = await read(SLABS);
    // The first chunk came with the head, and shares its slab with the second; the last is what is left, not waited
    // for a slab's worth. A slab is left for the next when it has less than 64 KiB of room (a read's least), so the
    // others are nearly whole slabs.
    assert.ok(sizes.length <= 8, `${sizes.length} chunks: ${sizes.join(', ')}`);
    assert.ok(sizes.slice(1, -1).every((size) => size > SLAB_BYTES / 2), `chunks: ${sizes.join(', ')}`);
  });

  it('hands a slow reader every byte a slab at a time, reading on once it has given slabs back', async () => {
    // Slower than the server fills a slab: the connection runs out of room and stops reading until one comes back.
    const { sizes } = await read(SLABS, { pauseMs: 150 });
    assert.ok(sizes.length <= 8, `${sizes.length} chunks: ${sizes.join(', ')}`);
  });

  it('hands over the bytes of a slow link once the first has waited as long as asked, not only once a slab is full', async () => {
    const { sizes, times } = await read({ bytes: SLAB_BYTES, ms: 50 }, { path: '/pause' });
    // The first piece is handed over before the link goes on.
    const beforePause = times.filter((time) => time < PAUSE_MS - 100).length;
    assert.ok(beforePause >= 1 && sizes.slice(0, beforePause).reduce((sum, size) => sum + size, 0) === PIECE, `chunks ${sizes.join(', ')} at ${times.map(Math.round).join(', ')} ms`);
  });
});

describe('direct GETs of small answers', () => {
  /** Each request's connection (the client's port) and its Connection header. */
  const seen: { port: number | undefined; connection: string | undefined }[] = [];
  let server: http.Server;
  let port: number;
  let gets: DirectGets | undefined;
  before(async () => {
    // /<n> answers n bytes with its head; /held/<n> sends the head, and the body 50 ms later, as radosgw's Nagle holds it.
    server = http.createServer((request, response) => {
      seen.push({ port: request.socket.remotePort, connection: request.headers.connection });
      const held = request.url?.startsWith('/held/') === true;
      const body = Buffer.alloc(Number(request.url?.split('/').pop()), 7);
      if (!held) {
        response.end(body);
        return;
      }
      response.writeHead(200, { 'content-length': body.length });
      response.flushHeaders();
      setTimeout(() => response.end(body), 50);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  afterEach(() => gets?.dispose());

  /**
   * Three GETs of `path` in turn (each expected to be `expectedBytes`), on a route whose address is `address` (the
   * connection goes to the test server whatever it is): how many connections they took, and their Connection headers.
   */
  async function threeGets(address: string, path: string, expectedBytes: number | undefined) {
    const connector: DirectConnector = { connect: (_route, onread) => net.connect({ host: '127.0.0.1', port, onread }) };
    gets?.dispose();
    gets = new DirectGets(connector, () => 5000);
    seen.length = 0;
    const route = { address, port, tls: false, hostname: 'objects.test', host: 'objects.test' };
    for (let index = 0; index < 3; index++) {
      const response = await gets.get(route, path, {}, new AbortController().signal, expectedBytes);
      let length = 0;
      for await (const chunk of response.body) {
        length += chunk.length;
      }
      assert.equal(length, Number(path.split('/').pop()));
    }
    return { connections: new Set(seen.map((request) => request.port)).size, headers: seen.map((request) => request.connection) };
  }

  it('asks a loopback server seen holding a small body back for the next small answers on connections of their own, which it closes', async () => {
    // The first waits 50 ms (on a kept connection radosgw's would wait 40 ms each); the next go alone, and are not kept.
    assert.deepEqual(await threeGets('127.0.0.1', '/held/1024', 1024), { connections: 3, headers: [undefined, 'close', 'close'] });
    assert.deepEqual(await threeGets('::1', `/held/${ALONE_BELOW_BYTES - 1}`, ALONE_BELOW_BYTES - 1), { connections: 3, headers: [undefined, 'close', 'close'] });
  });

  it('keeps the connection of a server that sends small bodies at once, and for larger answers, ones of unknown length, and other machines', async () => {
    const kept = { connections: 1, headers: [undefined, undefined, undefined] };
    assert.deepEqual(await threeGets('127.0.0.1', '/1024', 1024), kept);
    assert.deepEqual(await threeGets('127.0.0.1', `/held/${ALONE_BELOW_BYTES}`, ALONE_BELOW_BYTES), kept);
    assert.deepEqual(await threeGets('127.0.0.1', '/held/1024', undefined), { connections: 1, headers: [undefined, undefined, undefined] });
    // A tunnel or a server elsewhere: a connection costs a round trip there.
    assert.deepEqual(await threeGets('192.0.2.10', '/held/1024', 1024), kept);
  });
});
