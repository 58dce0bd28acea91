import { FolderNode, LoadMoreNode, StoreNode } from '../explorer/nodes';
import type { CommandDeps } from './deps';

/** Commands of the view itself: redraw, next page. */

export const refresh = (deps: Pick<CommandDeps, 'tree'>) => async (arg?: unknown) => {
  deps.tree.refresh(arg instanceof StoreNode || arg instanceof FolderNode ? arg : undefined);
};

export const loadMore = (deps: Pick<CommandDeps, 'tree'>) => async (arg?: unknown) => {
  if (arg instanceof LoadMoreNode) {
    await deps.tree.loadMore(arg);
  }
};
