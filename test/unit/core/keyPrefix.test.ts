import * as assert from 'node:assert/strict';
import { LogqsError } from '../../../src/core/errors';
import { assertInScope, displayName, isInScope, listingPrefix, scopeKey } from '../../../src/core/keyPrefix';

describe('key prefix rules', () => {
  it('prepends the prefix to a bare key', () => {
    assert.equal(scopeKey('logs/', 'my_log.bag'), 'logs/my_log.bag');
  });

  it('does not prepend the prefix twice', () => {
    assert.equal(scopeKey('logs/', 'logs/my_log.bag'), 'logs/my_log.bag');
  });

  it('leaves keys alone when the store has no prefix', () => {
    assert.equal(scopeKey(null, 'a/b c+é.bag'), 'a/b c+é.bag');
  });

  it('treats the prefix as raw text, not a folder', () => {
    assert.equal(scopeKey('robots/r1-', 'x.bag'), 'robots/r1-x.bag');
  });

  it('refuses keys with dot segments that could escape the prefix', () => {
    for (const key of ['../other/z.bag', 'a/../../z', './x', 'logs/./x']) {
      assert.throws(() => scopeKey('logs/', key), (error: unknown) => LogqsError.is(error, 'outside-prefix'), key);
    }
  });

  it('keeps dots inside names', () => {
    assert.equal(scopeKey('logs/', '..hidden/x..bag'), 'logs/..hidden/x..bag');
  });

  it('refuses empty and over-long keys', () => {
    assert.throws(() => scopeKey('logs/', ''), /empty/);
    assert.throws(() => scopeKey(null, 'é'.repeat(513)), /longer than 1024 bytes/);
  });

  it('refuses listing a folder outside the prefix', () => {
    assert.throws(() => listingPrefix('logs/', 'other/'), (error: unknown) => LogqsError.is(error, 'outside-prefix'));
    assert.equal(listingPrefix('logs/', 'logs/run-1/'), 'logs/run-1/');
    assert.equal(listingPrefix('logs/'), 'logs/');
    assert.equal(listingPrefix(null), '');
  });

  it('tells keys in scope from keys outside it', () => {
    assert.equal(isInScope('logs/', 'logs/a'), true);
    assert.equal(isInScope('logs/', 'logsx/a'), false);
    assert.equal(isInScope('logs/', 'logs/../a'), false);
    assert.doesNotThrow(() => assertInScope(null, 'anything'));
  });

  it('names folders and files by their last segment', () => {
    assert.equal(displayName('logs/run-001/'), 'run-001/');
    assert.equal(displayName('logs/run-001/robot.bag'), 'robot.bag');
    assert.equal(displayName('logs/日本語/データ.mcap'), 'データ.mcap');
    assert.equal(displayName('top.txt'), 'top.txt');
    assert.equal(displayName('a//'), 'a//');
  });
});
