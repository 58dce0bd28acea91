import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

/** In-editor checks: the real extension host, real SecretStorage, real commands. */
describe('LogQS Object Stores in VS Code', () => {
  const endpoint = process.env.LOGQS_S3_ENDPOINT ?? 'http://127.0.0.1:7480';
  /** Stores this suite created, deleted again at the end so the test profile is left as found. */
  const created: string[] = [];

  after(async () => {
    for (const id of created.splice(0)) {
      await vscode.commands.executeCommand('logqs.deleteObjectStore', { id });
    }
  });

  it('activates from its view and registers its commands', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.logqs');
    const extension = vscode.extensions.getExtension('logqs.logqs-object-stores');
    assert.ok(extension, 'the extension is not installed');
    await extension.activate();
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['logqs.addObjectStore', 'logqs.editObjectStore', 'logqs.deleteObjectStore', 'logqs.setDefaultObjectStore', 'logqs.refresh']) {
      assert.ok(commands.includes(id), `${id} is not registered`);
    }
  });

  // Its secret's deletion is checked in the unit suite: this host's SecretStorage is the extension's own, not the suite's.
  it('adds a store given as an object, refuses a duplicate name, and deletes it', async () => {
    const input = {
      name: `in-host-${Date.now()}`,
      bucket_name: 'logqs-sample',
      region_name: 'us-east-1',
      access_key_id: process.env.LOGQS_S3_ACCESS_KEY ?? 'TESTACCESSKEY',
      secret_access_key: process.env.LOGQS_S3_SECRET_KEY ?? 'TESTSECRETKEY123',
      endpoint_url: endpoint,
      key_prefix: 'logs/',
    };
    const id = await vscode.commands.executeCommand<string | undefined>('logqs.addObjectStore', input);
    assert.match(id ?? '', /^[0-9a-f-]{36}$/);
    created.push(id!);
    const again = await vscode.commands.executeCommand<string | undefined>('logqs.addObjectStore', input);
    assert.equal(again, undefined);

    await vscode.commands.executeCommand('logqs.deleteObjectStore', { id });
    created.splice(created.indexOf(id!), 1);
    // The name is free again: the record is gone.
    const readded = await vscode.commands.executeCommand<string | undefined>('logqs.addObjectStore', input);
    assert.match(readded ?? '', /^[0-9a-f-]{36}$/);
    created.push(readded!);
  });
});
