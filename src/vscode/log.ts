import * as vscode from 'vscode';
import { reportFor } from '../core/errors';
import { redact } from '../core/redact';

/** What the core and commands write to: the "LogQS" output channel, or a test's list. */
export interface LogSink {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Brings the log into view. */
  show(): void;
}

/** The "LogQS" output channel; everything written to it is redacted first. */
export class Log implements LogSink, vscode.Disposable {
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

/**
 * The one place errors reach a person: a notification with the cause, the
 * details in the log, both redacted, never a stack trace. Cancellation is
 * silent. It doesn't wait for the notification to be dismissed, so the
 * failed command settles.
 */
export function reportError(log: Log, action: string, error: unknown): void {
  const { notification, logLine } = reportFor(action, error);
  if (notification === undefined) {
    log.info(logLine);
    return;
  }
  log.error(logLine);
  void vscode.window.showErrorMessage(notification, 'Show Log').then((choice) => {
    if (choice === 'Show Log') {
      log.show();
    }
  });
}
