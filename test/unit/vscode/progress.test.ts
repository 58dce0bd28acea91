import '../../support/vscodeStubInstalled';
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { runJob, stopJobs } from '../../../src/vscode/progress';

/** A job's notification as VS Code is asked to draw it: a number as `increment` makes the bar a determinate one. */
describe('job progress', () => {
  const original = vscode.window.withProgress;
  afterEach(() => {
    (vscode.window as { withProgress: unknown }).withProgress = original;
  });

  it('leaves the bar a moving one while no total is known, then moves it by what is done', async () => {
    const reports: { message?: string; increment?: number }[] = [];
    (vscode.window as { withProgress: unknown }).withProgress = (_options: unknown, task: (progress: unknown, token: unknown) => Promise<unknown>) =>
      task({ report: (value: { message?: string; increment?: number }) => reports.push(value) }, { onCancellationRequested: () => ({ dispose: () => undefined }) });
    await runJob('Downloading', async (_signal, report) => {
      report({ filesDone: 3, bytesDone: 100 });
      report({ filesDone: 3, filesTotal: 10, bytesDone: 300, bytesTotal: 1000 });
      report({ filesDone: 5, filesTotal: 10, bytesDone: 500, bytesTotal: 1000 });
    });
    assert.deepEqual(
      reports.map((value) => ('increment' in value ? value.increment : 'none')),
      ['none', 30, 20],
    );
  });

  it('cancels the jobs under way when the extension stops, and waits a while for them to undo what they began', async () => {
    (vscode.window as { withProgress: unknown }).withProgress = (_options: unknown, task: (progress: unknown, token: unknown) => Promise<unknown>) =>
      task({ report: () => undefined }, { onCancellationRequested: () => ({ dispose: () => undefined }) });
    const undone: string[] = [];
    // An upload whose Cancel aborts its multipart upload: that takes a moment after the signal.
    const upload = runJob('Uploading', (signal) =>
      new Promise((_resolve, reject) =>
        signal.addEventListener('abort', () => setTimeout(() => {
          undone.push('multipart upload aborted');
          reject(new Error('Cancelled'));
        }, 50)),
      ),
    );
    // A job that never ends is waited for only up to the time given.
    void runJob('Stuck', () => new Promise(() => undefined));
    const started = Date.now();
    await stopJobs(300);
    assert.deepEqual(undone, ['multipart upload aborted'], 'waited for the undoing');
    assert.ok(Date.now() - started < 1000, 'not for the stuck job beyond the time given');
    await assert.rejects(upload, /Cancelled/);
  });
});
