/*
 * ETags as the engine reads them, in a module of their own: the range
 * thread checks them too, and its bundle takes only what it imports.
 */

/** An ETag as compared: without W/ and quotes, lower case (an API may pass on S3's ETag unquoted). */
function etagValue(etag: string): string {
  return etag.replace(/^W\//, '').replace(/"/g, '').toLowerCase();
}

/** Whether two ETags name one version of an object, however each was quoted. */
export function sameEtag(a: string, b: string): boolean {
  return etagValue(a) === etagValue(b);
}

/** An ETag that is the MD5 of the object (a single PUT): 32 hex digits, no "-N" multipart suffix. */
export function plainMd5(etag: string | undefined): string | undefined {
  const bare = etag && etagValue(etag);
  return bare && /^[0-9a-f]{32}$/.test(bare) ? bare : undefined;
}
