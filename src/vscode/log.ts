import * as vscode from 'vscode';
import { toLogqsError } from '../core/errors';
import { redact } from '../core/redact';

/** The "LogQS" output channel; everything written to it is redacted first. */
export class Log implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel('LogQS', { log: true });

  info(message: string): void {
    this.channel.info(redact(message));
  }

  warn(message: string): void {
    this.channel.warn(redact(message));
  }

  error(message: string): void {
    this.channel.error(redact(message));
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}

function causeChain(error: unknown): string {
  const parts: string[] = [];
  for (let cause = (error as { cause?: unknown })?.cause, depth = 0; cause && depth < 4; depth++) {
    const { name, message, code } = cause as { name?: string; message?: string; code?: string };
    parts.push([name, code, message].filter(Boolean).join(' '));
    cause = (cause as { cause?: unknown }).cause;
  }
  return parts.length ? ` (cause: ${parts.join(' <- ')})` : '';
}

/**
 * The one place errors reach a person: a notification with the cause, the
 * details in the log, never a stack trace. Cancellation is silent. It doesn't
 * wait for the notification to be dismissed, so the failed command settles.
 */
export function reportError(log: Log, action: string, error: unknown): void {
  const problem = toLogqsError(error, 'Unexpected error');
  if (problem.code === 'cancelled') {
    log.info(`${action}: cancelled`);
    return;
  }
  log.error(`${action}: [${problem.code}] ${problem.message}${problem.detail ? ` | ${problem.detail}` : ''}${causeChain(problem)}`);
  void vscode.window.showErrorMessage(`${action}: ${problem.message}`, 'Show Log').then((choice) => {
    if (choice === 'Show Log') {
      log.show();
    }
  });
}
