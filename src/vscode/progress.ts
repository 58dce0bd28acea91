import * as vscode from 'vscode';
import { describeProgress } from '../core/format';
import type { TransferProgress } from '../core/transfer';
import type { RunJob } from './ui';

/**
 * Runs a long job under one notification with a Cancel button. Cancel aborts
 * the job's AbortSignal, which stops every request at once. Progress comes
 * already throttled by the transfer engine; the bar moves by bytes when the
 * total is known, else by files.
 */
export const runJob: RunJob = (title, job) =>
  Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => controller.abort());
      let shownPercent = 0;
      const report = (update: TransferProgress) => {
        const fraction = fractionDone(update);
        if (fraction === undefined) {
          // No total yet (a folder still being listed): the bar stays the moving one, not a bar stuck at 0 %.
          progress.report({ message: describeProgress(update) });
          return;
        }
        const percent = fraction * 100;
        progress.report({ message: describeProgress(update), increment: Math.max(0, percent - shownPercent) });
        shownPercent = Math.max(shownPercent, percent);
      };
      const running = { controller, ended: job(controller.signal, report) };
      jobsRunning.add(running);
      try {
        return await running.ended;
      } finally {
        jobsRunning.delete(running);
        cancel.dispose();
      }
    }),
  );

/** The jobs under way: cancelled when the extension stops. */
const jobsRunning = new Set<{ controller: AbortController; ended: Promise<unknown> }>();

/**
 * Cancels every job under way and waits, up to `timeoutMs`, for each to
 * undo what it began, as a Cancel does: when the window closes or reloads
 * mid-transfer, a multipart upload is aborted (its parts would stay on the
 * server, billed and unlisted) and a download's temporary file removed.
 */
export async function stopJobs(timeoutMs: number): Promise<void> {
  const ended = [...jobsRunning].map((running) => {
    running.controller.abort();
    return running.ended.catch(() => undefined);
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(ended), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}

/** How much of the job is done, by bytes when their total is known, else by files; undefined while neither total is. */
function fractionDone(update: TransferProgress): number | undefined {
  if (update.bytesTotal) {
    return Math.min(1, update.bytesDone / update.bytesTotal);
  }
  if (update.filesTotal) {
    return Math.min(1, update.filesDone / update.filesTotal);
  }
  return undefined;
}
