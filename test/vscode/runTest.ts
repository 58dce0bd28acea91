import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

/**
 * Runs the in-editor suite in a downloaded VS Code (`npm run test:vscode`).
 * Machines that can't download VS Code run the end-to-end tests in
 * code-server instead (scripts/test-all.sh).
 */
async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../../..');
  try {
    await runTests({
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(__dirname, 'suite', 'index'),
      launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
      extensionTestsEnv: { ...process.env },
    });
  } catch (error) {
    console.error('VS Code tests failed:', error instanceof Error ? error.message : error);
    process.exit(1);
  }
}

void main();
