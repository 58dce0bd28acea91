import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { type NamingCalls, moveToFreeName, promiseNamingCalls, replaceWith } from '../../../../src/core/transfer/freeName';
import { code } from '../../../support/assertions';
import { temporaryFolder } from '../../../support/transfers';

/** A finished file moved onto its name only while the name is free, on a real disk. */
describe('moveToFreeName', () => {
  let folder: Awaited<ReturnType<typeof temporaryFolder>>;
  const at = (name: string) => path.join(folder.dir, name);
  const diskCalls = promiseNamingCalls;
  // FAT and some network disks: link(2) refuses with EPERM.
  const noHardLinks: NamingCalls = {
    ...diskCalls,
    link: () => Promise.reject(Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' })),
  };

  beforeEach(async () => {
    folder = await temporaryFolder();
    await fs.writeFile(at('.finished.partial'), 'new bytes');
    await fs.writeFile(at('there.bin'), 'old');
    await fs.mkdir(at('folder.bin'));
    // A link that leads nowhere is still a name taken.
    await fs.symlink('nowhere', at('dangling.bin'));
  });
  afterEach(() => folder.remove());

  for (const [disk, calls] of [['a disk with hard links', diskCalls], ['a disk without hard links', noHardLinks]] as const) {
    it(`on ${disk}, leaves a file, folder or link there alone, keeping the finished file, and moves it onto a free name`, async () => {
      assert.equal(await moveToFreeName(at('.finished.partial'), at('there.bin'), calls), 'exists');
      assert.equal(await moveToFreeName(at('.finished.partial'), at('folder.bin'), calls), 'folder');
      assert.equal(await moveToFreeName(at('.finished.partial'), at('dangling.bin'), calls), 'exists');
      assert.equal(await fs.readFile(at('there.bin'), 'utf8'), 'old');
      assert.equal(await fs.readlink(at('dangling.bin')), 'nowhere');
      assert.equal(await moveToFreeName(at('.finished.partial'), at('free.bin'), calls), 'written');
      assert.equal(await fs.readFile(at('free.bin'), 'utf8'), 'new bytes');
      assert.deepEqual((await fs.readdir(folder.dir)).sort(), ['dangling.bin', 'folder.bin', 'free.bin', 'there.bin']);
    });

    it(`on ${disk}, throws a failure of the disk itself`, async () => {
      await assert.rejects(moveToFreeName(at('.gone.partial'), at('other.bin'), calls), { code: 'ENOENT' });
      await assert.rejects(moveToFreeName(at('.finished.partial'), at('no-such-folder/x.bin'), calls), { code: 'ENOENT' });
    });
  }

  it('takes a link that was made, though answered as a name taken (NFS, its retried LINK), as the file moved', async () => {
    const retried: NamingCalls = {
      ...diskCalls,
      link: async (existing, name) => {
        await fs.link(existing, name);
        throw Object.assign(new Error('EEXIST: file already exists, link'), { code: 'EEXIST' });
      },
    };
    assert.equal(await moveToFreeName(at('.finished.partial'), at('free.bin'), retried), 'written');
    assert.equal(await fs.readFile(at('free.bin'), 'utf8'), 'new bytes');
    assert.ok(!(await fs.readdir(folder.dir)).includes('.finished.partial'));
  });

  it('says the file is in place when only its temporary name could not be removed (a virus scanner holding it on Windows)', async () => {
    const held: NamingCalls = { ...diskCalls, unlink: () => Promise.reject(Object.assign(new Error('EBUSY: resource busy or locked, unlink'), { code: 'EBUSY' })) };
    assert.equal(await moveToFreeName(at('.finished.partial'), at('free.bin'), held), 'written');
    assert.equal(await fs.readFile(at('free.bin'), 'utf8'), 'new bytes');
  });

  it('takes a name under a file (ENOTDIR) for free, as one with nothing there', async () => {
    assert.equal(await diskCalls.lstat(at('there.bin/x')), undefined);
    assert.equal(await diskCalls.lstat(at('nothing')), undefined);
    assert.ok(await diskCalls.lstat(at('dangling.bin')));
  });

  it('throws a look at the name that fails (a network disk\'s EIO) rather than taking the name for free, where the disk has no hard links', async () => {
    const failing: NamingCalls = { ...noHardLinks, lstat: () => Promise.reject(Object.assign(new Error('EIO: i/o error, lstat'), { code: 'EIO' })) };
    await assert.rejects(moveToFreeName(at('.finished.partial'), at('there.bin'), failing), { code: 'EIO' });
    assert.equal(await fs.readFile(at('there.bin'), 'utf8'), 'old');
  });

  it('throws a refusal of the disk rather than calling it a name taken, even with a file there', async () => {
    const refused: NamingCalls = { ...diskCalls, link: () => Promise.reject(Object.assign(new Error('EACCES: permission denied, link'), { code: 'EACCES' })) };
    await assert.rejects(moveToFreeName(at('.finished.partial'), at('there.bin'), refused), { code: 'EACCES' });
    await assert.rejects(moveToFreeName(at('.finished.partial'), at('free.bin'), refused), { code: 'EACCES' });
    assert.ok(!(await fs.readdir(folder.dir)).includes('free.bin'));
  });
});

describe('replaceWith', () => {
  const refusing = (refusals: number, errorCode = 'EBUSY') => {
    const tries: number[] = [];
    return {
      tries,
      rename: async () => {
        tries.push(Date.now());
        if (tries.length <= refusals) {
          throw Object.assign(new Error(`${errorCode}: resource busy or locked, rename`), { code: errorCode });
        }
      },
    };
  };

  it('on Windows, tries again a replace refused a moment (a virus scanner holding the new file), then says in-use', async function () {
    this.timeout(10_000);
    const writable = { readOnly: async () => false };
    const brief = refusing(2);
    assert.equal(await replaceWith('t', 'x', brief, { platform: 'win32', ...writable }), 'written');
    assert.equal(brief.tries.length, 3);
    const held = refusing(100, 'EPERM');
    assert.equal(await replaceWith('t', 'x', held, { platform: 'win32', ...writable }), 'in-use');
    assert.equal(held.tries.length, 6);
    assert.ok(held.tries[5] - held.tries[0] >= 1400, `${held.tries[5] - held.tries[0]} ms of tries`);
    // A read-only file stays so: no wait.
    const readOnly = refusing(100, 'EPERM');
    assert.equal(await replaceWith('t', 'x', readOnly, { platform: 'win32', readOnly: async () => true }), 'in-use');
    assert.equal(readOnly.tries.length, 1);
  });

  it('takes a file without write permission for read-only, as Windows\' read-only attribute reads', async () => {
    const folder = await temporaryFolder();
    try {
      const file = path.join(folder.dir, 'locked.csv');
      await fs.writeFile(file, 'x');
      await fs.chmod(file, 0o444);
      let tries = 0;
      const refused = {
        rename: async () => {
          tries++;
          throw Object.assign(new Error('EPERM: operation not permitted, rename'), { code: 'EPERM' });
        },
      };
      assert.equal(await replaceWith(path.join(folder.dir, '.t'), file, refused, { platform: 'win32' }), 'in-use');
      assert.equal(tries, 1);
    } finally {
      await folder.remove();
    }
  });

  it('elsewhere says in-use at once, throws any other failure, and stops at a cancel between tries', async () => {
    const once = refusing(1, 'EACCES');
    assert.equal(await replaceWith('t', 'x', once, { platform: 'linux' }), 'in-use');
    assert.equal(once.tries.length, 1);
    await assert.rejects(replaceWith('t', 'x', refusing(1, 'EIO'), { platform: 'win32' }), /EIO/);
    let cancelled = false;
    const cancelling = refusing(100);
    setTimeout(() => (cancelled = true), 120);
    await assert.rejects(replaceWith('t', 'x', cancelling, { platform: 'win32', cancelled: () => cancelled, readOnly: async () => false }), code('cancelled'));
    assert.ok(cancelling.tries.length < 6, `${cancelling.tries.length} tries`);
  });
});
