import { write, writev } from 'node:fs';
import { Writable } from 'node:stream';

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
  ) {
    super({ highWaterMark: 1024 * 1024 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this._writev([{ chunk }], callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    const buffers = chunks.map(({ chunk }) => chunk);
    const total = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
    this.writeAll(buffers, total, callback);
  }

  /** pwritev may write less than asked; what is left is written again from where it stopped. */
  private writeAll(buffers: Buffer[], remaining: number, callback: (error?: Error | null) => void): void {
    const done = (error: NodeJS.ErrnoException | null, written: number) => {
      if (error) {
        callback(error);
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
