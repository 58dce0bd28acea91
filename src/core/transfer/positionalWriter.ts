import { write, writev } from 'node:fs';
import { Writable } from 'node:stream';
import { localFileError } from '../errors';

/**
 * The writes into one file, one at a time, in the order they are asked for,
 * and a way to wait for the last of them. The ranges of a download write
 * into the same file: queued, no write can outlive the file's close (a range
 * that failed may have left one behind). Parallel pwrites into one file only
 * contend for its lock in the kernel; one at a time measured no slower.
 */
export class WriteQueue {
  private last: Promise<void> = Promise.resolve();

  /** Runs `write` after every write queued before it; `write` calls `done` when its bytes are written. */
  run(write: (done: () => void) => void): void {
    this.last = this.last.then(() => new Promise<void>((resolve) => write(resolve)));
  }

  /** Settles once every queued write has ended: the file may be closed then, and its descriptor never reused under a late write. */
  idle(): Promise<void> {
    return this.last;
  }
}

/**
 * A stream that writes into an open file from a position on (pwrite/pwritev,
 * several chunks per system call), and never closes the file: parallel
 * ranges of one download share it, and a range that fails midway is retried
 * into the same file. (fs.WriteStream closes its descriptor when a pipeline
 * destroys it, whatever autoClose says.)
 */
export class PositionalWriter extends Writable {
  bytesWritten = 0;

  constructor(
    private readonly fd: number,
    private position: number,
    private readonly queue: WriteQueue,
  ) {
    super({ highWaterMark: 1024 * 1024 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this._writev([{ chunk }], callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    const buffers = chunks.map(({ chunk }) => chunk);
    const total = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
    this.queue.run((done) =>
      this.writeAll(buffers, total, (error) => {
        done();
        callback(error);
      }),
    );
  }

  /** Writes one chunk outside the stream, for a body whose chunks are valid only until the next is read: written before it is. */
  writeChunk(chunk: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => this._writev([{ chunk: chunk as Buffer }], (error) => (error ? reject(error) : resolve())));
  }

  /** pwritev may write less than asked; what is left is written again from where it stopped. */
  private writeAll(buffers: Buffer[], remaining: number, callback: (error?: Error | null) => void): void {
    const done = (error: NodeJS.ErrnoException | null, written: number) => {
      if (error) {
        // Said as the file's failure (a full disk, say), which no retry of the download mends.
        callback(localFileError(error));
        return;
      }
      this.position += written;
      this.bytesWritten += written;
      if (written >= remaining) {
        callback();
        return;
      }
      this.writeAll(dropBytes(buffers, written), remaining - written, callback);
    };
    if (buffers.length === 1) {
      write(this.fd, buffers[0], 0, buffers[0].length, this.position, done);
    } else {
      writev(this.fd, buffers, this.position, done);
    }
  }
}

/** The buffers without their first `count` bytes. */
function dropBytes(buffers: Buffer[], count: number): Buffer[] {
  const rest: Buffer[] = [];
  let skip = count;
  for (const buffer of buffers) {
    if (skip >= buffer.length) {
      skip -= buffer.length;
      continue;
    }
    rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
    skip = 0;
  }
  return rest;
}
