import * as assert from 'node:assert/strict';
import { LogqsError } from '../../../src/core/errors';
import { assertInScope, displayName, folderFilterProblem, isInScope, keyPrefixProblem, listingPrefix, narrowedPrefix, relativeName, scopeKey } from '../../../src/core/keyPrefix';

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

  it('refuses a key prefix holding half of a character, which S3 stores as U+FFFD: a key can\'t escape it', () => {
    const halfEmoji = 'logs\uD83D';
    // In JavaScript the key starts with the prefix; in the UTF-8 bytes S3 compares, it does not.
    assert.ok('logs\uD83D\uDE00/other-team.bag'.startsWith(halfEmoji));
    assert.match(keyPrefixProblem(halfEmoji) ?? '', /well-formed Unicode/);
    assert.equal(keyPrefixProblem('logs😀/'), undefined);
    assert.equal(isInScope(halfEmoji, 'logs\uD83D\uDE00/other-team.bag'), false);
    assert.throws(() => scopeKey(halfEmoji, '\uDE00/other-team.bag'), (error: unknown) => LogqsError.is(error, 'invalid-input'));
    assert.throws(() => assertInScope(halfEmoji, 'logs\uD83D\uDE00/'), (error: unknown) => LogqsError.is(error, 'invalid-input'));
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

  describe('narrowed prefixes (Find Object, folder filters)', () => {
    const outside = (error: unknown) => LogqsError.is(error, 'outside-prefix');

    it('append the typed text to the folder, or to the key prefix at the root', () => {
      assert.equal(narrowedPrefix('logs/', undefined, 'run-'), 'logs/run-');
      assert.equal(narrowedPrefix('logs/', 'logs/run-1/', 'rob'), 'logs/run-1/rob');
      assert.equal(narrowedPrefix(null, undefined, 'a b+é'), 'a b+é');
      assert.equal(narrowedPrefix('logs/', undefined), 'logs/');
      assert.equal(narrowedPrefix('logs/', undefined, 'run-1/rob'), 'logs/run-1/rob');
    });

    it('take a pasted full key at the root without prefixing it again, as every key is scoped', () => {
      assert.equal(narrowedPrefix('logs/', undefined, 'logs/run-1/rob'), 'logs/run-1/rob');
      assert.equal(narrowedPrefix('logs/', undefined, 'logs/'), 'logs/');
      // In a folder the text is a name under it, whatever it looks like.
      assert.equal(narrowedPrefix('logs/', 'logs/a/', 'logs/x'), 'logs/a/logs/x');
      assert.throws(() => narrowedPrefix('logs/', undefined, 'logs/../other/'), outside);
    });

    it('never name anything outside the key prefix', () => {
      assert.throws(() => narrowedPrefix('logs/', 'other/', 'x'), outside);
      for (const typed of ['../', '../other/', 'a/../', './x', 'run/./a']) {
        assert.throws(() => narrowedPrefix('logs/', undefined, typed), outside, typed);
      }
    });

    it('take a dot that only starts a name literally', () => {
      assert.equal(narrowedPrefix('logs/', undefined, '.'), 'logs/.');
      assert.equal(narrowedPrefix('logs/', undefined, '..hid'), 'logs/..hid');
      assert.equal(narrowedPrefix('logs/', undefined, 'a/..'), 'logs/a/..');
    });

    it('refuse a prefix longer than a key can be', () => {
      assert.throws(() => narrowedPrefix('logs/', undefined, 'x'.repeat(1020)), /longer than 1024 bytes/);
    });

    it('filter a folder by the start of one name only', () => {
      assert.equal(folderFilterProblem('run-'), undefined);
      assert.equal(folderFilterProblem(''), undefined);
      assert.match(folderFilterProblem('run/a') ?? '', /can't hold "\/"/);
      assert.match(folderFilterProblem('a\tb') ?? '', /control characters/);
    });

    it('show a found key from the folder the search started in', () => {
      assert.equal(relativeName('logs/', 'logs/run-1/robot.bag'), 'run-1/robot.bag');
      assert.equal(relativeName('logs/', 'logs/run-1/'), 'run-1/');
      assert.equal(relativeName('', 'top.txt'), 'top.txt');
      assert.equal(relativeName('logs/', 'logs/'), 'logs/');
    });
  });
});
