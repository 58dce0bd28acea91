import { cancelledError, isAbort } from '../errors';
import type { ConflictChoice } from './types';

/**
 * The same conflict answer for a whole job (or several): asked the first
 * time, remembered after. The question dismissed (Cancel) cancels `job`,
 * its files in flight included, not only the file that asked. A job
 * cancelled asks nothing more (a file found there as the Cancel came): a
 * question then would hold it open until answered.
 */
export function askOnce(ask: (existing: string) => Promise<ConflictChoice>, job?: AbortController): (existing: string) => Promise<ConflictChoice> {
  let answer: Promise<ConflictChoice> | undefined;
  return async (existing) => {
    if (job?.signal.aborted) {
      throw cancelledError();
    }
    return (answer ??= ask(existing).catch((error: unknown) => {
      if (isAbort(error)) {
        job?.abort(error);
      }
      throw error;
    }));
  };
}

/**
 * "name (1).ext", "name (2).ext", …: the first candidate `isFree` accepts
 * (file names and keys alike). The name is the part after the last of
 * `separators` (a key's "/"; a local path's, which on Windows are "\\" too).
 * With `maxNameBytes` (a file system's limit on one name, in UTF-8 bytes, or
 * in what `length` counts: NTFS counts UTF-16 units), the name is shortened
 * before its number rather than made too long to create.
 */
export async function firstFreeName(
  name: string,
  isFree: (candidate: string) => Promise<boolean> | boolean,
  {
    maxNameBytes = Infinity,
    separators = ['/', '\\'],
    length = (text: string) => Buffer.byteLength(text),
  }: { maxNameBytes?: number; separators?: readonly string[]; length?: (text: string) => number } = {},
): Promise<string> {
  const slash = Math.max(...separators.map((separator) => name.lastIndexOf(separator))) + 1;
  // The extension is after the last dot of the name.
  const dot = name.lastIndexOf('.');
  const [stem, extension] = dot > slash ? [name.slice(slash, dot), name.slice(dot)] : [name.slice(slash), ''];
  for (let n = 1; ; n++) {
    const candidate = `${name.slice(0, slash)}${numbered(stem, extension, ` (${n})`, maxNameBytes, length)}`;
    if (await isFree(candidate)) {
      return candidate;
    }
  }
}

/** stem + number + extension within `maxBytes`: the stem cut first; an extension too long to keep any stem is cut too, the number then last. */
function numbered(stem: string, extension: string, number: string, maxBytes: number, length: (text: string) => number): string {
  return length(number + extension) < maxBytes ? shortened(stem, number + extension, maxBytes, length) : shortened(stem + extension, number, maxBytes, length);
}

/** `stem` + `ending`, the stem cut (by whole characters) as much as needed to fit `maxBytes`. */
function shortened(stem: string, ending: string, maxBytes: number, length: (text: string) => number): string {
  const characters = [...stem];
  while (characters.length > 0 && length(characters.join('') + ending) > maxBytes) {
    characters.pop();
  }
  return characters.join('') + ending;
}

/** The names (local files, keys) a job's files go to, so that two never go to one. */
export class Claims {
  private readonly claimed = new Set<string>();
  /** The names claimed as they were given, to tell two of one name from two the identity takes as one. */
  private readonly exactly = new Set<string>();

  /** `identity`: what names are compared by (a file system may take two spellings as one file). */
  constructor(private readonly identity: (name: string) => string = (name) => name) {}

  has(name: string): boolean {
    return this.claimed.has(this.identity(name));
  }

  /** Takes `name` for one file; false when another file of the job has it. */
  claim(name: string): boolean {
    if (this.has(name)) {
      return false;
    }
    this.claimed.add(this.identity(name));
    this.exactly.add(name);
    return true;
  }

  /** Whether `name` itself, not only a name of its identity, is claimed. */
  hasExactly(name: string): boolean {
    return this.exactly.has(name);
  }

  /** Gives `name` back (its file is done: from now on the destination itself says it is taken). */
  release(name: string): void {
    this.claimed.delete(this.identity(name));
    this.exactly.delete(name);
  }
}
