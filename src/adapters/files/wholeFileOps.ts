import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { CommitResult, WholeFileCommit } from '../../core/transfer';

/**
 * A small file's whole life on disk in one go, for the file threads
 * (wholeFileWorker.ts): synchronous calls, each of which would otherwise be
 * a hand-off to libuv's thread pool and back. Never run on the extension
 * host's own thread.
 */

/** Writes a verified temporary beside the target and renames it onto the target; on any failure the temporary is removed. */
export function commitWholeFile(commit: WholeFileCommit): CommitResult {
  if (commit.md5 !== undefined && createHash('md5').update(commit.bytes).digest('hex') !== commit.md5) {
    return 'damaged';
  }
  if (!commit.replace) {
    const existing = lstatOrUndefined(commit.target);
    if (existing) {
      return existing.isDirectory() ? 'folder' : 'exists';
    }
  }
  try {
    writeNew(commit.temporary, commit.bytes);
    fs.renameSync(commit.temporary, commit.target);
  } catch (error) {
    fs.rmSync(commit.temporary, { force: true });
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') {
      return 'folder';
    }
    throw error;
  }
  return 'written';
}

/** Thrown (as its code) when a file is not the size it was listed at (it changed since). */
export const CHANGED_SIZE = 'ECHANGEDSIZE';

/** A file's `size` bytes; refused when it is no longer that size (it changed since it was listed). */
export function readWholeFile(file: string, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  const fd = fs.openSync(file, 'r');
  try {
    let filled = 0;
    while (filled < size) {
      const read = fs.readSync(fd, bytes, filled, size - filled, filled);
      if (read === 0) {
        throw Object.assign(new Error(`${file} is shorter than ${size} bytes`), { code: CHANGED_SIZE });
      }
      filled += read;
    }
    // Longer now (a log still being written): its first bytes alone would be stored as if they were the file.
    if (fs.fstatSync(fd).size !== size) {
      throw Object.assign(new Error(`${file} is no longer ${size} bytes`), { code: CHANGED_SIZE });
    }
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}

function writeNew(file: string, bytes: Uint8Array): void {
  const fd = fs.openSync(file, 'wx');
  try {
    for (let written = 0; written < bytes.byteLength; ) {
      written += fs.writeSync(fd, bytes, written, bytes.byteLength - written);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function lstatOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
}
