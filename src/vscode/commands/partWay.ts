import { LogqsError, isAbort, toLogqsError } from '../../core/errors';
import type { TransferProgress } from '../../core/transfer';
import type { RunJob, Ui } from '../ui';

/**
 * A job cancelled or failed after part of it was done, which stays done (objects deleted, files sent or written):
 * `done` says how much, in a message of its own after a cancel (a cancel is otherwise said by nothing), in the error
 * after a failure. Returns what to throw.
 */
export function stoppedPartWay(error: unknown, job: string, done: string, ui: Pick<Ui, 'info'>): unknown {
  if (isAbort(error)) {
    ui.info(`${job} cancelled: ${done}.`);
    return error;
  }
  const problem = toLogqsError(error);
  return new LogqsError(problem.code, `${problem.message} (${done})`, { cause: error, status: problem.status, detail: problem.detail });
}

/** "3 of 10 files", "3 files" while the total is unknown; the total is never less than what was done. */
export function countSaid(done: number, total: number | undefined, unit: string): string {
  const of = total === undefined ? undefined : Math.max(total, done);
  const plural = (of ?? done) === 1 ? unit : `${unit}s`;
  return of === undefined ? `${done} ${plural}` : `${done} of ${of} ${plural}`;
}

/**
 * A transfer of files under runJob; stopped part way, it says how many files it had done (`done`: "uploaded to …"),
 * from the last progress it reported.
 */
export async function runFileJob<T>(
  deps: { runJob: RunJob; ui: Pick<Ui, 'info'> },
  title: string,
  job: string,
  done: string,
  work: (signal: AbortSignal, report: (progress: TransferProgress) => void) => Promise<T>,
): Promise<T> {
  let last: TransferProgress | undefined;
  try {
    return await deps.runJob(title, (signal, report) =>
      work(signal, (progress) => {
        last = progress;
        report(progress);
      }),
    );
  } catch (error) {
    throw last?.filesDone ? stoppedPartWay(error, job, `${countSaid(last.filesDone, last.filesTotal, 'file')} had been ${done}`, deps.ui) : error;
  }
}
