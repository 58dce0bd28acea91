import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { cancelledError, localFileError } from '../../core/errors';
import type { ChunkedBody, CommitResult, ExpectedObject, FileWritingBody, WholeFileCommit } from '../../core/transfer';
import { RequestThread } from '../requestThread';
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
  | { type: 'place'; id: number; route: DirectRoute; pathAndQuery: string; headers: Record<string, string>; timeoutMs: number; expected: ExpectedObject; place: PlaceOfObject }
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
  | { type: 'written'; id: number; kept: number; error?: RangeThreadError }
  /** A 'place' done: its result; or its failure; or neither, declined (the answer was not the object expected). */
  | { type: 'placed'; id: number; result?: CommitResult; error?: RangeThreadError };

/** Where a whole object goes (see RangeReader.fetchIntoPlace). */
export type PlaceOfObject = Omit<WholeFileCommit, 'bytes' | 'md5'>;

export interface RangeThreadResponse {
  status: number;
  headers: Map<string, string>;
  /** For an answer that carries bytes, a body the thread writes into a file; for any other, the start of its error text. */
  body: FileWritingBody | ChunkedBody;
  /** Closes the connection of a body that won't be written. */
  discard: () => void;
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
  private thread: RequestThread<RangeThreadRequest, RangeThreadMessage> | undefined;
  private nextId = 0;
  /** Disposed of (the extension stopping): no thread starts again. */
  private closed = false;

  constructor(
    private readonly timeoutMs: () => number,
    // Bundled beside the main bundle (dist/), or compiled beside this file (out/ in tests).
    private readonly workerFile = path.join(__dirname, 'rangeThreadWorker.js'),
  ) {}

  get(route: DirectRoute, pathAndQuery: string, headers: Record<string, string>, signal: AbortSignal): Promise<RangeThreadResponse> {
    if (signal.aborted || this.closed) {
      return Promise.reject(cancelledError());
    }
    const { id, thread, finish } = this.begin(signal);
    return new Promise((resolve, reject) => {
      thread.expect(id, (message) => {
        if (message.type === 'failed') {
          finish();
          reject(rebuilt(message.error));
        } else if (message.type === 'head') {
          const headers = new Map(message.headers);
          if (message.errorText !== undefined) {
            finish();
            resolve({ status: message.status, headers, body: textBody(message.errorText), discard: () => undefined });
            return;
          }
          const writeTo: FileWritingBody['writeTo'] = (fd, position, onWritten) =>
            new Promise((resolveWrite) => {
              // Progress is reported once bytes are written: if the thread stops, at least these are in the file.
              let reported = 0;
              thread.expect(id, (update) => {
                if (update.type === 'progress') {
                  reported += update.bytes;
                  onWritten(update.bytes);
                } else if (update.type === 'written' || update.type === 'failed') {
                  finish();
                  resolveWrite({ kept: update.type === 'written' ? update.kept : reported, error: update.error && rebuilt(update.error) });
                }
              });
              thread.post({ type: 'write', id, fd, position });
            });
          const discard = () => {
            thread.post({ type: 'abort', id });
            finish();
          };
          resolve({ status: message.status, headers, body: { writeTo }, discard });
        }
      });
      thread.post({ type: 'get', id, route, pathAndQuery, headers, timeoutMs: this.timeoutMs() });
    });
  }

  /**
   * A whole object fetched into its place on the thread (see
   * RangeReader.fetchIntoPlace): its result, or undefined when the GET or
   * its answer failed (the caller fetches it the ordinary way). Cancels and
   * the file system's refusals reject.
   */
  place(route: DirectRoute, pathAndQuery: string, headers: Record<string, string>, expected: ExpectedObject, place: PlaceOfObject, signal: AbortSignal): Promise<CommitResult | undefined> {
    if (signal.aborted || this.closed) {
      return Promise.reject(cancelledError());
    }
    const { id, thread, finish } = this.begin(signal);
    return new Promise((resolve, reject) => {
      thread.expect(id, (message) => {
        finish();
        if (message.type === 'placed') {
          if (message.error?.cancelled || message.error?.file) {
            reject(rebuilt(message.error));
          } else {
            resolve(message.result);
          }
        } else if (message.type === 'failed') {
          // The thread stopped, perhaps halfway through the temporary file: nothing of it stays.
          void fs.rm(place.temporary, { force: true }).then(() => resolve(undefined), () => resolve(undefined));
        }
      });
      thread.post({ type: 'place', id, route, pathAndQuery, headers, timeoutMs: this.timeoutMs(), expected, place });
    });
  }

  /** Whether a thread was started and does not run its code yet (see RequestThread.online): a GET made now would wait for it. */
  get starting(): boolean {
    return this.thread !== undefined && !this.thread.online;
  }

  /** Starts the thread now (it takes tens of milliseconds), for GETs likely soon. */
  warm(): void {
    if (!this.closed) {
      this.started();
    }
  }

  dispose(): void {
    this.closed = true;
    this.thread?.stop(new Error('closed'));
  }

  /**
   * A request's id and thread, its cancel passed on to the thread; `finish`
   * once it is answered. Its whole life is on that thread: if the thread
   * stops, the request fails (and a new thread never had it).
   */
  private begin(signal: AbortSignal): { id: number; thread: RequestThread<RangeThreadRequest, RangeThreadMessage>; finish: () => void } {
    const id = this.nextId++;
    const thread = this.started();
    const onAbort = () => thread.post({ type: 'abort', id });
    signal.addEventListener('abort', onAbort, { once: true });
    const finish = () => {
      signal.removeEventListener('abort', onAbort);
      thread.forget(id);
    };
    return { id, thread, finish };
  }

  private started(): RequestThread<RangeThreadRequest, RangeThreadMessage> {
    if (this.thread) {
      return this.thread;
    }
    // Every request in flight on a thread that stopped fails: before its head as a GET to make again (on node:http), after it as a broken transfer.
    const stoppedMessage = (id: number, error: Error): RangeThreadMessage => ({
      type: 'failed',
      id,
      error: { message: `the range thread stopped (${error.message})`, code: 'ECONNRESET', unavailable: true },
    });
    const thread = new RequestThread<RangeThreadRequest, RangeThreadMessage>(this.workerFile, stoppedMessage, () => {
      if (this.thread === thread) {
        this.thread = undefined;
      }
    });
    this.thread = thread;
    return thread;
  }
}
