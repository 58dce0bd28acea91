import { reportFor } from '../../core/errors';
import type { CommandDeps } from './deps';

/**
 * Shows `key` in the Object Stores view after `action` did its work. A reveal
 * that fails (the folder listed again meanwhile, a later page that can't be
 * listed) is logged: it must not stand in for the action's result ("Couldn't
 * upload" just after "Uploaded 3 files").
 */
export function revealAfter(
  deps: Pick<CommandDeps, 'editor' | 'log'>,
  action: string,
  storeNodeId: string,
  key: string,
  options?: { loadPages?: boolean },
): Promise<void> {
  return deps.editor
    .revealKey(storeNodeId, key, options)
    .catch((error: unknown) => deps.log.warn(reportFor(`${action} couldn't show "${key}" in the Object Stores view`, error).logLine));
}
