import * as assert from 'node:assert/strict';
import { LogqsError } from '../../../src/core/errors';
import { scopeKey } from '../../../src/core/keyPrefix';
import {
  EDITABLE_FIELDS,
  objectStoreCreateSchema,
  objectStoreSchema,
  parseContextJson,
  parseInput,
  parseObjectStoreUpdate,
  validateField,
} from '../../../src/core/objectStore';
import { storeRecord, validInput } from '../../support/memoryPorts';

const fieldError = (field: string) => (error: unknown) => LogqsError.is(error, 'invalid-input') && error.field === field;

describe('object store schemas', () => {
  it('accepts the required fields and defaults the optional ones to empty', () => {
    const parsed = parseInput(objectStoreCreateSchema, validInput({ endpoint_url: '', key_prefix: '  ', note: '' }));
    assert.equal(parsed.name, 'robots');
    assert.equal(parsed.endpoint_url, null);
    assert.equal(parsed.key_prefix, null);
    assert.equal(parsed.note, null);
  });

  for (const field of ['name', 'bucket_name', 'region_name', 'access_key_id', 'secret_access_key']) {
    it(`requires ${field}`, () => {
      const input: Record<string, unknown> = validInput();
      delete input[field];
      assert.throws(() => parseInput(objectStoreCreateSchema, input), fieldError(field));
    });
  }

  it('explains bad bucket names', () => {
    for (const bad of ['ab', 'Upper', 'has_underscore', '-start', 'a..b', '192.168.1.1', 'x'.repeat(64)]) {
      assert.throws(() => parseInput(objectStoreCreateSchema, validInput({ bucket_name: bad })), fieldError('bucket_name'), bad);
    }
    for (const good of ['abc', 'robot-logs.2024', 'a1b']) {
      assert.doesNotThrow(() => parseInput(objectStoreCreateSchema, validInput({ bucket_name: good })), good);
    }
  });

  it('explains bad endpoint URLs and trims the trailing slash', () => {
    for (const bad of ['not a url', 'ftp://host', 'http://user:pw@host', 'http://host/?x=1']) {
      assert.throws(() => parseInput(objectStoreCreateSchema, validInput({ endpoint_url: bad })), fieldError('endpoint_url'), bad);
    }
    const parsed = parseInput(objectStoreCreateSchema, validInput({ endpoint_url: 'http://127.0.0.1:7480/' }));
    assert.equal(parsed.endpoint_url, 'http://127.0.0.1:7480');
  });

  it('refuses endpoint URLs with control characters, which the URL parser drops but the record would keep', () => {
    // Kept, a line break would add lines (another [profile], a credential_process) to the copied AWS CLI profile.
    for (const bad of ['http://127.0.0.1:7480/\n[default]\ncredential_process = touch /tmp/owned', 'http://127.0.0.1:7480/a\tb', 'http://127.0.\r0.1:7480']) {
      assert.throws(() => parseInput(objectStoreCreateSchema, validInput({ endpoint_url: bad })), fieldError('endpoint_url'), JSON.stringify(bad));
      assert.match(validateField('endpoint_url', bad) ?? '', /endpoint_url/);
    }
  });

  it('refuses key prefixes that start with a slash or hold dot segments', () => {
    for (const bad of ['/logs/', 'logs/../', './x']) {
      assert.throws(() => parseInput(objectStoreCreateSchema, validInput({ key_prefix: bad })), fieldError('key_prefix'), bad);
    }
  });

  it('accepts regions of AWS, R2 and Ceph and refuses others', () => {
    for (const good of ['us-east-1', 'auto', 'default']) {
      assert.doesNotThrow(() => parseInput(objectStoreCreateSchema, validInput({ region_name: good })));
    }
    assert.throws(() => parseInput(objectStoreCreateSchema, validInput({ region_name: 'US East' })), fieldError('region_name'));
  });

  it('refuses unknown fields and managed at creation', () => {
    assert.throws(() => parseInput(objectStoreCreateSchema, validInput({ bogus: 1 })), /Unknown object store field: bogus/);
    assert.throws(() => parseInput(objectStoreCreateSchema, validInput({ managed: true })), /Unknown object store field: managed/);
  });

  it('refuses to change credentials or managed after creation, saying why', () => {
    assert.throws(() => parseObjectStoreUpdate({ secret_access_key: 'x' }), /write-only and can't be changed/);
    assert.throws(() => parseObjectStoreUpdate({ access_key_id: 'x' }), fieldError('access_key_id'));
    assert.throws(() => parseObjectStoreUpdate({ managed: false }), fieldError('managed'));
    assert.deepEqual(parseObjectStoreUpdate({ note: '', read_only: true }), { note: null, read_only: true });
  });

  it('reads only own properties of an update: inherited names are unknown fields, not rules', () => {
    for (const key of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const input = JSON.parse(`{"${key}": "x"}`) as Record<string, unknown>;
      assert.throws(() => parseObjectStoreUpdate(input), (error: unknown) =>
        LogqsError.is(error, 'invalid-input') && !/native code|function/.test(error.message), key);
    }
    assert.throws(() => parseObjectStoreUpdate({ constructor: 'x' }), /^LogqsError: Unknown object store field: constructor$/);
  });

  it('measures key prefixes in bytes, leaving room for a key under them', () => {
    const nonAscii = 'é'.repeat(1000); // 1000 characters, 2000 bytes
    assert.throws(() => parseInput(objectStoreCreateSchema, validInput({ key_prefix: nonAscii })), /key_prefix must be at most 1023 bytes/);
    assert.doesNotThrow(() => parseInput(objectStoreCreateSchema, validInput({ key_prefix: 'a'.repeat(1023) })));
    assert.throws(() => parseInput(objectStoreCreateSchema, validInput({ key_prefix: 'a'.repeat(1024) })), fieldError('key_prefix'));
    assert.equal(scopeKey('a'.repeat(1023), 'b'), `${'a'.repeat(1023)}b`);
  });

  it('offers every field an update accepts for editing, and only those', () => {
    assert.deepEqual([...EDITABLE_FIELDS].sort(), ['bucket_name', 'context', 'disabled', 'endpoint_url', 'key_prefix', 'name', 'note', 'read_only', 'region_name']);
  });

  it('validates single fields for input boxes with the field named', () => {
    assert.equal(validateField('bucket_name', 'robot-logs'), undefined);
    assert.match(validateField('bucket_name', 'Bad Bucket') ?? '', /^bucket_name /);
    assert.equal(validateField('endpoint_url', ''), undefined);
    assert.match(validateField('name', '   ') ?? '', /name is required/);
  });

  it('parses context as a JSON object only', () => {
    assert.deepEqual(parseContextJson('{"robot": "r2", "n": 1}'), { robot: 'r2', n: 1 });
    assert.equal(parseContextJson(' '), null);
    assert.throws(() => parseContextJson('[1,2]'), fieldError('context'));
    assert.throws(() => parseContextJson('{"token": s3cr3t}'), (error: unknown) =>
      LogqsError.is(error, 'invalid-input') && error.message === 'context is not valid JSON at line 1, column 11');
    // Too deep for a save's JSON.stringify, or too large to read at every listing and show in Edit's list: said, not a bug later.
    assert.throws(() => parseContextJson(`${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`), (error: unknown) => LogqsError.is(error, 'invalid-input') && /nest at most 32 levels/.test(error.message));
    assert.throws(() => parseContextJson(JSON.stringify({ blob: 'x'.repeat(70_000) })), (error: unknown) => LogqsError.is(error, 'invalid-input') && /at most 65536 characters/.test(error.message));
    assert.deepEqual(parseContextJson(JSON.stringify({ a: { b: { c: [1, { d: 'x'.repeat(1000) }] } } })), { a: { b: { c: [1, { d: 'x'.repeat(1000) }] } } });
    // A record that holds one already (saved by an earlier version, or by another LogQS client) is still read.
    assert.equal(objectStoreSchema.safeParse(storeRecord({ context: { blob: 'x'.repeat(70_000) } })).success, true);
  });
});
