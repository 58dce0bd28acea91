import { promises as fs } from 'node:fs';
import { cancelledError } from '../errors';

/**
 * What moveToFreeName needs to know of a name's file: a folder or not, which
 * file it is, and its number of names. Big integers: an NTFS or NFS file id
 * may go past what a number holds exactly, making two files look one.
 */
export interface NameStats {
  isDirectory(): boolean;
  dev: bigint;
  ino: bigint;
  nlink: bigint;
}

/**
 * The file-system calls moveToFreeName makes: synchronous ones on a file
 * thread (wholeFileOps.ts), fs.promises on the extension host's thread.
 */
export interface NamingCalls {
  link(existing: string, name: string): void | Promise<void>;
  unlink(name: string): void | Promise<void>;
  rename(from: string, to: string): void | Promise<void>;
  /** What is at `name`, not following a link; undefined for nothing (any other failure throws). */
  lstat(name: string): NameStats | undefined | Promise<NameStats | undefined>;
}

/** Undefined for a name with nothing there (no file, or a file where a folder of its path should be); any other failure thrown. */
function nothingThere(error: unknown): undefined {
  const { code } = error as NodeJS.ErrnoException;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return undefined;
  }
  throw error;
}

/**
 * moveToFreeName's calls through fs.promises, for a large file on the
 * extension host's thread: a file thread would have to start for it (90 ms
 * here), for one move.
 */
export const promiseNamingCalls: NamingCalls = {
  link: (existing, name) => fs.link(existing, name),
  unlink: (name) => fs.unlink(name),
  rename: (from, to) => fs.rename(from, to),
  lstat: (name) => fs.lstat(name, { bigint: true }).catch(nothingThere),
};

export type Occupant = 'exists' | 'folder' | undefined;

/**
 * Codes with which rename(2) refuses to replace a file: on Windows one open in another program (a CSV in Excel:
 * EPERM, EBUSY, EACCES as libuv maps them), elsewhere an immutable one or a mount point.
 */
const REPLACE_REFUSED = new Set(['EPERM', 'EBUSY', 'EACCES']);

/** Whether a file has no write permission (Windows' read-only attribute reads so): a replace of it is refused for good. */
async function isReadOnly(file: string): Promise<boolean> {
  const stats = await fs.lstat(file).catch(() => undefined);
  return stats !== undefined && (stats.mode & 0o200) === 0;
}

/** Waits between tries of a replace Windows refuses: a virus scanner or a sync client holds a new file a moment. */
const REPLACE_RETRY_MS = [50, 100, 200, 400, 800];

/**
 * `temporary` renamed onto `target`, replacing the file the person said to overwrite; 'in-use' where the system
 * refuses to replace it (the temporary is then the caller's to remove), on Windows after 1.5 s of tries unless the
 * file is read-only, which no wait changes. Any other failure is thrown, and so is a cancel (`cancelled`) met between
 * tries: no file of a cancelled job goes in.
 */
export async function replaceWith(
  temporary: string,
  target: string,
  calls: Pick<NamingCalls, 'rename'>,
  options: { platform?: NodeJS.Platform; cancelled?: () => boolean; readOnly?: (target: string) => Promise<boolean> } = {},
): Promise<'written' | 'in-use'> {
  const { platform = process.platform, cancelled = () => false, readOnly = isReadOnly } = options;
  for (let attempt = 0; ; attempt++) {
    try {
      await calls.rename(temporary, target);
      return 'written';
    } catch (error) {
      if (!REPLACE_REFUSED.has((error as NodeJS.ErrnoException).code ?? '')) {
        throw error;
      }
      if (platform !== 'win32' || attempt >= REPLACE_RETRY_MS.length || (attempt === 0 && (await readOnly(target)))) {
        return 'in-use';
      }
    }
    await new Promise((resolve) => setTimeout(resolve, REPLACE_RETRY_MS[attempt]));
    if (cancelled()) {
      throw cancelledError();
    }
  }
}

/** What an lstat's answer (undefined: nothing there) says is at a name. */
export const occupantOf = (stats: { isDirectory(): boolean } | undefined): Occupant => stats && (stats.isDirectory() ? 'folder' : 'exists');

/**
 * Codes with which link(2) says the disk makes no hard links: FAT and exFAT
 * (EPERM on Linux; EISDIR or UNKNOWN as libuv maps Windows' answers), SMB
 * shares, FUSE and 9p disks (ENOTSUP, ENOSYS, EINVAL).
 */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EINVAL', 'EISDIR', 'UNKNOWN']);

/**
 * `temporary` moved to `target` unless a file or folder is there (then
 * `temporary` stays, for the caller to place elsewhere or remove). A hard
 * link, which fails when the name is taken, then the temporary's removal:
 * the look and the move are one step, so two writers of one name (two
 * windows downloading one folder; two keys that differ only in case, on a
 * disk that folds it) can't replace each other's file unasked. Where the
 * disk makes no hard links the name is looked at, then the file renamed.
 * Other failures are thrown.
 */
export async function moveToFreeName(temporary: string, target: string, calls: NamingCalls): Promise<'written' | 'exists' | 'folder'> {
  try {
    await calls.link(temporary, target);
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    if (code === 'EEXIST') {
      const [there, ours] = await Promise.all([calls.lstat(target), calls.lstat(temporary)]);
      // The link made after all: NFS may answer a retried LINK whose first try succeeded with EEXIST.
      if (there && ours && there.ino !== 0n && there.ino === ours.ino && there.dev === ours.dev && ours.nlink >= 2n) {
        return leaveTemporary(temporary, calls);
      }
      // A name taken; or a file gone again since, which the caller looks at once more.
      return occupantOf(there) ?? 'exists';
    }
    if (code === undefined || !NO_HARD_LINKS.has(code)) {
      throw error;
    }
    const there = occupantOf(await calls.lstat(target));
    if (there) {
      return there;
    }
    await calls.rename(temporary, target);
    return 'written';
  }
  return leaveTemporary(temporary, calls);
}

/**
 * The temporary name of a file now also at its target, removed. The file is in place: a name that can't be removed
 * now (a virus scanner holding the file open on Windows) is a second name of it left behind, not a failed download.
 */
async function leaveTemporary(temporary: string, calls: NamingCalls): Promise<'written'> {
  try {
    await calls.unlink(temporary);
  } catch {
    // Left, as said.
  }
  return 'written';
}
