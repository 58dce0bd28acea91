import { installVscodeStub } from './vscodeStub';

/** Imported first by a unit test whose module imports `vscode`: `require('vscode')` then gives the stub. */
export const vscodeStub = installVscodeStub();
