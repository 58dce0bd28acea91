import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRangeReader } from '../../../src/adapters/http/rangeReader';
import { S3ClientCache } from '../../../src/adapters/s3/s3Client';
import { decodeListedKey, s3Gateways } from '../../../src/adapters/s3/s3Gateway';
import { code } from '../../support/assertions';
import { storeRecord } from '../../support/memoryPorts';

describe('decodeListedKey (keys of a listing asked with EncodingType=url)', () => {
  it('reads S3\'s "+" for a space and "%2B" for a plus', () => {
    assert.equal(decodeListedKey('a+b%2Bc.txt'), 'a b+c.txt');
  });

  it('reads radosgw\'s "%20", control characters and UTF-8', () => {
    assert.equal(decodeListedKey('%0D%0A%20%7F%C3%BCn%C3%AF%2Fx%2541'), '\r\n \x7fünï/x%41');
  });

  it('leaves a key without escapes as it is', () => {
    assert.equal(decodeListedKey('logs/run-001/robot.bag'), 'logs/run-001/robot.bag');
  });

  it('keeps a key that is not valid URL encoding as it was sent, rather than failing its page', () => {
    assert.equal(decodeListedKey('100%.txt'), '100%.txt');
    assert.equal(decodeListedKey('%C3(.bin'), '%C3(.bin');
  });
});

/**
 * Listing answers radosgw can't be made to give, from a stand-in HTTP server on 127.0.0.1 (the real
 * server's answers are tested in test/integration/objectBrowser.test.ts).
 */
for (const lean of [false, true]) describe(`S3 gateway listings of answers a real server rarely gives, ${lean ? 'through presigned URLs' : 'through the SDK'}`, () => {
  let server: http.Server;
  let body = '';
  let contentType = 'application/xml';
  let cache: S3ClientCache;
  let reader: ReturnType<typeof createRangeReader>;
  let asked: URLSearchParams | undefined;
  /** Who asked for each page: the SDK (its user agent says so) or the lean path. */
  let askers: ('sdk' | 'lean')[];
  /** Until the answer is sent. */
  let answering: Promise<void>;

  before(async () => {
    server = http.createServer((request, response) => {
      asked = new URL(request.url ?? '/', 'http://127.0.0.1').searchParams;
      askers.push(/aws-sdk/.test(request.headers['user-agent'] ?? '') ? 'sdk' : 'lean');
      void answering.then(() => response.writeHead(200, { 'content-type': contentType }).end(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(() => server.close());
  beforeEach(() => {
    cache = new S3ClientCache(() => ({ timeoutMs: 5000 }));
    reader = createRangeReader({ timeoutMs: () => 5000 });
    askers = [];
    contentType = 'application/xml';
    answering = Promise.resolve();
  });
  afterEach(() => (cache.dispose(), reader.dispose()));

  const listing = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>${inner}</ListBucketResult>`;
  const gateway = () => {
    const { port } = server.address() as AddressInfo;
    return s3Gateways(cache, lean ? reader : undefined)(storeRecord({ bucket_name: 'b', endpoint_url: `http://127.0.0.1:${port}` }), async () => ({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' }));
  };

  it('refuses a truncated page without a token, which would end a folder silently part way', async () => {
    body = listing('<IsTruncated>true</IsTruncated><Contents><Key>logs/a</Key><Size>1</Size></Contents>');
    await assert.rejects(gateway().listPage({ prefix: 'logs/', maxKeys: 1000 }), (error: unknown) => code('remote')(error) && /"logs\/" in "b"/.test((error as Error).message));
  });

  it(`goes on after a page that ends on a key of whitespace, whose token (radosgw's: that key, raw) ${lean ? 'is read as sent' : 'XML reads as none'}`, async () => {
    body = listing('<EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><Contents><Key>%0A</Key><Size>1</Size></Contents><NextContinuationToken>\n</NextContinuationToken>');
    const first = await gateway().listPage({ prefix: '', maxKeys: 1 });
    assert.ok(first.nextContinuationToken, 'a token to go on with');
    body = listing('<EncodingType>url</EncodingType><IsTruncated>false</IsTruncated><Contents><Key>next</Key><Size>1</Size></Contents>');
    const second = await gateway().listPage({ prefix: '', maxKeys: 1, continuationToken: first.nextContinuationToken });
    // Read here, the token goes back as the server sent it; the SDK's reading needs the listing to go on after the key.
    assert.equal(asked?.get(lean ? 'continuation-token' : 'start-after'), '\n');
    assert.equal(asked?.get(lean ? 'start-after' : 'continuation-token'), null);
    assert.deepEqual(second.objects.map((object) => object.key), ['next']);
    assert.deepEqual(askers, lean ? ['lean', 'lean'] : ['sdk', 'sdk']);
  });

  if (!lean) it('refuses such a page from a server that ignored the StartAfter (it would list the same page for ever), or that ends on a folder', async () => {
    const whitespacePage = listing('<EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><Contents><Key>%0A</Key><Size>1</Size></Contents><NextContinuationToken>\n</NextContinuationToken>');
    body = whitespacePage;
    const first = await gateway().listPage({ prefix: '', maxKeys: 1 });
    await assert.rejects(gateway().listPage({ prefix: '', maxKeys: 1, continuationToken: first.nextContinuationToken }), code('remote'));
    body = listing('<EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><Contents><Key>%0A</Key><Size>1</Size></Contents><CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes>');
    await assert.rejects(gateway().listPage({ prefix: '', delimiter: '/', maxKeys: 2 }), code('remote'));
  });

  it('asks for URL-encoded keys, and takes keys as they are from a server that ignored it (no EncodingType echoed)', async () => {
    body = listing('<IsTruncated>false</IsTruncated><Contents><Key>logs/100% a+b</Key><Size>1</Size></Contents>');
    const page = await gateway().listPage({ prefix: 'logs/', maxKeys: 1000 });
    assert.equal(asked?.get('encoding-type'), 'url');
    assert.deepEqual(page.objects.map((object) => object.key), ['logs/100% a+b']);
  });

  it('decodes keys and folders when the server says it encoded them', async () => {
    body = listing('<EncodingType>url</EncodingType><IsTruncated>false</IsTruncated><Contents><Key>logs/a+b%2Bc%0A</Key><Size>1</Size></Contents><CommonPrefixes><Prefix>logs/%C3%A9t%C3%A9/</Prefix></CommonPrefixes>');
    const page = await gateway().listPage({ prefix: 'logs/', delimiter: '/', maxKeys: 1000 });
    assert.deepEqual(page.objects.map((object) => object.key), ['logs/a b+c\n']);
    assert.deepEqual(page.folders, ['logs/été/']);
  });

  if (lean) {
    it('says a page that is a web page (a captive portal’s, answered 200) is one, which the SDK would read as an empty folder', async () => {
      body = '<!DOCTYPE html><html><body>Sign in to the network</body></html>';
      contentType = 'text/html; charset=utf-8';
      await assert.rejects(gateway().listPage({ prefix: 'logs/', maxKeys: 1000 }), (error: unknown) => code('remote')(error) && /web page/.test((error as Error).message));
      assert.deepEqual(askers, ['lean']);
    });

    it('asks the SDK again for a page it can’t read that is not a web page, whose reading stands', async () => {
      body = `<?xml version="1.0"?><!-- a comment the lean reading leaves to the SDK -->${listing('<IsTruncated>false</IsTruncated><Contents><Key>logs/a</Key><Size>1</Size></Contents>')}`;
      const page = await gateway().listPage({ prefix: 'logs/', maxKeys: 1000 });
      assert.deepEqual(page.objects.map((object) => object.key), ['logs/a']);
      assert.deepEqual(askers, ['lean', 'sdk']);
    });

    it('asks the SDK for a page longer than it reads (4 MiB), which then lists it', async () => {
      body = listing(`<IsTruncated>false</IsTruncated><Contents><Key>logs/a</Key><Size>1</Size></Contents>${' '.repeat(4 * 1024 * 1024)}`);
      const page = await gateway().listPage({ prefix: 'logs/', maxKeys: 1000 });
      assert.deepEqual(page.objects.map((object) => object.key), ['logs/a']);
      assert.deepEqual(askers, ['lean', 'sdk']);
    });

    it('says a server that doesn’t answer in time can’t be reached, without the SDK’s two tries waiting as long again', async () => {
      answering = new Promise(() => undefined);
      reader.dispose();
      reader = createRangeReader({ timeoutMs: () => 200 });
      await assert.rejects(gateway().listPage({ prefix: 'logs/', maxKeys: 1000 }), code('unreachable'));
      assert.deepEqual(askers, ['lean']);
    });

    it('stops at a Cancel while the page comes, without asking the SDK', async () => {
      let answer!: () => void;
      answering = new Promise((resolve) => (answer = resolve));
      body = listing('<IsTruncated>false</IsTruncated>');
      const cancel = new AbortController();
      const listed = gateway().listPage({ prefix: 'logs/', maxKeys: 1000 }, cancel.signal);
      while (askers.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      cancel.abort();
      await assert.rejects(listed, code('cancelled'));
      answer();
      assert.deepEqual(askers, ['lean']);
    });
  }
});
