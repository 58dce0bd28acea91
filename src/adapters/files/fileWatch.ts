import { mkdirSync, watch } from 'node:fs';
import * as path from 'node:path';

/**
 * Calls `onChange` when `file` is written or replaced (a temporary file renamed
 * over it, as writeJsonFile does), by this process or another, once things have
 * been quiet for `quietMs`: a save is a burst of events. The folder is watched,
 * not the file, which a rename replaces. Where watching is not possible (no
 * inotify left, say) nothing is called: a Refresh still reads the file.
 */
export function watchFile(file: string, onChange: () => void, quietMs = 250): { dispose(): void } {
  const name = path.basename(file);
  let timer: NodeJS.Timeout | undefined;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const watcher = watch(path.dirname(file), { persistent: false }, (_event, changed) => {
      // Some platforms don't say which file changed: any change may be it.
      if (changed !== null && changed !== name) {
        return;
      }
      clearTimeout(timer);
      timer = setTimeout(onChange, quietMs);
    });
    watcher.on('error', () => watcher.close());
    return {
      dispose: () => {
        clearTimeout(timer);
        watcher.close();
      },
    };
  } catch {
    return { dispose: () => undefined };
  }
}
