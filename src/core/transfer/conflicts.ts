import type { ConflictChoice } from './types';

/** The same conflict answer for a whole job: asked the first time, remembered after. */
export function askOnce(ask: (existing: string) => Promise<ConflictChoice>): (existing: string) => Promise<ConflictChoice> {
  let answer: Promise<ConflictChoice> | undefined;
  return (existing) => (answer ??= ask(existing));
}

/** "name (1).ext", "name (2).ext", …: the first candidate `isFree` accepts (file names and keys alike). */
export async function firstFreeName(name: string, isFree: (candidate: string) => Promise<boolean> | boolean): Promise<string> {
  // The extension is after the last dot of the last segment (keys use "/", Windows paths "\\").
  const slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1;
  const dot = name.lastIndexOf('.');
  const [stem, extension] = dot > slash ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 1; ; n++) {
    const candidate = `${stem} (${n})${extension}`;
    if (await isFree(candidate)) {
      return candidate;
    }
  }
}

/** The names (local files, keys) a job's files go to, so that two never go to one. */
export class Claims {
  private readonly claimed = new Set<string>();

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
    return true;
  }
}
