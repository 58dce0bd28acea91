import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { LogqsError } from '../errors';
import { hasControlChars } from '../keyPrefix';

/**
 * A key is never trusted as a local path. These rules turn the part of a key
 * below the folder being downloaded into path segments, or refuse it with a
 * reason: nothing they accept can name a place outside the download folder.
 */

export type LocalSegments = { ok: true; segments: string[] } | { ok: false; reason: string };

/** Most file systems refuse a name longer than this many bytes. */
export const MAX_NAME_BYTES = 255;
/**
 * A device name, whatever follows it after a dot: Windows reads the part of a name before its first dot, trailing
 * spaces dropped ("nul .txt", "CON.tar.gz"), and takes a device's for the device.
 */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|conin\$|conout\$|clock\$|com[0-9¹²³]|lpt[0-9¹²³])(?= *(\.|$))/i;
const WINDOWS_FORBIDDEN = /[<>:"|?*\\]/g;

/**
 * Segments for `relativeKey` (a key with the folder's parent removed). `.`
 * and `..` segments, empty segments (a leading "/", "a//b"), NUL and control
 * characters are refused; the characters and device names Windows refuses
 * are replaced there, so the file can still be saved ("C:" of a key that
 * starts like a drive, such as a Windows backup's "C:/Users/…", becomes "C_").
 */
export function localSegments(relativeKey: string, platform: NodeJS.Platform = process.platform): LocalSegments {
  if (relativeKey === '') {
    return { ok: false, reason: 'the key names no file' };
  }
  if (hasControlChars(relativeKey)) {
    return { ok: false, reason: 'the key holds NUL or control characters, which no file name may' };
  }
  const raw = relativeKey.split('/');
  const segments: string[] = [];
  for (const [index, segment] of raw.entries()) {
    if (segment === '') {
      return {
        ok: false,
        reason:
          index === 0
            ? 'the key starts with "/" (an absolute path)'
            : index === raw.length - 1
              ? 'the key ends with "/", as a folder\'s does: no file can take that name'
              : 'the key holds an empty path segment ("//")',
      };
    }
    if (segment === '.' || segment === '..') {
      return { ok: false, reason: 'the key holds "." or ".." segments, which could lead outside the download folder' };
    }
    const name = platform === 'win32' ? windowsSafeName(segment) : segment;
    if (nameLength(name, platform) > MAX_NAME_BYTES) {
      return { ok: false, reason: `a name in the key is longer than ${MAX_NAME_BYTES} ${platform === 'win32' ? 'characters' : 'bytes'}, which file systems refuse` };
    }
    segments.push(name);
  }
  return { ok: true, segments };
}

/**
 * A file name's length as its file system counts it against MAX_NAME_BYTES: NTFS in UTF-16 units, the others in
 * UTF-8 bytes (90 Japanese characters fit on Windows, not elsewhere).
 */
export function nameLength(name: string, platform: NodeJS.Platform = process.platform): number {
  return platform === 'win32' ? name.length : Buffer.byteLength(name, 'utf8');
}

/**
 * A name Windows accepts: its forbidden characters become "_", trailing dots and spaces go (a "_" in their place),
 * and a device name gets a "_" after it, before any extension, which is kept ("aux.txt" becomes "aux_.txt").
 */
function windowsSafeName(segment: string): string {
  let name = segment.replace(WINDOWS_FORBIDDEN, '_');
  if (/[. ]$/.test(name)) {
    name = `${name.replace(/[. ]+$/, '')}_`;
  }
  return name.replace(WINDOWS_RESERVED, '$1_');
}

/** The part of a key below the folder it lands in: a folder "logs/run-1/" lands as "run-1/…", so "logs/" is cut. */
export function keyBelow(folderPrefix: string, key: string): string {
  const trimmed = folderPrefix.endsWith('/') ? folderPrefix.slice(0, -1) : folderPrefix;
  return key.slice(trimmed.lastIndexOf('/') + 1);
}

/** Whether a path relative to a folder leads out of it ("..", "../x", another drive); "..x" is a name in it. */
export function isOutside(relative: string): boolean {
  return relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
}

/**
 * What a file's path is compared by, so that two keys of one job never land
 * on one file: macOS and Windows take names that differ only in case
 * ("Readme", "README") as one file, and macOS those that differ in Unicode
 * normalization ("é" composed or not).
 */
export function localFileIdentity(file: string, platform: NodeJS.Platform = process.platform): string {
  // NTFS folds case but keeps a name's Unicode as given: "é" composed and decomposed are two files there.
  return platform === 'darwin' ? file.normalize('NFC').toLowerCase() : platform === 'win32' ? file.toLowerCase() : file;
}

/** Joins segments under root, refusing (as a bug would be) anything that resolves outside it. */
export function pathUnder(root: string, segments: readonly string[]): string {
  const resolved = path.resolve(root, ...segments);
  const relative = path.relative(path.resolve(root), resolved);
  if (relative === '' || isOutside(relative)) {
    throw new LogqsError('outside-prefix', `"${segments.join('/')}" would be written outside the download folder; refused`);
  }
  return resolved;
}

/**
 * For one download job: makes the folders of a file and checks, on their real
 * path, that they are still under the real root, so a symbolic link inside the
 * download folder can't redirect a file elsewhere. Each folder is made and
 * checked once per job (a folder of thousands of small files would otherwise
 * pay three system calls a file for it). `removeEmptyMade` takes away the
 * folders it made that are still empty, unless another job of this process
 * has files on their way into them: a job cancelled or failed leaves no
 * empty tree of them behind. `release` ends the job's use of its folders.
 */
export function parentPreparer(root: string): { prepare: (file: string) => Promise<void>; removeEmptyMade: () => Promise<void>; release: () => void } {
  let realRoot: Promise<string> | undefined;
  const prepared = new Map<string, Promise<void>>();
  /** The first folder each mkdir made (those below it it made too). */
  const made: string[] = [];
  let released = false;
  const release = () => {
    if (!released) {
      released = true;
      prepared.forEach((_, parent) => useFolder(parent, -1));
    }
  };
  const prepare = async (parent: string, file: string) => {
    realRoot ??= fs.realpath(root);
    const rootPath = await realRoot;
    const refuseOutside = (real: string) => {
      if (isOutside(path.relative(rootPath, real))) {
        throw new LogqsError('outside-prefix', `"${path.relative(root, file)}" would be written outside the download folder through a link; refused`);
      }
    };
    // Checked before any folder is made too: mkdir follows a link, and would make the folders outside first.
    const nearest = await nearestRealFolder(parent);
    refuseOutside(nearest.real);
    const first = await fs.mkdir(parent, { recursive: true });
    if (first !== undefined) {
      made.push(first);
    }
    if (!nearest.whole) {
      refuseOutside(await fs.realpath(parent));
    }
  };
  return {
    prepare: (file) => {
      const parent = path.dirname(file);
      let done = prepared.get(parent);
      if (!done) {
        done = prepare(parent, file);
        prepared.set(parent, done);
        useFolder(parent, 1);
      }
      return done;
    },
    removeEmptyMade: async () => {
      release();
      // Only empty ones go (rmdir refuses the others): files placed before the end stay, with their folders.
      await Promise.all(made.map((folder) => removeIfEmpty(folder)));
    },
    release,
  };
}

/**
 * How many download jobs of this process put files in each folder now: one
 * job's cleanup must not take away a folder another's files are on their
 * way into (it found the folder made, and won't make it again).
 */
const foldersInUse = new Map<string, number>();

function useFolder(folder: string, change: 1 | -1): void {
  // By identity: two jobs may spell one folder two ways where the disk folds case ("Run", "run").
  const key = localFileIdentity(folder);
  const count = (foldersInUse.get(key) ?? 0) + change;
  if (count > 0) {
    foldersInUse.set(key, count);
  } else {
    foldersInUse.delete(key);
  }
}

/** Removes `folder` and the folders in it, bottom up, where nothing else is in them and no job's files go; never a file. */
async function removeIfEmpty(folder: string): Promise<void> {
  const entries = await fs.readdir(folder, { withFileTypes: true }).catch(() => []);
  await Promise.all(entries.filter((entry) => entry.isDirectory()).map((entry) => removeIfEmpty(path.join(folder, entry.name))));
  if (!foldersInUse.has(localFileIdentity(folder))) {
    await fs.rmdir(folder).catch(() => undefined);
  }
}

/** The real path of `folder`, or of its nearest ancestor that exists (`whole` false). */
async function nearestRealFolder(folder: string): Promise<{ real: string; whole: boolean }> {
  for (let current = folder; ; current = path.dirname(current)) {
    try {
      return { real: await fs.realpath(current), whole: current === folder };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || path.dirname(current) === current) {
        throw error;
      }
    }
  }
}
