import * as vscode from 'vscode';
import { type ConnectionSettings, settingsFromConfigFile, settingsFromEnvironment } from '../core/connections';

/**
 * LogQS settings found where the LogQS client itself looks: its LQS_*
 * environment variables and a logqs-config.json in the workspace. A file that
 * can't be read or parsed is simply not offered.
 */
export async function connectionHints(): Promise<{ label: string; settings: ConnectionSettings }[]> {
  const hints: { label: string; settings: ConnectionSettings }[] = [];
  const fromEnvironment = settingsFromEnvironment(process.env);
  if (fromEnvironment) {
    hints.push({ label: 'Use the LQS_* environment variables', settings: fromEnvironment });
  }
  for (const file of await vscode.workspace.findFiles('**/logqs-config.json', '**/node_modules/**', 5)) {
    try {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
      hints.push({ label: `Use ${vscode.workspace.asRelativePath(file)}`, settings: settingsFromConfigFile(text) });
    } catch {
      // Not offered: the person can still enter the settings.
    }
  }
  return hints;
}
