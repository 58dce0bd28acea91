import { createHash } from 'node:crypto';

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

/**
 * Whether an answer's headers (by lower-case name) say the server encrypts
 * the object with a key of KMS (SSE-KMS, DSSE-KMS) or of the customer's
 * (SSE-C): S3 then makes its ETag otherwise than as the MD5 of its bytes,
 * even where it looks like one. SSE-S3's ETag (AES256) is still the MD5.
 */
export function etagHidesMd5(header: (name: string) => string | undefined): boolean {
  return /^aws:kms/i.test(header('x-amz-server-side-encryption') ?? '') || header('x-amz-server-side-encryption-customer-algorithm') !== undefined;
}

/** An ETag that is the MD5 of the object (a single PUT, unencrypted or SSE-S3: see etagHidesMd5): 32 hex digits, no "-N" multipart suffix. */
export function plainMd5(etag: string | undefined): string | undefined {
  const bare = etag && etagValue(etag);
  return bare && /^[0-9a-f]{32}$/.test(bare) ? bare : undefined;
}

/** The MD5 of some bytes, in hex, as a plain ETag has it. */
export function md5Of(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

/**
 * Whether an object holds exactly `bytes`, as far as its size and ETag tell:
 * only where the ETag is their MD5 (see plainMd5; an ETag of SSE-KMS or
 * SSE-C may look like one and is simply not equal).
 */
export function holdsBytes(object: { etag?: string; size: number }, bytes: Uint8Array): boolean {
  const md5 = plainMd5(object.etag);
  return md5 !== undefined && object.size === bytes.byteLength && md5 === md5Of(bytes);
}
