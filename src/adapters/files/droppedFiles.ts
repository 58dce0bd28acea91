import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LogqsError, isAbort, toLogqsError } from '../../core/errors';
import type { TransferProgress } from '../../core/transfer';
import { throwIfAborted } from '../../core/transfer/retry';

/** A file dropped without a path (from the desktop into a browser-hosted editor): its name and bytes only. */
export interface DroppedFile {
  readonly name: string;
  data(): PromiseLike<Uint8Array>;
}

/**
 * Writes files dropped without a path to a temporary folder (a folder each:
 * two of one name, from two desktop folders, must not overwrite each other),
 * so that they upload as any other file does. Each is read whole into memory
 * first: the drop hands over nothing else. One the drop can't read (a folder
 * dragged from the desktop into a browser comes without its files) is
 * skipped, saying why; the rest go. Removed by `remove`; on a failure of the
 * disk or a cancel, before it throws.
 */
export async function stageDroppedFiles(
  files: readonly DroppedFile[],
  signal: AbortSignal,
  onProgress: (progress: TransferProgress) => void,
): Promise<{ paths: string[]; skipped: { path: string; reason: string }[]; remove: () => Promise<void> }> {
  const staging = await fs.mkdtemp(path.join(os.tmpdir(), 'logqs-drop-'));
  const remove = () => fs.rm(staging, { recursive: true, force: true });
  let current: DroppedFile | undefined;
  try {
    const paths: string[] = [];
    const skipped: { path: string; reason: string }[] = [];
    let bytesDone = 0;
    for (const [index, file] of files.entries()) {
      throwIfAborted(signal);
      current = file;
      const staged = path.join(staging, String(index), path.basename(file.name));
      await fs.mkdir(path.dirname(staged));
      const bytes = await Promise.resolve()
        .then(() => file.data())
        .catch((error: unknown) => {
          if (isAbort(error)) {
            throw error;
          }
          skipped.push({
            path: file.name,
            reason: `the drop couldn't be read (${(error as Error).message}); a folder dragged from the desktop into a browser comes without its files: drop the files themselves`,
          });
          return undefined;
        });
      if (!bytes) {
        continue;
      }
      throwIfAborted(signal);
      await fs.writeFile(staged, bytes, { signal });
      paths.push(staged);
      bytesDone += bytes.byteLength;
      onProgress({ filesDone: index + 1, filesTotal: files.length, bytesDone });
    }
    return { paths, skipped, remove };
  } catch (error) {
    await remove().catch(() => undefined);
    const problem = toLogqsError(error);
    // A read the editor's drop failed (the browser's file gone, say) is no bug: it is said with the file's name.
    throw problem.code === 'bug' ? new LogqsError('storage', `Couldn't read the dropped file "${current?.name}": ${(error as Error).message}`, { cause: error }) : problem;
  }
}
