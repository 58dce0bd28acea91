import type { StoreSources } from '../../core/sources';
import type { ObjectStoreTreeProvider } from '../explorer/provider';
import type { LogSink } from '../log';
import type { Ui } from '../ui';

/** What every command may use; each command takes the part it needs, so tests can hand it fakes. */
export interface CommandDeps {
  sources: StoreSources;
  tree: Pick<ObjectStoreTreeProvider, 'refresh' | 'loadMore'>;
  ui: Ui;
  log: LogSink;
  /** Shows and logs an error that happens after a command has settled (a background check). */
  report: (action: string, error: unknown) => void;
}

/** A plain object given to a command (from another extension or a test) rather than a tree node. */
export function isInputObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;
}
