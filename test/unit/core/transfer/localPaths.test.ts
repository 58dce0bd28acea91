import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { keyBelow, localFileIdentity, localSegments, pathUnder } from '../../../../src/core/transfer/localPaths';

describe('keys as local paths', () => {
  it('keeps ordinary keys, spaces, "+" and unicode as they are', () => {
    assert.deepEqual(localSegments('run 1/a+b é/データ.mcap', 'linux'), { ok: true, segments: ['run 1', 'a+b é', 'データ.mcap'] });
  });

  it('refuses dot segments, absolute paths, empty segments and control characters, saying why', () => {
    const cases: [string, RegExp][] = [
      ['../x', /"\." or "\.\."/],
      ['a/../../x', /"\." or "\.\."/],
      ['a/./b', /"\." or "\.\."/],
      ['/abs', /absolute/],
      ['a//b', /empty path segment/],
      // An object whose key ends in "/" and holds bytes, which S3 allows.
      ['run/', /ends with "\/", as a folder's does/],
      ['a/b/', /ends with "\/", as a folder's does/],
      ['a\u0000b', /NUL or control/],
      ['a\nb', /NUL or control/],
      ['a\u0085b', /NUL or control/],
      ['a\u009bb', /NUL or control/],
      ['', /names no file/],
      [`${'x'.repeat(256)}`, /longer than 255 (bytes|characters)/],
    ];
    for (const [key, reason] of cases) {
      for (const platform of ['linux', 'win32'] as const) {
        const result = localSegments(key, platform);
        assert.equal(result.ok, false, key);
        assert.match(result.ok ? '' : result.reason, reason, key);
      }
    }
  });

  it('on Windows, replaces the characters and names it refuses instead of failing the file', () => {
    assert.deepEqual(localSegments('ab:c/c|d?.txt', 'win32'), { ok: true, segments: ['ab_c', 'c_d_.txt'] });
    // A key that starts like a drive (a Windows backup's "C:/Users/…") is a folder "C_" in the download folder, no other drive.
    assert.deepEqual(localSegments('C:/Users/x.txt', 'win32'), { ok: true, segments: ['C_', 'Users', 'x.txt'] });
    assert.deepEqual(localSegments('c:x', 'win32'), { ok: true, segments: ['c_x'] });
    // NTFS counts names in UTF-16 units: 90 Japanese characters (270 bytes) fit there, not on Linux.
    const japanese = `${'\u65e5'.repeat(90)}.pdf`;
    assert.deepEqual(localSegments(japanese, 'win32'), { ok: true, segments: [japanese] });
    assert.match(JSON.stringify(localSegments(japanese, 'linux')), /longer than 255 bytes/);
    assert.equal(path.win32.relative('D:\\downloads', path.win32.resolve('D:\\downloads', 'C_', 'Users')), 'C_\\Users');
    // A device name with any extension is the device, spaces before the dot too: the "_" goes after the device's name.
    assert.deepEqual(localSegments('CON/aux.txt/nul/PRN.tar.gz', 'win32'), { ok: true, segments: ['CON_', 'aux_.txt', 'nul_', 'PRN_.tar.gz'] });
    assert.deepEqual(localSegments('nul .txt/COM1  .csv/lpt¹.log', 'win32'), { ok: true, segments: ['nul_ .txt', 'COM1_  .csv', 'lpt¹_.log'] });
    assert.deepEqual(localSegments('CONIN$/conout$.log/Clock$', 'win32'), { ok: true, segments: ['CONIN$_', 'conout$_.log', 'Clock$_'] });
    // Names that only start like one are no device.
    assert.deepEqual(localSegments('console.log/nul_x/auxiliary.txt/com10', 'win32'), { ok: true, segments: ['console.log', 'nul_x', 'auxiliary.txt', 'com10'] });
    assert.deepEqual(localSegments('trailing. /x ', 'win32'), { ok: true, segments: ['trailing_', 'x_'] });
    assert.deepEqual(localSegments('a\\..\\..\\x', 'win32'), { ok: true, segments: ['a_.._.._x'] });
    // The same names are fine elsewhere and stay as they are.
    assert.deepEqual(localSegments('a:b/CON', 'linux'), { ok: true, segments: ['a:b', 'CON'] });
  });

  it('cuts the folder\'s parent from a key, so a folder lands under its own name', () => {
    assert.equal(keyBelow('logs/run-1/', 'logs/run-1/a/b.bag'), 'run-1/a/b.bag');
    assert.equal(keyBelow('', 'top.txt'), 'top.txt');
    assert.equal(keyBelow('logs/run-', 'logs/run-7/x'), 'run-7/x');
    assert.equal(keyBelow('logs/a.bag', 'logs/a.bag'), 'a.bag');
  });

  it('refuses to join anything that resolves outside the root', () => {
    const root = path.resolve('/tmp/root');
    assert.equal(pathUnder(root, ['a', 'b']), path.join(root, 'a', 'b'));
    assert.throws(() => pathUnder(root, ['..', 'x']), /outside the download folder/);
    assert.throws(() => pathUnder(root, []), /outside the download folder/);
    // A name that starts with two dots is a name, not a way up.
    assert.equal(pathUnder(root, ['..hidden']), path.join(root, '..hidden'));
  });

  it('takes names that differ only in case as one file on macOS and Windows, and in Unicode normalization on macOS only', () => {
    const composed = '/d/Caf\u00e9.txt';
    const decomposed = '/d/cafe\u0301.TXT';
    assert.equal(localFileIdentity(composed, 'darwin'), localFileIdentity(decomposed, 'darwin'));
    // NTFS keeps the two spellings as two files.
    assert.notEqual(localFileIdentity(composed, 'win32'), localFileIdentity(decomposed, 'win32'));
    assert.equal(localFileIdentity('/d/Caf\u00e9.TXT', 'win32'), localFileIdentity(composed.toLowerCase(), 'win32'));
    assert.notEqual(localFileIdentity(composed, 'linux'), localFileIdentity(decomposed, 'linux'));
    assert.notEqual(localFileIdentity('/d/A', 'linux'), localFileIdentity('/d/a', 'linux'));
  });
});
