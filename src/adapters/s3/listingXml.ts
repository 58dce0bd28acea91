/**
 * A ListObjectsV2 answer, in the shape of the SDK's (the fields the gateway
 * reads), so that one path serves both: what the SDK parsed, or what was
 * read here from a listing fetched through a presigned URL.
 */
export interface ListingAnswer {
  IsTruncated?: boolean;
  NextContinuationToken?: string;
  EncodingType?: string;
  Contents?: { Key?: string; Size?: number; LastModified?: Date; ETag?: string }[];
  CommonPrefixes?: { Prefix?: string }[];
}

/** Every tag: `<name …>`, `</name>`, `<name/>`, and the prolog `<?xml …?>`. */
const TAG = /<([^>]*)>/g;
const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));|&/g;
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * The text of an element, its references resolved; undefined where it isn't
 * well-formed (a bare "&", an unknown entity). Its characters are kept as
 * sent, line ends too: a continuation token goes back to the server as it
 * came (radosgw's is the page's last key, raw).
 */
function textOf(raw: string): string | undefined {
  if (!raw.includes('&')) {
    return raw;
  }
  let wellFormed = true;
  const text = raw.replace(ENTITY, (whole: string, name?: string, decimal?: string, hex?: string) => {
    if (name) {
      return NAMED[name];
    }
    const point = decimal !== undefined ? Number(decimal) : hex !== undefined ? parseInt(hex, 16) : NaN;
    if (!(point <= 0x10ffff)) {
      wellFormed = false;
      return whole;
    }
    return String.fromCodePoint(point);
  });
  return wellFormed ? text : undefined;
}

/**
 * S3's ListBucketResult, read without an XML library: a flat document of
 * known elements, which a scan of its tags reads in a fraction of the SDK's
 * parser's time (and without loading the SDK). Undefined for anything else
 * (another root, unbalanced tags, a comment or CDATA, a value that isn't a
 * number or a date where one is due): the caller then asks the SDK, whose
 * parser and error wording serve whatever came.
 */
export function parseListing(xml: string): ListingAnswer | undefined {
  const answer: ListingAnswer & { Contents: NonNullable<ListingAnswer['Contents']>; CommonPrefixes: NonNullable<ListingAnswer['CommonPrefixes']> } = { Contents: [], CommonPrefixes: [] };
  const open: string[] = [];
  let object: NonNullable<ListingAnswer['Contents']>[number] | undefined;
  let folder: { Prefix?: string } | undefined;
  let textStart = 0;
  let rootClosed = false;
  TAG.lastIndex = 0;
  for (let match = TAG.exec(xml); match; match = TAG.exec(xml)) {
    const inner = match[1];
    const between = xml.slice(textStart, match.index);
    textStart = TAG.lastIndex;
    if (inner.startsWith('?')) {
      if (open.length > 0 || !inner.endsWith('?')) {
        return undefined;
      }
      continue;
    }
    if (inner.startsWith('!')) {
      return undefined;
    }
    if (!inner.startsWith('/')) {
      const name = inner.split(/[\s/]/, 1)[0];
      if (rootClosed || (open.length === 0) !== (name === 'ListBucketResult') || between.trim() !== '') {
        return undefined;
      }
      if (inner.endsWith('/')) {
        // An empty element says nothing the listing needs (an empty <Prefix/> of the request, say).
        continue;
      }
      open.push(name);
      if (open.length === 2 && name === 'Contents') {
        answer.Contents.push((object = {}));
      } else if (open.length === 2 && name === 'CommonPrefixes') {
        answer.CommonPrefixes.push((folder = {}));
      }
      continue;
    }
    const name = inner.slice(1).trim();
    if (open.pop() !== name) {
      return undefined;
    }
    const text = textOf(between);
    if (text === undefined) {
      return undefined;
    }
    const parent = open.at(-1);
    rootClosed = open.length === 0;
    if (open.length === 1) {
      if (name === 'IsTruncated') {
        // Anything but these two is left to the SDK (which refuses it): read as false, it would end a listing silently.
        if (text !== 'true' && text !== 'false') {
          return undefined;
        }
        answer.IsTruncated = text === 'true';
      } else if (name === 'NextContinuationToken') {
        answer.NextContinuationToken = text;
      } else if (name === 'EncodingType') {
        answer.EncodingType = text;
      }
    } else if (open.length === 2 && parent === 'Contents' && object) {
      if (name === 'Key') {
        object.Key = text;
      } else if (name === 'Size') {
        if (!/^\d+$/.test(text)) {
          return undefined;
        }
        object.Size = Number(text);
      } else if (name === 'LastModified') {
        // RFC 3339 with its zone, as the SDK's parser wants it: without one, Date would read local time.
        const date = RFC3339.test(text) ? new Date(text) : undefined;
        if (!date || Number.isNaN(date.getTime())) {
          return undefined;
        }
        object.LastModified = date;
      } else if (name === 'ETag') {
        object.ETag = text;
      }
    } else if (open.length === 2 && parent === 'CommonPrefixes' && folder && name === 'Prefix') {
      folder.Prefix = text;
    }
  }
  // The root closed, and nothing but white space after it.
  return rootClosed && xml.slice(textStart).trim() === '' && answer.IsTruncated !== undefined ? answer : undefined;
}
