import { createHash } from 'node:crypto';
import { writeSync } from 'node:fs';
import * as net from 'node:net';
import { parentPort } from 'node:worker_threads';
import { LogqsError } from '../../core/errors';
import { sameEtag } from '../../core/transfer/etags';
import { occupant, putInPlace, writeAll } from '../files/wholeFileOps';
import { carriesBytes, errorText, rangeResponse } from './answers';
import { DirectGets, DirectUnavailable, type DirectResponse, SLAB_BYTES, plainConnector } from './directGet';
import type { RangeThreadError, RangeThreadMessage, RangeThreadRequest } from './rangeThread';

/** The range thread (see rangeThread.ts): direct GETs, each body written where it is read. */

/**
 * Time between two progress messages of a body: a few a second whatever the
 * rate. Each message wakes the extension host's thread; at disk speed one per
 * chunk, or even per 4 MiB, cost more CPU than the rest of the thread's work
 * but the writes themselves.
 */
const PROGRESS_MS = 200;

let timeoutMs = 30_000;
/**
 * Each body is handed over, and written, a slab (1 MiB) at a time rather than a read (about 180 KiB from a server on
 * this machine) at a time: a sixth of the writes. In a folder VS Code watches (the workspace) each write is a file
 * event that its file watcher and its server pass on: with a write per read they took about half a CPU-second of a
 * 1 GiB download in code-server, on the cores the download needs (bench/transfer-editor.mjs). On a slow link the
 * bytes read are handed over 50 ms at most after the write before, so the progress shown moves on.
 */
const CHUNKS = { bytes: SLAB_BYTES, ms: 50 };
// TLS at the first TLS connection only (see nodeHttps): a thread starts sooner without it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const gets = new DirectGets(plainConnector(net, () => require('node:tls') as typeof import('node:tls')), () => timeoutMs, CHUNKS);
/** A request this thread holds: how to stop it, and its answer once the head is in, until its body is written. */
interface Held {
  controller: AbortController;
  response?: DirectResponse;
  /** Closes an answer whose body nobody asks for (the caller turned it down: another version of the object, say). */
  unclaimed?: NodeJS.Timeout;
  writing?: boolean;
}
const requests = new Map<number, Held>();

function post(message: RangeThreadMessage): void {
  parentPort?.postMessage(message);
}

function crossing(error: unknown): RangeThreadError {
  const { code, message } = error as NodeJS.ErrnoException;
  return {
    message: String(message),
    code: typeof code === 'string' ? code : undefined,
    cancelled: LogqsError.is(error) && error.code === 'cancelled',
    file: (error as { file?: unknown }).file === true,
    unavailable: error instanceof DirectUnavailable,
  };
}

function forget(id: number): void {
  clearTimeout(requests.get(id)?.unclaimed);
  requests.delete(id);
}

async function get(request: Extract<RangeThreadRequest, { type: 'get' }>): Promise<void> {
  const { id } = request;
  const entry: Held = { controller: new AbortController() };
  requests.set(id, entry);
  timeoutMs = request.timeoutMs;
  try {
    const response = await gets.get(request.route, request.pathAndQuery, request.headers, entry.controller.signal);
    const headers = [...response.headers];
    if (!carriesBytes(response.status)) {
      const text = await errorText(response.body);
      forget(id);
      post({ type: 'head', id, status: response.status, headers, errorText: text });
      return;
    }
    entry.response = response;
    entry.unclaimed = setTimeout(() => dropUnclaimed(id), timeoutMs);
    post({ type: 'head', id, status: response.status, headers });
  } catch (error) {
    forget(id);
    post({ type: 'failed', id, error: crossing(error) });
  }
}

async function write(request: Extract<RangeThreadRequest, { type: 'write' }>): Promise<void> {
  const { id, fd } = request;
  const entry = requests.get(id);
  clearTimeout(entry?.unclaimed);
  const response = entry?.response;
  if (!entry || !response) {
    post({ type: 'written', id, kept: 0, error: { message: 'the answer was closed before it was written', code: 'ECONNRESET' } });
    return;
  }
  entry.writing = true;
  let position = request.position;
  let kept = 0;
  let unreported = 0;
  let reportedAt = performance.now();
  let error: RangeThreadError | undefined;
  try {
    for await (const chunk of response.body) {
      for (let offset = 0; offset < chunk.byteLength; ) {
        try {
          offset += writeSync(fd, chunk, offset, chunk.byteLength - offset, position + offset);
        } catch (failure) {
          throw Object.assign(failure as Error, { file: true });
        }
      }
      position += chunk.byteLength;
      kept += chunk.byteLength;
      unreported += chunk.byteLength;
      const now = performance.now();
      if (now - reportedAt >= PROGRESS_MS) {
        post({ type: 'progress', id, bytes: unreported });
        unreported = 0;
        reportedAt = now;
      }
    }
  } catch (failure) {
    // Leaving the loop closed the connection (see DirectGets' body), so nothing more arrives for this file.
    error = crossing(failure);
  }
  forget(id);
  if (unreported > 0) {
    post({ type: 'progress', id, bytes: unreported });
  }
  post({ type: 'written', id, kept, error });
}

/**
 * A whole object into its place (see RangeReader.fetchIntoPlace): the
 * target checked, the GET, the answer checked to be the whole object
 * expected, its bytes written to the temporary file as they are read and
 * hashed, then renamed. Failures of the file system (and cancels) are said
 * as such; any other (the network, an answer refused) only as not placed.
 */
async function place(request: Extract<RangeThreadRequest, { type: 'place' }>): Promise<void> {
  const { id, expected, place: { target, temporary, replace } } = request;
  // `writing`: a cancel aborts the GET and leaves the answer to this function.
  const entry: Held = { controller: new AbortController(), writing: true };
  requests.set(id, entry);
  timeoutMs = request.timeoutMs;
  /** Where a failure comes from: the file system, or the network (anything the ordinary path may retry). */
  let fromFiles = true;
  let response: DirectResponse | undefined;
  /** Whether its body was begun: a body left unread holds its connection open until the timeout. */
  let bodyBegun = false;
  try {
    const there = replace ? undefined : occupant(target);
    if (there) {
      post({ type: 'placed', id, result: there });
      return;
    }
    fromFiles = false;
    response = await gets.get(request.route, request.pathAndQuery, request.headers, entry.controller.signal, expected.size);
    const { headers, body } = response;
    const answer = rangeResponse(response.status, (name) => headers.get(name), body);
    const whole = (answer.status === 200 || (answer.status === 206 && answer.start === 0)) && Number(headers.get('content-length')) === expected.size;
    if (!whole || answer.totalSize !== expected.size || answer.etag === undefined || !sameEtag(answer.etag, expected.etag)) {
      post({ type: 'placed', id });
      return;
    }
    const hash = expected.md5 === undefined || answer.md5Hidden ? undefined : createHash('md5');
    fromFiles = true;
    const result = await putInPlace(
      temporary,
      target,
      replace,
      async (fd) => {
        // A write that fails leaves the loop, which closes the connection (see DirectGets' body).
        fromFiles = false;
        bodyBegun = true;
        for await (const chunk of body) {
          fromFiles = true;
          hash?.update(chunk);
          writeAll(fd, chunk);
          fromFiles = false;
        }
        fromFiles = true;
        // Every byte came: the body ends at Content-Length, checked above, or fails.
        return hash === undefined || hash.digest('hex') === expected.md5;
      },
      () => entry.controller.signal.aborted,
    );
    post({ type: 'placed', id, result });
  } catch (error) {
    post({ type: 'placed', id, error: { ...crossing(error), file: fromFiles } });
  } finally {
    // Begun, the body closes or keeps its connection itself (see DirectGets' body).
    if (!bodyBegun) {
      response?.discard();
    }
    forget(id);
  }
}

/**
 * An answer nobody asked to have written within the timeout is closed, and
 * said as a connection that timed out, not a cancel: the extension host's
 * thread may only have been too busy to claim it, and its caller asks again.
 */
function dropUnclaimed(id: number): void {
  const entry = requests.get(id);
  if (entry?.response && !entry.writing) {
    entry.controller.abort();
    forget(id);
    post({ type: 'failed', id, error: { message: 'the answer waited too long to be written', code: 'ETIMEDOUT' } });
  }
}

/** A GET or a body being written ends with the cancel, and answers then; an answer not claimed is dropped now. */
function abort(id: number): void {
  const entry = requests.get(id);
  entry?.controller.abort();
  if (entry?.response && !entry.writing) {
    forget(id);
    post({ type: 'failed', id, error: { message: 'Cancelled', cancelled: true } });
  }
}

parentPort?.on('message', (request: RangeThreadRequest) => {
  switch (request.type) {
    case 'get':
      void get(request);
      break;
    case 'write':
      void write(request);
      break;
    case 'place':
      void place(request);
      break;
    case 'abort':
      abort(request.id);
      break;
  }
});
