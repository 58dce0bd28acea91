import * as assert from 'node:assert/strict';
import { z } from 'zod';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LogqsClient, apiBaseUrl, apiError, bearer, encodeKeyPath, parseAnswer } from '../../../src/adapters/logqs/logqsClient';
import { apiDate, apiObjectStoreSchema, toObjectStore } from '../../../src/adapters/logqs/logqsSchemas';
import { settingsFromConfigFile, settingsFromEnvironment } from '../../../src/core/connections';
import { redact } from '../../../src/core/redact';
import { LogqsError } from '../../../src/core/errors';

describe('LogQS API client, pure parts', () => {
  it('builds the base URL as the reference says', () => {
    assert.equal(apiBaseUrl({ apiUrl: 'https://api.logqs.com', apiEndpointPrefix: '/apps', datastoreId: 'ds-1' }), 'https://api.logqs.com/apps/lqs/ds-1/api/');
    assert.equal(apiBaseUrl({ apiUrl: 'http://127.0.0.1:9/', apiEndpointPrefix: 'apps/', datastoreId: 'x' }), 'http://127.0.0.1:9/apps/lqs/x/api/');
    assert.equal(apiBaseUrl({ apiUrl: 'http://h', apiEndpointPrefix: '', datastoreId: 'x' }), 'http://h/lqs/x/api/');
  });

  it('encodes keys as Python\'s urllib.parse.quote does: "/" kept, all else but unreserved encoded', () => {
    assert.equal(encodeKeyPath('logs/a b+c%d é.bag'), 'logs/a%20b%2Bc%25d%20%C3%A9.bag');
    assert.equal(encodeKeyPath("x/(1)!*'~_.-"), 'x/%281%29%21%2A%27~_.-');
    assert.equal(encodeKeyPath('日本/データ?#'), '%E6%97%A5%E6%9C%AC/%E3%83%87%E3%83%BC%E3%82%BF%3F%23');
  });

  it('authenticates with Bearer base64("id:secret"), which redact() scrubs', () => {
    const header = bearer('key-id', 'key-secret');
    assert.equal(header, `Bearer ${Buffer.from('key-id:key-secret').toString('base64')}`);
    assert.ok(!redact(`Authorization: ${header}`).includes(Buffer.from('key-id:key-secret').toString('base64')));
    assert.equal(redact(`the token ${header} may not`), 'the token Bearer <redacted> may not');
  });

  it('turns statuses into the one error type with what they mean', () => {
    const cases: [number, string, RegExp][] = [
      [401, 'auth', /API key was refused/],
      [403, 'forbidden', /may not/],
      [404, 'not-found', /No such object store/],
      [409, 'conflict', /conflicts with the state of the DataStore: the API says why/],
      [408, 'unreachable', /did not answer in time/],
      [413, 'too-large', /as too large/],
      [429, 'remote', /limiting its requests/],
      [423, 'locked', /locked/],
      [503, 'remote', /HTTP 503/],
      [400, 'invalid-input', /refused/],
    ];
    for (const [status, code, message] of cases) {
      const error = apiError(status, 'the API says why', 'fetch the object store', 'the DataStore');
      assert.equal(error.code, code, String(status));
      assert.match(error.message, message, String(status));
      assert.equal(error.status, status);
    }
  });

  it('says a 409 is a name already taken only when the request sent a name', () => {
    assert.match(apiError(409, undefined, 'create the object store "x"', 'the DataStore', true).message, /^That name is already taken/);
    assert.equal(apiError(409, undefined, 'create the object store "x"', 'the DataStore', true).field, 'name');
    assert.match(apiError(409, 'used by 3 ingestions', 'delete the object store "x"', 'the DataStore').message, /^Can't delete the object store "x": it conflicts .*used by 3 ingestions/);
  });

  it('says a 404 to the list of stores means the DataStore or the address, even when the API gives no message', () => {
    // A wrong endpoint prefix or DataStore ID: the route of the collection itself is unknown.
    const error = apiError(404, undefined, 'list the object stores', 'the LogQS DataStore ds-1 at https://logqs.example.com');
    assert.equal(error.code, 'not-found');
    assert.equal(error.message, 'Not found: the LogQS DataStore ds-1 at https://logqs.example.com (check the API URL, its endpoint prefix and the DataStore ID)');
  });

  it('says what could not be done when LogQS answers 423 (locked), as a sentence', () => {
    const error = apiError(423, 'Object store is locked', 'list the objects of "robots"', 'the DataStore');
    assert.equal(error.code, 'locked');
    assert.equal(error.message, 'Can\'t list the objects of "robots": it is locked in LogQS: Object store is locked');
  });

  it('says "no such object store" only of the store\'s own requests, whatever the store or key is called', () => {
    assert.match(apiError(404, undefined, 'delete the object store "logs"', 'the DataStore').message, /^No such object store/);
    assert.match(apiError(404, undefined, 'make "logs" the default object store', 'the DataStore').message, /^No such object store/);
    const object = apiError(404, undefined, 'fetch "the object store notes.txt" from "Main object store"', 'the DataStore');
    assert.equal(object.message, 'Not found: fetch "the object store notes.txt" from "Main object store"');
  });

  it('parses answers with a schema, naming the field that is wrong and quoting nothing', () => {
    const schema = z.object({ data: z.object({ size: z.number() }) });
    assert.deepEqual(parseAnswer(schema, '{"data":{"size":3}}', 'fetch'), { data: { size: 3 } });
    assert.throws(() => parseAnswer(schema, '{"data":{}}', 'fetch'), /without a valid data\.size \(missing\)/);
    assert.throws(() => parseAnswer(schema, '{"data":{"size":"3"}}', 'fetch'), /data\.size \(not a number\)/);
    assert.throws(() => parseAnswer(schema, '{"secret_access_key": s3cr3t}', 'fetch'), (error: Error) => /not valid JSON at line 1, column 23/.test(error.message) && !error.message.includes('s3cr3t'));
  });

  it('says in words what is wrong with an answer that is not the shape asked for, the whole answer included', () => {
    const schema = z.object({ data: z.array(z.object({ size: z.number() })) });
    assert.throws(() => parseAnswer(schema, '[]', 'list the object stores'), { message: 'The LogQS API answered list the object stores with something that is not an object' });
    assert.throws(() => parseAnswer(schema, 'null', 'list the object stores'), { message: 'The LogQS API answered list the object stores with something that is not an object' });
    assert.throws(() => parseAnswer(schema, '{"data":{}}', 'list the object stores'), { message: 'The LogQS API answered list the object stores without a valid data (not an array)' });
  });

  it('accepts the object stores LogQS sends, nulls and Python timestamps included', () => {
    const record = apiObjectStoreSchema.parse({
      id: '8a1f6a0e-6b8e-4d1c-9a56-2f3b9d1e7c11', name: 'managed', bucket_name: 'Legacy_Bucket', region_name: null, access_key_id: null,
      endpoint_url: null, key_prefix: null, default: false, managed: true, disabled: false, read_only: true, note: null, context: null,
      created_at: '2026-11-01T10:00:00.123456', updated_at: null, timestamp: '2026-11-01T10:00:00.123456+00:00', deleted_at: null,
      created_by: null, updated_by: null, deleted_by: null,
    });
    const store = toObjectStore(record);
    assert.equal(store.region_name, 'us-east-1');
    assert.equal(store.access_key_id, '');
    assert.equal(store.created_at, '2026-11-01T10:00:00.123Z');
    assert.equal(store.updated_at, store.created_at);
    assert.equal(apiDate('2026-11-01T10:00:00+02:00').toISOString(), '2026-11-01T08:00:00.000Z');
  });

  it('leaves out a LogQS record whose text fields hold line breaks or other control characters, which would reach copied profiles and snippets', () => {
    const good = {
      id: '8a1f6a0e-6b8e-4d1c-9a56-2f3b9d1e7c11', name: 'shared', bucket_name: 'robot-logs', region_name: 'us-east-1', access_key_id: 'AKIA',
      endpoint_url: 'http://127.0.0.1:7480', key_prefix: 'logs/', default: false, managed: false, disabled: false, read_only: false, note: null, context: null,
      created_at: '2026-11-01T10:00:00', updated_at: null,
    };
    assert.equal(apiObjectStoreSchema.safeParse(good).success, true);
    for (const [field, value] of [
      ['endpoint_url', 'http://127.0.0.1:7480/\n[default]\ncredential_process = touch /tmp/owned'],
      ['region_name', 'us-east-1\n[default]'],
      ['bucket_name', 'robot-logs\r\nx'],
      ['key_prefix', 'logs/\n# x'],
    ]) {
      assert.equal(apiObjectStoreSchema.safeParse({ ...good, [field]: value }).success, false, field);
    }
  });

  it('reads the LogQS client\'s settings from its environment variables and config file', () => {
    assert.equal(settingsFromEnvironment({ PATH: '/bin' }), undefined);
    assert.deepEqual(settingsFromEnvironment({ LQS_API_KEY_ID: ' id ', LQS_API_KEY_SECRET: 's', LQS_DATASTORE_ID: 'ds', LQS_API_URL: 'http://x' }), {
      apiUrl: 'http://x', apiEndpointPrefix: undefined, datastoreId: 'ds', apiKeyId: 'id', apiKeySecret: 's',
    });
    assert.deepEqual(settingsFromConfigFile('{"api_key_id": "id", "api_key_secret": "s", "datastore_id": "ds", "api_endpoint_prefix": ""}'), {
      apiUrl: undefined, apiEndpointPrefix: '', datastoreId: 'ds', apiKeyId: 'id', apiKeySecret: 's',
    });
    assert.throws(() => settingsFromConfigFile('{"api_key_secret": oops}'), (error: Error) => /line 1, column 20/.test(error.message) && !error.message.includes('oops'));
  });

  it('takes the timeout setting as it is at each request: a change holds without a reload', async () => {
    // A stand-in for the API that answers every request late.
    const server = http.createServer((_request, response) => setTimeout(() => response.end('{"data": {}}'), 150));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      let timeoutMs = 30;
      const endpoint = { apiUrl: `http://127.0.0.1:${port}`, apiEndpointPrefix: '', datastoreId: 'ds', apiKeyId: 'id', apiKeySecret: async () => 'secret' };
      const client = new LogqsClient(endpoint, { timeoutMs: () => timeoutMs, retries: 0 });
      const answer = z.object({ data: z.object({}) });
      await assert.rejects(client.get('objectStores/x', answer, 'fetch the object store'), /did not answer in time/);
      timeoutMs = 5000;
      assert.deepEqual(await client.get('objectStores/x', answer, 'fetch the object store'), { data: {} });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
  it('scrubs from the API\'s error message any echo of a secret the request sent, or of the API key secret, fragments too', async () => {
    const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const API_SECRET = 'lqs-api-key-secret-0123456789';
    // A stand-in for the API that quotes, its own way, what it refused: the secret truncated, and the API key secret.
    const server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const sent = JSON.parse(body) as { secret_access_key: string };
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: `bad store: input_value='${sent.secret_access_key.slice(0, 17)}...${sent.secret_access_key.slice(-9)}' for key ${API_SECRET.slice(4, 20)}` }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const endpoint = { apiUrl: `http://127.0.0.1:${port}`, apiEndpointPrefix: '', datastoreId: 'ds', apiKeyId: 'id', apiKeySecret: async () => API_SECRET };
      const client = new LogqsClient(endpoint, { timeoutMs: () => 5000, retries: 0 });
      const error = await client.post('objectStores', { name: 'robots', secret_access_key: SECRET }, z.object({}), 'create the object store "robots"').then(
        () => assert.fail('refused'),
        (refused: Error) => refused,
      );
      assert.match(error.message, /refused create the object store "robots": bad store: input_value='<redacted>\.\.\.<redacted>' for key <redacted>/);
      for (const secret of [SECRET, API_SECRET]) {
        for (let at = 0; at + 6 <= secret.length; at++) {
          assert.ok(!error.message.includes(secret.slice(at, at + 6)), `"${secret.slice(at, at + 6)}" left in: ${error.message}`);
        }
      }
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('scrubs a secret from a long error message before cutting it, so no fragment is left at the cut', async () => {
    const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    // The secret begins 5 characters before the 500 shown: cut first, those 5 would be too few to recognise.
    const server = http.createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `${'x'.repeat(495)}${SECRET}` })));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const endpoint = { apiUrl: `http://127.0.0.1:${port}`, apiEndpointPrefix: '', datastoreId: 'ds', apiKeyId: 'id', apiKeySecret: async () => 'api-key-secret' };
      const client = new LogqsClient(endpoint, { timeoutMs: () => 5000, retries: 0 });
      const error = await client.post('objectStores', { name: 'robots', secret_access_key: SECRET }, z.object({}), 'create the object store "robots"').then(
        () => assert.fail('refused'),
        (refused: Error) => refused,
      );
      assert.match(error.message, /x{495}<red/);
      assert.ok(!error.message.includes(SECRET.slice(0, 5)), error.message.slice(-40));
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('scrubs the API key as sent (base64 of "id:secret") from an error message that echoes it, with or without "Bearer"', async () => {
    const server = http.createServer((request, response) => {
      const token = (request.headers.authorization ?? '').replace(/^Bearer /, '');
      response.writeHead(403, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: `token ${token} may not; Bearer ${token}` }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const endpoint = { apiUrl: `http://127.0.0.1:${port}`, apiEndpointPrefix: '', datastoreId: 'ds', apiKeyId: 'key-id-1', apiKeySecret: async () => 'the-api-key-secret' };
      const client = new LogqsClient(endpoint, { timeoutMs: () => 5000, retries: 0 });
      const error = await client.get('objectStores', z.object({}), 'list the object stores').then(
        () => assert.fail('refused'),
        (refused: LogqsError) => refused,
      );
      const token = Buffer.from('key-id-1:the-api-key-secret').toString('base64');
      for (const text of [error.message, error.detail ?? '']) {
        assert.match(text, /may not/);
        for (let at = 0; at + 6 <= token.length; at++) {
          assert.ok(!text.includes(token.slice(at, at + 6)), `"${token.slice(at, at + 6)}" left in: ${text}`);
        }
      }
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('takes a 404 to a retried DELETE as the first try\'s success, and a first 404 as no such store', async () => {
    let asked = 0;
    const statuses = [504, 404, 404];
    const server = http.createServer((_request, response) => {
      response.writeHead(statuses[asked++] ?? 500, { 'content-type': 'application/json' });
      response.end('{"message": "gone"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const endpoint = { apiUrl: `http://127.0.0.1:${port}`, apiEndpointPrefix: '', datastoreId: 'ds', apiKeyId: 'id', apiKeySecret: async () => 'secret' };
      const client = new LogqsClient(endpoint, { timeoutMs: () => 5000, retries: 2 });
      await client.delete('objectStores/x', 'delete the object store "x"');
      assert.equal(asked, 2);
      await assert.rejects(client.delete('objectStores/x', 'delete the object store "x"'), (error: unknown) => LogqsError.is(error, 'not-found'));
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('retries every 5xx a proxy in front of the API may answer (a CDN\'s 522, 524), not only 500, 502, 503 and 504', async () => {
    const statuses = [522, 524];
    let asked = 0;
    const server = http.createServer((_request, response) => {
      const status = statuses[asked++];
      response.writeHead(status ?? 200, { 'content-type': 'application/json' });
      response.end(status ? '{"message": "origin timed out"}' : '{"data": {}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const endpoint = { apiUrl: `http://127.0.0.1:${port}`, apiEndpointPrefix: '', datastoreId: 'ds', apiKeyId: 'id', apiKeySecret: async () => 'secret' };
      const client = new LogqsClient(endpoint, { timeoutMs: () => 5000, retries: 2 });
      assert.deepEqual(await client.get('objectStores/x', z.object({ data: z.object({}) }), 'fetch the object store'), { data: {} });
      assert.equal(asked, 3);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
