import { Worker } from 'node:worker_threads';

/** How long the requests of a stopping thread wait for it to end before they fail regardless (see stop). */
const STOP_WAIT_MS = 2000;

/**
 * A worker thread and the requests on it still in flight: the thread's
 * messages go, by id, to the handler each request registered, until it is
 * forgotten. The thread keeps the process (the extension host, a test) alive
 * only while a request is in flight. When it stops (it failed, exited, or was
 * stopped), `onStopped` is told once, any request registered after is handed
 * the message `stoppedMessage` makes for it, and every request in flight is
 * handed that message once the thread has ended.
 */
export class RequestThread<Request, Message extends { id: number }> {
  private readonly handlers = new Map<number, (message: Message) => void>();
  private readonly worker: Worker;
  private stoppedBy: Error | undefined;
  private runs = false;

  constructor(
    workerFile: string,
    private readonly stoppedMessage: (id: number, error: Error) => Message,
    private readonly onStopped: () => void,
  ) {
    this.worker = new Worker(workerFile);
    this.worker.unref();
    this.worker.once('online', () => (this.runs = true));
    this.worker.on('message', (message: Message) => this.handlers.get(message.id)?.(message));
    this.worker.on('error', (error) => this.stop(error));
    this.worker.on('exit', (code) => this.stop(new Error(`exit code ${code}`)));
  }

  /** Whether the thread runs its code yet: starting one takes tens of milliseconds (90 here), its requests wait meanwhile. */
  get online(): boolean {
    return this.runs && !this.stoppedBy;
  }

  /** Requests in flight. */
  get inFlight(): number {
    return this.handlers.size;
  }

  /** Hands the thread's messages about request `id` to `handler` (instead of any before) until `forget(id)`. */
  expect(id: number, handler: (message: Message) => void): void {
    if (this.stoppedBy) {
      handler(this.stoppedMessage(id, this.stoppedBy));
      return;
    }
    if (this.handlers.size === 0) {
      this.worker.ref();
    }
    this.handlers.set(id, handler);
  }

  forget(id: number): void {
    this.handlers.delete(id);
    if (this.handlers.size === 0) {
      this.worker.unref();
    }
  }

  post(request: Request): void {
    if (!this.stoppedBy) {
      this.worker.postMessage(request);
    }
  }

  /**
   * Ends the thread, then fails what was in flight with `error`: not before,
   * as a request's failure may remove a file the thread, until it has
   * stopped, could still be making (a temporary, opened just then, would stay).
   */
  stop(error: Error): void {
    if (this.stoppedBy) {
      return;
    }
    this.stoppedBy = error;
    this.onStopped();
    const failInFlight = () => {
      clearTimeout(waiting);
      for (const [id, handler] of [...this.handlers]) {
        handler(this.stoppedMessage(id, error));
      }
      this.handlers.clear();
    };
    // A thread held for good in a system call (a network disk that hangs) never ends: its requests fail anyway, later.
    const waiting = setTimeout(failInFlight, STOP_WAIT_MS);
    waiting.unref();
    this.worker.terminate().then(failInFlight, failInFlight);
  }
}
