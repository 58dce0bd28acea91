import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { cancelledError, localFileError } from '../../core/errors';
import type { ChunkedBody, FileWritingBody } from '../../core/transfer';
import { DirectUnavailable, type DirectRoute } from './directGet';

/*
 * Direct GETs whose bytes go into a file, run on a thread of their own
 * (rangeThreadWorker.ts): it reads the socket and writes each chunk with a
 * synchronous write where it was read, as curl does. The extension host's
 * thread sees only the head and a few progress messages, not one byte and
 * no round trip to the thread pool per chunk.
 */

export type RangeThreadRequest =
  | { type: 'get'; id: number; route: DirectRoute; pathAndQuery: string; headers: Record<string, string>; timeoutMs: number }
  | { type: 'write'; id: number; fd: number; position: number }
  | { type: 'abort'; id: number };

/** An error as it crosses threads: what the other side needs to rebuild it. */
export interface RangeThreadError {
  message: string;
  code?: string;
  cancelled?: boolean;
  /** The file refused a write (a full disk, say). */
  file?: boolean;
  /** Failed before any answer (see DirectUnavailable). */
  unavailable?: boolean;
}

export type RangeThreadMessage =
  | { type: 'head'; id: number; status: number; headers: [string, string][]; errorText?: string }
  | { type: 'failed'; id: number; error: RangeThreadError }
  | { type: 'progress'; id: number; bytes: number }
  | { type: 'written'; id: number; kept: number; error?: RangeThreadError };

export interface RangeThreadResponse {
  status: number;
  headers: Map<string, string>;
  /** For an answer that carries bytes, a body the thread writes into a file; for any other, the start of its error text. */
  body: FileWritingBody | ChunkedBody;
}

function rebuilt(error: RangeThreadError): Error {
  const plain = Object.assign(new Error(error.message), { code: error.code });
  switch (true) {
    case error.cancelled:
      return cancelledError();
    case error.file:
      return localFileError(plain);
    case error.unavailable:
      return new DirectUnavailable(error.message);
    default:
      return plain;
  }
}

async function* textBody(text: string): ChunkedBody {
  yield Buffer.from(text);
}

/** The range thread, started at first use; a thread that stops fails what it was doing, and the next GET starts another. */
export class RangeThread {
  private worker: Worker | undefined;
  private nextId = 0;
  /** Per request in flight: what to do with the thread's next message about it. */
  private readonly handlers = new Map<number, (message: RangeThreadMessage) => void>();

  constructor(
    private readonly timeoutMs: () => number,
    // Bundled beside the main bundle (dist/), or compiled beside this file (out/ in tests).
    private readonly workerFile = path.join(__dirname, 'rangeThreadWorker.js'),
  ) {}

  get(route: DirectRoute, pathAndQuery: string, headers: Record<string, string>, signal: AbortSignal): Promise<RangeThreadResponse> {
    if (signal.aborted) {
      return Promise.reject(cancelledError());
    }
    const id = this.nextId++;
    // Only to a thread that is there: one that stopped has failed the request already, and a new one never had it.
    const onAbort = () => this.worker?.postMessage({ type: 'abort', id } satisfies RangeThreadRequest);
    signal.addEventListener('abort', onAbort, { once: true });
    const finish = () => {
      signal.removeEventListener('abort', onAbort);
      this.forget(id);
    };
    return new Promise((resolve, reject) => {
      this.expect(id, (message) => {
        if (message.type === 'failed') {
          finish();
          reject(rebuilt(message.error));
        } else if (message.type === 'head') {
          const headers = new Map(message.headers);
          if (message.errorText !== undefined) {
            finish();
            resolve({ status: message.status, headers, body: textBody(message.errorText) });
            return;
          }
          const writeTo: FileWritingBody['writeTo'] = (fd, position, onWritten) =>
            new Promise((resolveWrite) => {
              // Progress is reported once bytes are written: if the thread stops, at least these are in the file.
              let reported = 0;
              this.expect(id, (update) => {
                if (update.type === 'progress') {
                  reported += update.bytes;
                  onWritten(update.bytes);
                } else if (update.type === 'written' || update.type === 'failed') {
                  finish();
                  resolveWrite({ kept: update.type === 'written' ? update.kept : reported, error: update.error && rebuilt(update.error) });
                }
              });
              this.post({ type: 'write', id, fd, position });
            });
          resolve({ status: message.status, headers, body: { writeTo } });
        }
      });
      this.post({ type: 'get', id, route, pathAndQuery, headers, timeoutMs: this.timeoutMs() });
    });
  }

  dispose(): void {
    const worker = this.worker;
    if (worker) {
      this.stopped(worker, new Error('closed'));
      void worker.terminate();
    }
  }

  private expect(id: number, handler: (message: RangeThreadMessage) => void): void {
    if (this.handlers.size === 0) {
      this.started().ref();
    }
    this.handlers.set(id, handler);
  }

  private forget(id: number): void {
    this.handlers.delete(id);
    if (this.handlers.size === 0) {
      // An idle thread must not keep the extension host (or a test) alive.
      this.worker?.unref();
    }
  }

  private post(request: RangeThreadRequest): void {
    this.started().postMessage(request);
  }

  private started(): Worker {
    if (this.worker) {
      return this.worker;
    }
    const worker = new Worker(this.workerFile);
    worker.on('message', (message: RangeThreadMessage) => this.handlers.get(message.id)?.(message));
    worker.on('error', (error) => this.stopped(worker, error));
    worker.on('exit', (code) => this.stopped(worker, new Error(`exit code ${code}`)));
    this.worker = worker;
    return worker;
  }

  /** Every request in flight on a thread that stopped fails: before its head as a GET to make again (on node:http), after it as a broken transfer. */
  private stopped(worker: Worker, error: Error): void {
    if (this.worker !== worker) {
      return;
    }
    this.worker = undefined;
    const failure = { message: `the range thread stopped (${error.message})`, code: 'ECONNRESET', unavailable: true };
    for (const [id, handler] of [...this.handlers]) {
      handler({ type: 'failed', id, error: failure });
    }
  }
}
