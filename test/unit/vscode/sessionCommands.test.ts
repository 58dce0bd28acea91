import * as assert from 'node:assert/strict';
import { getSessionCredentials, openSessionTerminal } from '../../../src/vscode/commands/sessionCommands';
import { StoreNode } from '../../../src/vscode/explorer/nodes';
import { code } from '../../support/assertions';
import { fakeCommandDeps } from '../../support/fakeCommandDeps';
import { memorySource, validInput } from '../../support/memoryPorts';

describe('session credential commands', () => {
  async function setupWithSource() {
    const { source } = memorySource();
    const store = await source.create(validInput({ name: 'robots', endpoint_url: 'http://127.0.0.1:7480', key_prefix: 'logs/' }));
    return { ...fakeCommandDeps([source]), node: new StoreNode(undefined, source, store), source };
  }
  const setup = setupWithSource;

  it('offers the ways to use the credentials, saying when they expire, and copies the one picked', async () => {
    const { deps, ui, node, info } = await setup();
    ui.pickLabel = 'Copy as Environment Variables (bash, zsh)';
    await getSessionCredentials(deps)(node);
    assert.match(ui.asked[0], /^pickOne: Session credentials for "robots" \(robot-logs\/logs\/\), valid until /);
    assert.match(ui.asked[0], /Open Terminal with Session Credentials.*\(fish\).*\(PowerShell\).*AWS CLI Profile.*boto3/);
    assert.match(ui.clipboard[0], /^export AWS_SESSION_TOKEN='FQoGtoken'$/m);
    assert.match(ui.told[0], /Copied session credentials for "robots"/);
    assert.ok(!info.join('\n').includes('FQoGtoken') && !info.join('\n').includes('tempSecret'), info.join('\n'));
  });

  it('from the palette, picks among enabled stores only and asks nothing else before the credentials', async () => {
    const { deps, ui, calls, source } = await setupWithSource();
    await source.create(validInput({ name: 'off', disabled: true }));
    ui.pickLabel = 'robots';
    await openSessionTerminal(deps)();
    assert.deepEqual(ui.asked, ['pickStore: Open Terminal with Session Credentials: which object store?: robots']);
    assert.ok(calls.includes('sessionCredentials robots'));
  });

  it('refuses a store disabled since its node was drawn, or named by id, before any credentials (a kept set included) are handed out', async () => {
    const { deps, calls, node, source, terminals } = await setup();
    await source.update(node.store.id, { disabled: true });
    await assert.rejects(openSessionTerminal(deps)(node), code('disabled'));
    await assert.rejects(getSessionCredentials(deps)({ id: node.store.id }), code('disabled'));
    assert.ok(!calls.some((call) => call.startsWith('sessionCredentials')), calls.join('\n'));
    assert.deepEqual(terminals, []);
  });

  it('promises no scope for a LogQS DataStore\'s credentials, which LogQS scopes (its read-only stores\' may write)', async () => {
    const { source: embedded } = memorySource();
    // The same source seen as a DataStore's (any source but the embedded one is).
    const dataStore = Object.create(embedded, { id: { value: 'logqs:datastore-1' } }) as typeof embedded;
    const store = await embedded.create(validInput({ name: 'robots', read_only: true }));
    const { deps, terminals } = fakeCommandDeps([dataStore]);
    await openSessionTerminal(deps)(new StoreNode(undefined, dataStore, store));
    assert.match(terminals[0].message, /\(robot-logs\/, as LogQS scopes them\)/);
    assert.doesNotMatch(terminals[0].message, /read-only/);
  });

  it('opens a terminal named after the store with the credentials in its environment only', async () => {
    const { deps, node, terminals, ui } = await setup();
    await openSessionTerminal(deps)(node);
    assert.equal(terminals.length, 1);
    assert.match(terminals[0].name, /^LogQS: robots \(until .+\)$/);
    assert.match(terminals[0].message, /Session credentials for "robots" \(robot-logs\/logs\/\) .* They expire at /);
    assert.deepEqual(terminals[0].environment, {
      AWS_ACCESS_KEY_ID: 'ASIATEMP',
      AWS_SECRET_ACCESS_KEY: 'tempSecret/xyz',
      AWS_SESSION_TOKEN: 'FQoGtoken',
      AWS_SECURITY_TOKEN: null,
      AWS_CREDENTIAL_EXPIRATION: '2026-11-25T13:00:00.000Z',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:7480',
      AWS_ENDPOINT_URL_S3: null,
      AWS_ENDPOINT_URL_STS: null,
      AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: null,
      AWS_USE_FIPS_ENDPOINT: 'false',
      AWS_USE_DUALSTACK_ENDPOINT: 'false',
      AWS_PROFILE: null,
      AWS_DEFAULT_PROFILE: null,
    });
    assert.deepEqual(ui.clipboard, []);
  });
});
