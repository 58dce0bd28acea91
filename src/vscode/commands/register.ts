import * as vscode from 'vscode';

export interface CommandSpec {
  id: string;
  /** Says what failed, as the first words of the error notification. */
  failure: string;
  run: (...args: unknown[]) => Promise<unknown>;
}

/** Every command body runs through here: one error path, one log line per failure. */
export function registerCommands(
  specs: readonly CommandSpec[],
  report: (action: string, error: unknown) => void,
): vscode.Disposable[] {
  return specs.map(({ id, failure, run }) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await run(...args);
      } catch (error) {
        report(failure, error);
        return undefined;
      }
    }),
  );
}
