/** What moveToFreeName needs to know of a name's file: a folder or not, and which file it is. */
export interface NameStats {
  isDirectory(): boolean;
  dev: number;
  ino: number;
}

/**
 * The file-system calls moveToFreeName makes: synchronous ones on a file
 * thread (wholeFileOps.ts), fs.promises on the extension host's thread.
 */
export interface NamingCalls {
  link(existing: string, name: string): void | Promise<void>;
  unlink(name: string): void | Promise<void>;
  rename(from: string, to: string): void | Promise<void>;
  /** What is at `name`, not following a link; undefined for nothing. */
  lstat(name: string): NameStats | undefined | Promise<NameStats | undefined>;
}

export type Occupant = 'exists' | 'folder' | undefined;

/** What an lstat's answer (undefined: nothing there) says is at a name. */
export const occupantOf = (stats: { isDirectory(): boolean } | undefined): Occupant => stats && (stats.isDirectory() ? 'folder' : 'exists');

/**
 * Codes with which link(2) says the disk makes no hard links: FAT and exFAT
 * (EPERM on Linux; EISDIR or UNKNOWN as libuv maps Windows' answers), SMB
 * shares and FUSE disks (ENOTSUP, ENOSYS).
 */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EISDIR', 'UNKNOWN']);

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
      if (there && ours && there.ino !== 0 && there.ino === ours.ino && there.dev === ours.dev) {
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
