import * as net from 'node:net';

export interface TcpProxyOptions {
  /** Where connections go (only host and port are used). */
  target: URL;
  /** Bytes per second per connection, each way, to make a transfer last. */
  bytesPerSecond?: number;
  /** Cut connections after this many bytes from the server, `cuts` times in all (connections that carry less are never cut). */
  cutAfterBytes?: number;
  /**
   * Cut the connection as the server answers a request whose head (its
   * request line and headers) matches (say /^POST \S*uploadId=/), `cuts`
   * times in all: the request is carried out, its answer lost.
   */
  cutAnswerTo?: RegExp;
  cuts?: number;
}

export interface TcpProxy {
  url: string;
  /** Connections accepted, and connections cut, so far. */
  readonly stats: { connections: number; cut: number };
  close(): Promise<void>;
}

/** Pipes `from` into `to` at most `bytesPerSecond`, calling `onChunk` first (which may stop the flow by returning false). */
function relay(from: net.Socket, to: net.Socket, bytesPerSecond: number | undefined, onChunk: (chunk: Buffer) => boolean) {
  let sent = 0;
  const started = Date.now();
  from.on('data', (chunk: Buffer) => {
    if (!onChunk(chunk)) {
      return;
    }
    sent += chunk.length;
    const flowing = to.write(chunk);
    const due = bytesPerSecond ? (sent / bytesPerSecond) * 1000 - (Date.now() - started) : 0;
    if (due > 0) {
      from.pause();
      setTimeout(() => from.resume(), due);
    } else if (!flowing) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  });
  from.on('end', () => to.end());
}

/**
 * A TCP proxy on 127.0.0.1 in front of the real S3 server, for what a
 * network does to transfers: slow links (throttled) and connections that
 * break mid-transfer (cut). Bytes pass unchanged, so signatures still hold.
 */
export function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const stats = { connections: 0, cut: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    stats.connections++;
    const upstream = net.connect(Number(options.target.port), options.target.hostname);
    sockets.add(client).add(upstream);
    const cutAt = options.cutAfterBytes;
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    let fromServer = 0;
    /** Whether the request last sent on this connection is one whose answer is to be lost. */
    let answerToCut = false;
    relay(client, upstream, options.bytesPerSecond, (chunk) => {
      // A request's head starts a chunk here: requests on a connection are sent one after the other's answer.
      const head = chunk.subarray(0, chunk.indexOf('\r\n\r\n')).toString('latin1');
      if (/^[A-Z]+ \S+ HTTP\/1\.[01]\r\n/.test(head)) {
        answerToCut = options.cutAnswerTo?.test(head) === true;
      }
      return true;
    });
    relay(upstream, client, options.bytesPerSecond, (chunk) => {
      if (answerToCut && stats.cut < (options.cuts ?? 1)) {
        stats.cut++;
        end();
        return false;
      }
      if (cutAt !== undefined && fromServer + chunk.length >= cutAt && stats.cut < (options.cuts ?? 1)) {
        stats.cut++;
        client.write(chunk.subarray(0, Math.max(0, cutAt - fromServer)), end);
        return false;
      }
      fromServer += chunk.length;
      return true;
    });
    upstream.on('error', end);
    client.on('error', end);
    client.on('close', end);
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        stats,
        close: () =>
          new Promise<void>((done) => {
            sockets.forEach((socket) => socket.destroy());
            server.close(() => done());
          }),
      });
    });
  });
}
