import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type * as z from 'zod';
import { LogqsError } from '../../core/errors';
import { parseJsonText } from '../../core/jsonText';

/** A JSON file's content checked against its schema, or why it can't be used, in words fit for a message. */
export type JsonDocument<T> = { ok: true; data: T } | { ok: false; problem: string };

/**
 * Reads and checks a JSON file. A file that can't be read is a storage error
 * (or `ifMissing` when it doesn't exist); bad content is returned as a
 * problem, so each caller says what that means for its own file.
 */
export async function readJsonDocument<S extends z.ZodType>(
  filePath: string,
  description: string,
  schema: S,
  ifMissing?: z.output<S>,
): Promise<JsonDocument<z.output<S>>> {
  let text: string;
  try {
    text = await fs.readFile(filePath, 'utf8');
  } catch (error) {
    if (ifMissing !== undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { ok: true, data: ifMissing };
    }
    throw new LogqsError('storage', `Can't read the ${description} ${filePath}: ${(error as Error).message}`, { cause: error });
  }
  // Never JSON.parse's own message: it quotes the text around the fault, which may be a secret.
  // A byte order mark (Notepad, PowerShell's UTF-8) is no part of the JSON: JSON.parse refuses it.
  const json = parseJsonText(text.replace(/^\ufeff/, ''));
  if (!json.ok) {
    return { ok: false, problem: json.problem };
  }
  const parsed = schema.safeParse(json.value);
  if (parsed.success) {
    return { ok: true, data: parsed.data };
  }
  // Issue messages name the field, never the value, so no secret is echoed.
  const issue = parsed.error.issues[0];
  return { ok: false, problem: `${issue.path.join('.') || 'the file'} ${issue.message}` };
}

/**
 * Writes a JSON file atomically: to a temporary file that is then renamed
 * over the old one, so a crash never leaves a half-written file. Readable by
 * its owner only.
 */
export async function writeJsonFile(filePath: string, description: string, value: unknown, held?: HeldLock): Promise<void> {
  const body = JSON.stringify(value, null, 2) + '\n';
  // Unique per save, not per millisecond: two saves sharing one temporary file mix their bytes into it.
  const temporary = `${filePath}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await fs.mkdir(path.dirname(filePath), { recursive: true });
    const file = await fs.open(temporary, 'wx', 0o600);
    try {
      await file.writeFile(body, 'utf8');
      // On the disk before the rename: after a crash, the name must not point at bytes never written (APFS, NTFS, XFS).
      await file.datasync();
    } finally {
      await file.close();
    }
    if (held) {
      await assertStillHeld(held, filePath, description);
    }
    await fs.rename(temporary, filePath);
  } catch (error) {
    await fs.rm(temporary, { force: true }).catch(() => undefined);
    throw LogqsError.is(error) ? error : new LogqsError('storage', `Can't save the ${description} ${filePath}: ${(error as Error).message}`, { cause: error });
  }
}

/** A lock withFileLock holds: its file, and this holder's mark in it. */
export interface HeldLock {
  lock: string;
  mine: string;
}

/**
 * A save made under a lock is refused if the lock is no longer its own: a
 * change that hung past maxHoldMs (a keychain prompt left open) let another
 * window take the lock, and that window's change, saved meanwhile, would be
 * lost under this one's older records. A lock that can't be read (a virus
 * scanner holding it on Windows) is said as that, not as another window's.
 */
async function assertStillHeld(held: HeldLock, filePath: string, description: string): Promise<void> {
  let mark: string | undefined;
  try {
    mark = await fs.readFile(held.lock, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new LogqsError('storage', `Can't read the lock of the ${description} ${filePath}, so nothing was saved: ${(error as Error).message}`, { cause: error });
    }
  }
  if (mark !== held.mine) {
    throw new LogqsError('storage', `The ${description} ${filePath} was changed by another window while this change waited too long; nothing was saved: try again`);
  }
}

/**
 * A JSON file changed by one window at a time (see withFileLock): what
 * `exclusive`'s change writes is refused if the lock was lost meanwhile.
 * This window's changes run in turn, so one lock is held at a time: a second
 * could otherwise take the first's lock once stale, and the first would
 * then write under the second's.
 */
export class LockedJsonFile {
  private held: HeldLock | undefined;
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    readonly filePath: string,
    private readonly description: string,
    private readonly timing: LockTiming = LOCK_TIMING,
  ) {}

  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const change = this.turn.then(() =>
      withFileLock(
        this.filePath,
        this.description,
        async (held) => {
          this.held = held;
          try {
            return await work();
          } finally {
            this.held = undefined;
          }
        },
        this.timing,
      ),
    );
    this.turn = change.catch(() => undefined);
    return change;
  }

  write(value: unknown): Promise<void> {
    return writeJsonFile(this.filePath, this.description, value, this.held);
  }
}

/** Creates `file` with `content` unless it exists: false when it does. */
async function createExclusively(file: string, content: string, failure: string): Promise<boolean> {
  try {
    await fs.writeFile(file, content, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return false;
    }
    throw new LogqsError('storage', `${failure}: ${(error as Error).message}`, { cause: error });
  }
}

/** How long ago `file` was written; undefined once it is gone. */
function ageOf(file: string): Promise<number | undefined> {
  return fs.stat(file).then((stat) => Date.now() - stat.mtimeMs, () => undefined);
}

/**
 * Removes a lock left by a window that died holding it, under a second lock
 * held only for that moment, and only if it is still stale then: two windows
 * that found it stale at once would each remove it, the second removing the
 * lock the first had just made, and both would change the file. False when
 * another window is at it (or a takeover of its own was left by a window that
 * died right then, which is removed once stale).
 */
async function removeStaleLock(lock: string, staleMs: number, create: (file: string) => Promise<boolean>): Promise<boolean> {
  const takeover = `${lock}.takeover`;
  if (!(await create(takeover))) {
    const age = await ageOf(takeover);
    if (age !== undefined && age > staleMs) {
      await fs.rm(takeover, { force: true });
    }
    return false;
  }
  try {
    const age = await ageOf(lock);
    if (age !== undefined && age > staleMs) {
      await fs.rm(lock, { force: true });
    }
    return true;
  } finally {
    await fs.rm(takeover, { force: true }).catch(() => undefined);
  }
}

export interface LockTiming {
  /** A lock untouched this long was left by a window that died holding it. */
  staleMs: number;
  /** How often a window touches the lock it holds: one waiting on the keychain (a prompt) is alive, however long. */
  touchMs: number;
  /** How long a change waits for another window's before giving up. */
  waitMs: number;
  /** How long a window keeps touching its lock: a change that hangs for good (a keychain that never answers) lets the others in at last. */
  maxHoldMs: number;
}

const LOCK_TIMING: LockTiming = { staleMs: 30_000, touchMs: 5_000, waitMs: 10_000, maxHoldMs: 5 * 60_000 };

/**
 * Runs `work` (a load, a change, a save of the file) while holding the
 * file's lock: a lock file created exclusively, touched while the work runs.
 * Every editor window has its own extension host over the same files;
 * without it, a window saves over what another has just added.
 */
export async function withFileLock<T>(filePath: string, description: string, work: (held: HeldLock) => Promise<T>, timing: LockTiming = LOCK_TIMING): Promise<T> {
  const lock = `${filePath}.lock`;
  await fs.mkdir(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + timing.waitMs;
  // This window's mark in the lock: it removes the lock only while the lock is still its own.
  const mine = `${process.pid}\n${randomUUID()}\n`;
  const failure = `Can't lock the ${description} ${filePath}`;
  while (!(await createExclusively(lock, mine, failure))) {
    const age = await ageOf(lock);
    // Gone meanwhile, or taken over from a window that died holding it: tried again at once.
    if (age === undefined || (age > timing.staleMs && (await removeStaleLock(lock, timing.staleMs, (file) => createExclusively(file, mine, failure))))) {
      continue;
    }
    if (Date.now() > deadline) {
      throw new LogqsError('storage', `The ${description} ${filePath} is being changed by another window; try again`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20));
  }
  const held = Date.now();
  const touching = setInterval(() => {
    if (Date.now() - held > timing.maxHoldMs) {
      clearInterval(touching);
      return;
    }
    const now = new Date();
    fs.utimes(lock, now, now).catch(() => undefined);
  }, timing.touchMs);
  try {
    return await work({ lock, mine });
  } finally {
    clearInterval(touching);
    if ((await fs.readFile(lock, 'utf8').catch(() => undefined)) === mine) {
      await fs.rm(lock, { force: true }).catch(() => undefined);
    }
  }
}
