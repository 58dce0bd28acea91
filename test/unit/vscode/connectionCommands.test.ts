import * as assert from 'node:assert/strict';
import type { ObjectStoreSource } from '../../../src/core/ports';
import { connectToLogqs, disconnectFromLogqs } from '../../../src/vscode/commands/connectionCommands';
import { SourceNode } from '../../../src/vscode/explorer/nodes';
import { fakeCommandDeps } from '../../support/fakeCommandDeps';
import { memorySource } from '../../support/memoryPorts';

describe('connection commands', () => {
  it('asks for every setting when none is found, the secret in a password box', async () => {
    const { deps, ui, calls } = fakeCommandDeps([memorySource().source]);
    const asked: { prompt: string; password?: boolean }[] = [];
    const answers = ['https://api.logqs.com', '11111111-2222-4333-8444-555555555555', 'key-id', 'key-secret', 'Robots'];
    ui.askText = async (request) => {
      asked.push({ prompt: request.prompt, password: request.password });
      return answers.shift()!;
    };
    await connectToLogqs(deps)();
    assert.deepEqual(asked.map((question) => question.password ?? false), [false, false, false, true, false]);
    assert.match(asked[3].prompt, /secret, sent to https:\/\/api\.logqs\.com:/, 'says where the secret goes');
    assert.ok(calls.includes('connect {"apiUrl":"https://api.logqs.com","datastoreId":"11111111-2222-4333-8444-555555555555","apiKeyId":"key-id","apiKeySecret":"<given>","name":"Robots"}'), calls.join('\n'));
    assert.match(ui.told[0], /Connected to the LogQS DataStore "Robots"/);
  });

  it('offers the settings found in the environment, and asks only for what they lack', async () => {
    const { deps, ui, calls, state } = fakeCommandDeps([memorySource().source]);
    state.hints = [{ label: 'Use the LQS_* environment variables', settings: { datastoreId: 'ds-1', apiKeyId: 'env-id', apiKeySecret: 'env-secret' } }];
    ui.pickLabel = 'Use the LQS_* environment variables';
    const prompts: string[] = [];
    ui.askText = async (request) => {
      prompts.push(request.prompt);
      return request.value ?? 'x';
    };
    await connectToLogqs(deps)();
    assert.deepEqual(prompts.map((prompt) => prompt.split(' ')[0]), ['API', 'Name']);
    assert.ok(calls.some((call) => call.startsWith('connect ') && call.includes('"datastoreId":"ds-1"') && call.includes('"name":"LogQS ds-1"')), calls.join('\n'));
  });

  it('shows the server a workspace\'s settings would send the secret to, and names it when asking for the secret', async () => {
    const { deps, ui, state } = fakeCommandDeps([memorySource().source]);
    state.hints = [{ label: 'Use logqs-config.json', settings: { apiUrl: 'https://logqs.example.net', datastoreId: 'ds-1', apiKeyId: 'id' } }];
    ui.pickLabel = 'Use logqs-config.json';
    const prompts: string[] = [];
    ui.askText = async (request) => {
      prompts.push(request.prompt);
      return request.value ?? 'a-secret-value';
    };
    const described: string[] = [];
    const pick = ui.pickOne.bind(ui);
    ui.pickOne = async (title, choices) => {
      described.push(...choices.map((choice) => choice.description ?? ''));
      return pick(title, choices);
    };
    await connectToLogqs(deps)();
    assert.equal(described[0], 'DataStore ds-1 at https://logqs.example.net');
    assert.match(prompts[0], /^API key secret, sent to https:\/\/logqs\.example\.net:/);
  });

  it('disconnects a DataStore after asking, never the embedded store', async () => {
    const embedded = memorySource().source;
    const logqs = { id: 'logqs:abc', label: 'Robots', onDidChange: () => ({ dispose: () => undefined }) } as unknown as ObjectStoreSource;
    const { deps, ui, calls } = fakeCommandDeps([embedded, logqs]);
    ui.confirmAnswer = false;
    await disconnectFromLogqs(deps)(new SourceNode(logqs));
    assert.ok(!calls.some((call) => call.startsWith('disconnect')));
    ui.confirmAnswer = true;
    await disconnectFromLogqs(deps)(new SourceNode(logqs));
    assert.ok(calls.includes('disconnect logqs:abc'));
    await assert.rejects(disconnectFromLogqs(deps)(new SourceNode(embedded)), /not a connected LogQS DataStore/);
  });

  it('disconnects a DataStore a script names by id without asking, and asks about one picked for an argument that names none', async () => {
    const logqs = { id: 'logqs:abc', label: 'Robots', onDidChange: () => ({ dispose: () => undefined }) } as unknown as ObjectStoreSource;
    const { deps, ui, calls } = fakeCommandDeps([memorySource().source, logqs]);
    ui.confirmAnswer = false;
    ui.pickLabel = 'Robots';
    await disconnectFromLogqs(deps)({});
    assert.ok(ui.asked.some((question) => question.startsWith('pickSource')) && ui.asked.some((question) => question.startsWith('confirm')), ui.asked.join('\n'));
    assert.ok(!calls.some((call) => call.startsWith('disconnect')), 'picked, then declined: still connected');
    await disconnectFromLogqs(deps)({ id: 'logqs:abc' });
    assert.ok(calls.includes('disconnect logqs:abc'));
    await assert.rejects(disconnectFromLogqs(deps)({ id: 'embedded' }), /not a connected LogQS DataStore/);
  });
});
