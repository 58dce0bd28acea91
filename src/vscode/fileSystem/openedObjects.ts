/** A version as VS Code's own stat knows it: what its "the content of the file is newer" check compares. */
export interface StatSeen {
  mtime: number;
  size: number;
}

/** What a tab of an object was last read or saved as: its ETag, and whether its store was read-only then. */
export interface OpenedObject {
  etag?: string;
  readOnly: boolean;
  /**
   * The version's modified time and size as the editor was told them;
   * 'next-stat' after a save, until the stat VS Code makes of what it saved.
   */
  seen?: StatSeen | 'next-stat';
  /**
   * The ETag of the first version since then that VS Code's own check
   * refuses a save over ("the content of the file is newer"): the one its
   * question was about, if it asked.
   */
  refusedEtag?: string;
}

/** Where the entries outlive the window (a Memento: the workspace's state). */
export interface OpenedObjectsMemory {
  get(key: string): unknown;
  update(key: string, value: unknown): Thenable<void>;
}

const MEMORY_KEY = 'logqs.openedObjects';
/** The most recent entries kept: a tab older than the last this many opened or saved loses its baseline. */
const MAX_ENTRIES = 500;

/**
 * The version each object tab was opened or last saved as, by URI, kept
 * across window reloads: a tab VS Code restores with unsaved changes (hot
 * exit) is not read again, and its save must still be checked against the
 * version it was edited from, not written over whatever is there now.
 * Only the most recent entries are kept.
 */
export class OpenedObjects {
  private readonly entries = new Map<string, OpenedObject>();

  constructor(private readonly memory?: OpenedObjectsMemory) {
    const kept = memory?.get(MEMORY_KEY);
    if (Array.isArray(kept)) {
      for (const entry of kept) {
        if (isEntry(entry)) {
          this.entries.set(entry[0], entry[1]);
        }
      }
    }
  }

  get(uri: string): OpenedObject | undefined {
    return this.entries.get(uri);
  }

  set(uri: string, opened: OpenedObject): void {
    // Set again, an entry becomes the most recent one.
    this.entries.delete(uri);
    this.entries.set(uri, opened);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= MAX_ENTRIES) {
        break;
      }
      this.entries.delete(oldest);
    }
    // Kept for the next window as well as may be: a failure only loses what a reload would have kept.
    this.memory?.update(MEMORY_KEY, [...this.entries]).then(undefined, () => undefined);
  }

  [Symbol.iterator](): IterableIterator<[string, OpenedObject]> {
    return this.entries.entries();
  }
}

function isEntry(value: unknown): value is [string, OpenedObject] {
  if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'string') {
    return false;
  }
  const opened = value[1] as Partial<OpenedObject> | null;
  return (
    typeof opened === 'object' &&
    opened !== null &&
    typeof opened.readOnly === 'boolean' &&
    (opened.etag === undefined || typeof opened.etag === 'string') &&
    (opened.refusedEtag === undefined || typeof opened.refusedEtag === 'string') &&
    (opened.seen === undefined || opened.seen === 'next-stat' || (typeof opened.seen === 'object' && opened.seen !== null && typeof opened.seen.mtime === 'number' && typeof opened.seen.size === 'number'))
  );
}
