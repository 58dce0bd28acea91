import '../../support/vscodeStubInstalled';
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { runJob } from '../../../src/vscode/progress';

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
});
