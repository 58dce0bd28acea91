import type { TransferProgress } from './types';

/** Rate is measured over this window, so it follows the transfer's pace rather than its average. */
const RATE_WINDOW_MS = 3000;

/**
 * Counts one job's files and bytes and passes them on at most once per
 * interval (a progress notification can't show more), plus once at the end.
 */
export class ProgressMeter {
  private readonly progress: TransferProgress = { filesDone: 0, bytesDone: 0 };
  private totals = { files: 0, bytes: 0 };
  private totalsKnown = true;
  private readonly samples: { at: number; bytes: number }[] = [];
  private lastEmit = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly onProgress: (progress: TransferProgress) => void,
    private readonly options: { intervalMs: number; now: () => number } = { intervalMs: 250, now: Date.now },
  ) {}

  addBytes(count: number): void {
    this.progress.bytesDone += count;
    this.emit(false);
  }

  /** Bytes of the job not done after all (a retry that will fetch them again, a skipped file). */
  removeBytes(count: number): void {
    this.progress.bytesDone -= count;
  }

  addTotal(files: number, bytes: number): void {
    this.totals = { files: this.totals.files + files, bytes: this.totals.bytes + bytes };
  }

  /** Files of the job that won't be transferred after all (skipped): else the bar would end short of full, the time left too long. */
  removeTotal(files: number, bytes: number): void {
    this.addTotal(-files, -bytes);
  }

  /** For jobs whose totals are learnt as they are listed: until then, no total is shown. */
  setTotalsKnown(known: boolean): void {
    this.totalsKnown = known;
  }

  fileDone(): void {
    this.progress.filesDone++;
    this.emit(false);
  }

  /** Passes the final counts on, whatever the interval. */
  finish(): void {
    this.emit(true);
  }

  snapshot(): TransferProgress {
    return this.totalsKnown ? { ...this.progress, filesTotal: this.totals.files, bytesTotal: this.totals.bytes } : { ...this.progress };
  }

  private emit(force: boolean): void {
    const now = this.options.now();
    if (!force && now - this.lastEmit < this.options.intervalMs) {
      return;
    }
    this.lastEmit = now;
    // Sampled when reported, not for every chunk: a few samples a second measure the rate as well.
    this.samples.push({ at: now, bytes: this.progress.bytesDone });
    while (this.samples.length > 2 && this.samples[0].at < now - RATE_WINDOW_MS) {
      this.samples.shift();
    }
    const first = this.samples[0];
    const seconds = (now - first.at) / 1000;
    const bytesPerSecond = seconds > 0.2 ? (this.progress.bytesDone - first.bytes) / seconds : undefined;
    this.onProgress({ ...this.snapshot(), bytesPerSecond });
  }
}
