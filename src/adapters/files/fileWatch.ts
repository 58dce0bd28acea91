import { mkdirSync, watch } from 'node:fs';
import * as path from 'node:path';

/**
 * Calls `onChange` when `file` is written or replaced (a temporary file renamed
 * over it, as writeJsonFile does), by this process or another, once things have
 * been quiet for `quietMs`: a save is a burst of events. The folder is watched,
 * not the file, which a rename replaces; `makeFolder`: a folder not there yet
 * is made (the extension's own), else nothing is watched. Where watching is
 * not possible (no inotify left, say) nothing is called: a Refresh still
 * reads the file.
 */
export function watchFile(file: string, onChange: () => void, { quietMs = 250, makeFolder = true } = {}): { dispose(): void } {
  const name = path.basename(file);
  let timer: NodeJS.Timeout | undefined;
  try {
    if (makeFolder) {
      mkdirSync(path.dirname(file), { recursive: true });
    }
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

/**
 * Watches the file a setting names now (none when it names none), and the
 * one it names next once told to `follow` (the setting changed). Its folder
 * is never made: it is somebody else's (an administrator's provisioning file).
 */
export function watchFileNamed(currentFile: () => string | undefined, onChange: () => void, quietMs?: number): { follow(): void; dispose(): void } {
  let watched: string | undefined;
  let watcher: { dispose(): void } | undefined;
  const follow = () => {
    const file = currentFile();
    if (file === watched) {
      return;
    }
    watcher?.dispose();
    watched = file;
    watcher = file === undefined ? undefined : watchFile(path.resolve(file), onChange, { quietMs, makeFolder: false });
  };
  follow();
  return { follow, dispose: () => watcher?.dispose() };
}
