import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import Mocha from 'mocha';

/** Entry point VS Code's test host calls: runs every *.test.js beside this file. */
export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: true, timeout: 60_000 });
  const files = (await fs.readdir(__dirname)).filter((file) => file.endsWith('.test.js'));
  files.forEach((file) => mocha.addFile(path.join(__dirname, file)));
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} tests failed`)) : resolve()));
  });
}
