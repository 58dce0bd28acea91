import * as assert from 'node:assert/strict';
import { parseListing } from '../../../src/adapters/s3/listingXml';
import { S3Client, ListObjectsV2Command } from '../../../src/adapters/vendor/awsSdk';

const listing = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</ListBucketResult>`;

/** A page as S3 writes one (its documentation's example), two objects and a folder. */
const PAGE = listing(
  '<Name>bucket</Name><Prefix>logs/</Prefix><KeyCount>3</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>' +
    '<Contents><Key>logs/a%20b.bag</Key><LastModified>2026-12-01T10:20:30.000Z</LastModified><ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>434234</Size><StorageClass>STANDARD</StorageClass><Owner><ID>o</ID><DisplayName>d</DisplayName></Owner></Contents>' +
    '<Contents><Key>logs/b</Key><LastModified>2026-12-02T00:00:00Z</LastModified><ETag>"abc-2"</ETag><Size>0</Size></Contents>' +
    '<CommonPrefixes><Prefix>logs/run-1/</Prefix></CommonPrefixes>' +
    '<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>',
);

/** What the SDK's own client makes of an answer: the reference the lean reading must match. */
async function sdkReading(xml: string) {
  const client = new S3Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    endpoint: 'http://127.0.0.1:1',
    forcePathStyle: true,
    requestHandler: { handle: async () => ({ response: { statusCode: 200, headers: {}, body: new Blob([xml]).stream() } }) } as never,
  });
  try {
    const answer = await client.send(new ListObjectsV2Command({ Bucket: 'bucket' }));
    return {
      IsTruncated: answer.IsTruncated,
      NextContinuationToken: answer.NextContinuationToken,
      EncodingType: answer.EncodingType,
      Contents: (answer.Contents ?? []).map(({ Key, Size, LastModified, ETag }) => ({ Key, Size, LastModified, ETag })),
      CommonPrefixes: (answer.CommonPrefixes ?? []).map(({ Prefix }) => ({ Prefix })),
    };
  } finally {
    client.destroy();
  }
}

describe('parseListing (a ListObjectsV2 page read without the SDK)', () => {
  it('reads a page as the SDK’s parser does: keys, sizes, dates, ETags with their quotes, folders, the token', async () => {
    const ours = parseListing(PAGE);
    assert.deepEqual(ours, await sdkReading(PAGE));
    assert.equal(ours?.Contents?.[0].ETag, '"9b2cf535f27731c974343645a3985328"');
  });

  it('reads a page laid out with line breaks and indents, and an empty last page', async () => {
    const pretty = PAGE.replace(/></g, '>\n  <');
    assert.deepEqual(parseListing(pretty), await sdkReading(pretty));
    const empty = listing('<Name>bucket</Name><Prefix/><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>');
    assert.deepEqual(parseListing(empty), { IsTruncated: false, Contents: [], CommonPrefixes: [] });
  });

  it('resolves character references and keeps a token’s characters as sent (a line break the SDK’s parser drops)', () => {
    const page = parseListing(listing('<IsTruncated>true</IsTruncated><Contents><Key>a&amp;b&lt;c&gt;&#233;&#x1F600;&apos;</Key><Size>1</Size></Contents><NextContinuationToken>\r\n</NextContinuationToken>'));
    assert.equal(page?.Contents?.[0].Key, "a&b<c>é😀'");
    assert.equal(page?.NextContinuationToken, '\r\n');
  });

  const notListings: Record<string, string> = {
    'a web page': '<!DOCTYPE html><html><body><h1>Sign in to the network</h1></body></html>',
    'another root': '<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>',
    'cut short': PAGE.slice(0, PAGE.indexOf('</Contents>')),
    'unbalanced tags': listing('<IsTruncated>false</IsTruncated><Contents><Key>a</Size></Contents>'),
    'a second root': `${listing('<IsTruncated>false</IsTruncated>')}${listing('<IsTruncated>false</IsTruncated>')}`,
    'text after the root': `${listing('<IsTruncated>false</IsTruncated>')}trailing`,
    'mixed content': listing('text<IsTruncated>false</IsTruncated>'),
    'a comment': listing('<!-- c --><IsTruncated>false</IsTruncated>'),
    'CDATA': listing('<IsTruncated>false</IsTruncated><Contents><Key><![CDATA[a]]></Key></Contents>'),
    'a bare ampersand': listing('<IsTruncated>false</IsTruncated><Contents><Key>a&b</Key></Contents>'),
    'an unknown entity': listing('<IsTruncated>false</IsTruncated><Contents><Key>&nbsp;</Key></Contents>'),
    'a reference past Unicode': listing('<IsTruncated>false</IsTruncated><Contents><Key>&#x110000;</Key></Contents>'),
    'a size that is not a number': listing('<IsTruncated>false</IsTruncated><Contents><Key>a</Key><Size>1e3</Size></Contents>'),
    'a date that is not one': listing('<IsTruncated>false</IsTruncated><Contents><Key>a</Key><LastModified>yesterday</LastModified></Contents>'),
    'a date without its zone (local time to Date)': listing('<IsTruncated>false</IsTruncated><Contents><Key>a</Key><LastModified>2026-12-01T10:00:00</LastModified></Contents>'),
    'no IsTruncated': listing('<Contents><Key>a</Key></Contents>'),
    'an IsTruncated neither true nor false (read as false, it would end a listing)': listing('<IsTruncated>True</IsTruncated><Contents><Key>a</Key></Contents>'),
    'nothing': '',
  };
  for (const [what, xml] of Object.entries(notListings)) {
    it(`leaves ${what} to the SDK (undefined)`, () => {
      assert.equal(parseListing(xml), undefined);
    });
  }
});
