import { isAbort } from './errors';

/** Runs `run` after `ms`; the function returned cancels it. Injectable so tests drive time themselves. */
export type ScheduleFn = (run: () => void, ms: number) => () => void;

export const realTimers: ScheduleFn = (run, ms) => {
  const handle = setTimeout(run, ms);
  return () => clearTimeout(handle);
};

export interface SearchPage {
  nextContinuationToken?: string;
}

export interface PrefixSearchDeps<Page extends SearchPage> {
  /** One page of what starts with `text`; must stop when `signal` aborts. */
  fetchPage(text: string, continuationToken: string | undefined, signal: AbortSignal): Promise<Page>;
  /** The pages of `text` so far: called only with results of the latest text, never a stale one. */
  onResults(text: string, pages: readonly Page[]): void;
  onBusy(busy: boolean): void;
  onError(text: string, error: unknown): void;
  /** Quiet time after a keystroke before a request is sent. */
  delayMs: number;
  schedule?: ScheduleFn;
}

/**
 * Find-as-you-type against a server: a keystroke waits `delayMs` for the next
 * one, and a newer keystroke aborts the request of an older one (its answer,
 * should it still arrive, is dropped), so the list only ever shows the latest
 * text's results. Pages come one at a time; more() asks for the next.
 */
export class PrefixSearch<Page extends SearchPage> {
  private text: string | undefined;
  /** The text whose results (or error) were given last: the list shows them until the next text's come. */
  private answered: string | undefined;
  private pages: Page[] = [];
  private cancelTimer?: () => void;
  private running?: AbortController;
  private readonly schedule: ScheduleFn;

  constructor(private readonly deps: PrefixSearchDeps<Page>) {
    this.schedule = deps.schedule ?? realTimers;
  }

  /** The text the person typed; searched once they pause. Typing the current text again does nothing. */
  type(text: string): void {
    if (text === this.text) {
      return;
    }
    this.restart(text);
    // Busy from the keystroke: the results still shown are an older text's.
    this.deps.onBusy(true);
    this.cancelTimer = this.schedule(() => {
      this.cancelTimer = undefined;
      void this.fetch(text, undefined);
    }, this.deps.delayMs);
  }

  /** Searches at once (the first list, a folder picked to narrow the search). */
  searchNow(text: string): void {
    this.restart(text);
    void this.fetch(text, undefined);
  }

  /** Whether the results given last are `text`'s, and it is the text being searched: not an older text's, still shown while it waits. */
  shows(text: string): boolean {
    return this.text === text && this.answered === text;
  }

  /** The next page of the current text, unless a request is under way or there is none. */
  more(): void {
    const token = this.pages.at(-1)?.nextContinuationToken;
    if (this.text !== undefined && token && !this.running && !this.cancelTimer) {
      void this.fetch(this.text, token);
    }
  }

  dispose(): void {
    this.restart(undefined);
  }

  private restart(text: string | undefined): void {
    this.text = text;
    this.pages = [];
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.running?.abort();
    // Its end is not the end of being busy: the new text's search is still to come.
    this.running = undefined;
  }

  private async fetch(text: string, continuationToken: string | undefined): Promise<void> {
    const controller = new AbortController();
    this.running = controller;
    this.deps.onBusy(true);
    try {
      const page = await this.deps.fetchPage(text, continuationToken, controller.signal);
      // A newer keystroke aborted this request; its answer would be stale.
      if (!controller.signal.aborted) {
        this.pages = [...this.pages, page];
        this.answered = text;
        this.deps.onResults(text, this.pages);
      }
    } catch (error) {
      if (!controller.signal.aborted && !isAbort(error)) {
        this.answered = text;
        this.deps.onError(text, error);
      }
    } finally {
      if (this.running === controller) {
        this.running = undefined;
        this.deps.onBusy(false);
      }
    }
  }
}
