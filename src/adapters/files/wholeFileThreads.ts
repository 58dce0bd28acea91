import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { LogqsError, cancelledError, isSystemErrorCode, localFileError } from '../../core/errors';
import { type CommitResult, type WholeFileCommit, type WholeFiles, fileChangedError } from '../../core/transfer';
import { RequestThread } from '../requestThread';
import { CHANGED_SIZE, NOT_BEGUN } from './wholeFileOps';

/**
 * `cancelled`: set (to 1) by this side when the commit's job is cancelled; the thread looks at it before it begins
 * the commit, which may have waited behind others (one thread takes them in turn).
 */
type Operation = { op: 'commit'; commit: WholeFileCommit; cancelled?: Int32Array } | { op: 'read'; file: string; size: number };

export type WholeFileRequest = { id: number } & Operation;
export type WholeFileResponse = { id: number } & ({ result: CommitResult } | { bytes: Uint8Array } | { error: { code?: string; message: string; path?: string } });

/** What a request is answered with on this side: the thread's response, or the thread's end. */
type Answer = WholeFileResponse | { id: number; stopped: Error };

/** One worker thread of small-file requests, one answer each. */
class FileThread {
  private readonly thread: RequestThread<WholeFileRequest, Answer>;

  constructor(workerFile: string, onGone: (thread: FileThread) => void) {
    this.thread = new RequestThread<WholeFileRequest, Answer>(workerFile, (id, stopped) => ({ id, stopped }), () => onGone(this));
  }

  get inFlight(): number {
    return this.thread.inFlight;
  }

  send(request: WholeFileRequest): Promise<WholeFileResponse> {
    return new Promise((resolve, reject) => {
      this.thread.expect(request.id, (answer) => {
        this.thread.forget(request.id);
        if ('stopped' in answer) {
          reject(new LogqsError('bug', `The file thread stopped (${answer.stopped.message})`, { cause: answer.stopped }));
        } else {
          resolve(answer);
        }
      });
      // A commit's bytes are copied, not moved: the caller may need them again (a conflict, then a second commit).
      this.thread.post(request);
    });
  }

  terminate(): void {
    this.thread.stop(new Error('closed'));
  }
}

/** A response that doesn't answer its request: the worker and this side disagree, a defect. */
function unanswered(op: Operation['op']): LogqsError {
  return new LogqsError('bug', `The file thread answered a ${op} with something else`);
}

/**
 * Small files written and read on worker threads, one message each way per
 * file, where fs.promises would hand every call (lstat, open, write, close,
 * rename) to libuv's thread pool and back: on a small VM those hand-offs,
 * not the bytes, were most of the engine's own time for a folder of small
 * files. MD5 checks run there too, off the extension host's thread. Threads start
 * at first use, or when told requests are coming (prepare), and end when
 * disposed, after which requests are refused as cancelled; a thread that dies
 * fails its requests and is replaced by the next one.
 */
export function createWholeFileThreads(options: { threads?: number; workerFile?: string } = {}): WholeFiles & { dispose(): void } {
  // One thread by default: creates and renames in one folder take the folder's lock in the kernel one at a
  // time anyway, and a second thread was measured spinning on that lock more than it gained.
  const count = Math.max(1, options.threads ?? 1);
  // Bundled beside the main bundle (dist/), or compiled beside this file (out/ in tests).
  const workerFile = options.workerFile ?? path.join(__dirname, 'wholeFileWorker.js');
  let threads: FileThread[] = [];
  let nextId = 0;
  let disposed = false;

  const startThread = () => threads.push(new FileThread(workerFile, (gone) => (threads = threads.filter((thread) => thread !== gone))));
  const send = async (operation: Operation): Promise<WholeFileResponse> => {
    if (disposed) {
      // The extension stopping: a thread started now would outlive it.
      throw cancelledError();
    }
    if (threads.length < count) {
      startThread();
    }
    // The least busy thread: a slow disk call in one doesn't hold up the others'.
    const thread = threads.reduce((best, candidate) => (candidate.inFlight < best.inFlight ? candidate : best));
    const response = await thread.send({ ...operation, id: nextId++ });
    if ('error' in response) {
      const { code, message, path: file } = response.error;
      if (code === CHANGED_SIZE && operation.op === 'read') {
        throw fileChangedError(operation.file);
      }
      // An ordinary file system error, as fs.promises would have thrown it (code and path kept for the callers that look at them).
      const failure = Object.assign(new Error(message), { code, path: file });
      // A read's or write's own failure (a full disk, EIO) names no path: it is still the file system's refusal, not a bug.
      throw file === undefined && isSystemErrorCode(code) ? localFileError(failure) : failure;
    }
    return response;
  };

  return {
    async commit(commit, signal) {
      if (signal?.aborted) {
        throw cancelledError();
      }
      // Shared with the thread: the Cancel reaches a commit still queued there (a message can't overtake it).
      const cancelled = signal && new Int32Array(new SharedArrayBuffer(4));
      const onAbort = () => cancelled && Atomics.store(cancelled, 0, 1);
      signal?.addEventListener('abort', onAbort, { once: true });
      const response = await send({ op: 'commit', commit, cancelled })
        .catch(async (error: unknown) => {
          if ((error as NodeJS.ErrnoException).code === NOT_BEGUN) {
            throw cancelledError();
          }
          // The thread stopped, perhaps halfway through the temporary file: nothing of it stays (see RangeThread.place).
          if (LogqsError.is(error, 'bug')) {
            await fs.rm(commit.temporary, { force: true }).catch(() => undefined);
          }
          throw error;
        })
        .finally(() => signal?.removeEventListener('abort', onAbort));
      if (!('result' in response)) {
        throw unanswered('commit');
      }
      return response.result;
    },
    async read(file, size) {
      const response = await send({ op: 'read', file, size });
      if (!('bytes' in response)) {
        throw unanswered('read');
      }
      return response.bytes;
    },
    prepare() {
      // Not once disposed of (the extension stopping): a thread started then would outlive it.
      while (!disposed && threads.length < count) {
        startThread();
      }
    },
    dispose() {
      disposed = true;
      threads.forEach((thread) => thread.terminate());
      threads = [];
    },
  };
}
