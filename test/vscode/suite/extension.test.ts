import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

/** In-editor checks: the real extension host, real SecretStorage, real commands. */
describe('LogQS Object Stores in VS Code', () => {
  const endpoint = process.env.LOGQS_S3_ENDPOINT ?? 'http://127.0.0.1:7480';

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

  it('adds a store given as an object and refuses a duplicate name', async () => {
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
    const again = await vscode.commands.executeCommand<string | undefined>('logqs.addObjectStore', input);
    assert.equal(again, undefined);
  });
});
