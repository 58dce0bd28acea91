import { parentPort } from 'node:worker_threads';
import { isAbort } from '../../core/errors';
import { NOT_BEGUN, commitWholeFile, readWholeFile } from './wholeFileOps';
import type { WholeFileRequest, WholeFileResponse } from './wholeFileThreads';

/** A file thread: runs each request's synchronous file calls and answers (errors as code and message, which cross threads). */
async function answer(request: WholeFileRequest): Promise<void> {
  let response: WholeFileResponse;
  try {
    if (request.op === 'commit' && request.cancelled && Atomics.load(request.cancelled, 0) === 1) {
      // Cancelled while it waited its turn: nothing is written.
      response = { id: request.id, error: { code: NOT_BEGUN, message: 'cancelled before it began' } };
    } else if (request.op === 'commit') {
      // Its fill is synchronous; only a replace Windows refuses a moment waits (see replaceWith), and stops at a cancel.
      const { cancelled } = request;
      response = { id: request.id, result: await commitWholeFile(request.commit, cancelled && (() => Atomics.load(cancelled, 0) === 1)) };
    } else {
      const bytes = readWholeFile(request.file, request.size);
      response = { id: request.id, bytes };
    }
  } catch (error) {
    const { code, message, path } = error as NodeJS.ErrnoException;
    // A cancel met while a replace was tried again: nothing placed, as for one cancelled before it began.
    response = { id: request.id, error: { code: isAbort(error) ? NOT_BEGUN : code, message, path } };
  }
  // A read's bytes move to the other thread instead of being copied.
  parentPort?.postMessage(response, 'bytes' in response ? [response.bytes.buffer as ArrayBuffer] : []);
}

parentPort?.on('message', (request: WholeFileRequest) => void answer(request));
