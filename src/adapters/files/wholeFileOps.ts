import * as fs from 'node:fs';
import type { CommitResult, WholeFileCommit } from '../../core/transfer';
import { md5Of } from '../../core/transfer/etags';
import { type NamingCalls, type Occupant, moveToFreeName, occupantOf, replaceWith } from '../../core/transfer/freeName';

/**
 * A small file's whole life on disk in one go, for the file threads
 * (wholeFileWorker.ts): synchronous calls, each of which would otherwise be
 * a hand-off to libuv's thread pool and back. Never run on the extension
 * host's own thread.
 */

/**
 * Writes a verified temporary beside the target and renames it onto the target; on any failure the temporary is
 * removed. `cancelled`: a replace tried again (see replaceWith) stops at a cancel.
 */
export async function commitWholeFile(commit: WholeFileCommit, cancelled?: () => boolean): Promise<CommitResult> {
  if (commit.md5 !== undefined && md5Of(commit.bytes) !== commit.md5) {
    return 'damaged';
  }
  if (!commit.replace) {
    const there = occupant(commit.target);
    if (there) {
      return there;
    }
  }
  return putInPlace(
    commit.temporary,
    commit.target,
    commit.replace,
    (fd) => {
      writeAll(fd, commit.bytes);
      return true;
    },
    cancelled,
  );
}

/** What keeps a file from being put at `target` without replacing something: a file ('exists') or a folder there. */
export function occupant(target: string): Occupant {
  // Without an exception for the common case, a file not there yet (its stack trace cost more than the call).
  return occupantOf(fs.lstatSync(target, { throwIfNoEntry: false }));
}

/**
 * `temporary` made anew (never an existing file), filled by `fill`, closed
 * and renamed onto `target`; `fill` answers false when what it wrote is not
 * what was expected ('damaged', nothing renamed). Unless `replace`, it
 * goes in only if the name is still free (moveToFreeName): what came there
 * while the temporary was filled (another download, say) is not replaced
 * unasked. On any failure or refusal the temporary is removed; a folder at
 * `target` answers 'folder', a file the system won't replace 'in-use'. A file that replaces another is on disk before
 * the rename (as download.ts's onDiskBeforeReplacing says why).
 */
export async function putInPlace(
  temporary: string,
  target: string,
  replace: boolean,
  fill: (fd: number) => boolean | Promise<boolean>,
  cancelled?: () => boolean,
): Promise<CommitResult> {
  try {
    const fd = fs.openSync(temporary, 'wx');
    let filled: boolean;
    try {
      filled = await fill(fd);
      if (filled && replace) {
        fs.fdatasyncSync(fd);
      }
    } finally {
      fs.closeSync(fd);
    }
    const result = !filled ? 'damaged' : replace ? await replaceWith(temporary, target, namingCalls, { cancelled }) : await moveToFreeName(temporary, target, namingCalls);
    if (result !== 'written') {
      fs.rmSync(temporary, { force: true });
    }
    return result;
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') {
      return 'folder';
    }
    throw error;
  }
}

/** moveToFreeName's calls on a file thread: synchronous, each of which would otherwise be a hand-off to libuv's thread pool and back. */
const namingCalls: NamingCalls = {
  link: (existing, name) => fs.linkSync(existing, name),
  unlink: (name) => fs.unlinkSync(name),
  rename: (from, to) => fs.renameSync(from, to),
  lstat: (name) => fs.lstatSync(name, { bigint: true, throwIfNoEntry: false }),
};

/** Every byte of `bytes` written at the descriptor's position. */
export function writeAll(fd: number, bytes: Uint8Array): void {
  for (let written = 0; written < bytes.byteLength; ) {
    written += fs.writeSync(fd, bytes, written, bytes.byteLength - written);
  }
}

/** Thrown (as its code) when a file is not the size it was listed at (it changed since). */
export const CHANGED_SIZE = 'ECHANGEDSIZE';

/** The code of a commit the file thread didn't begin, its job cancelled while it waited its turn. */
export const NOT_BEGUN = 'LOGQS_CANCELLED';

/** A file's `size` bytes; refused when it is no longer that size (it changed since it was listed). */
export function readWholeFile(file: string, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  const fd = fs.openSync(file, 'r');
  try {
    // A file replaced by a folder since it was listed: refused as Windows refuses it at the open (Linux opens a folder).
    if (fs.fstatSync(fd).isDirectory()) {
      throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${file}'`), { code: 'EISDIR', path: file });
    }
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


