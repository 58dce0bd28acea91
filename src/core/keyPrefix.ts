import { LogqsError } from './errors';

/**
 * The key_prefix rules of an object store, in one place. A store's prefix
 * scopes every operation: it is prepended to keys that don't already start
 * with it, and nothing outside it is listed, read or written.
 */

/** S3's limit on a key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;
/** A prefix must leave room for at least one byte of key under it. */
export const MAX_PREFIX_BYTES = MAX_KEY_BYTES - 1;

export const byteLength = (text: string) => Buffer.byteLength(text, 'utf8');

/** Segments some servers and HTTP stacks normalise away, letting a key escape its prefix. */
export function hasDotSegment(key: string): boolean {
  return key.split('/').some((segment) => segment === '.' || segment === '..');
}

/** Control characters (C0, DEL and C1): invisible in a name, and refused or mangled by many tools. */
export function hasControlChars(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) {
      return true;
    }
  }
  return false;
}

/**
 * A UTF-16 surrogate without its pair: S3 stores it as U+FFFD, so a prefix
 * holding one is not the prefix of the keys it seems to be the prefix of
 * ("logs\uD83D" before "logs😀/…" in JavaScript, not in bytes).
 */
export function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/** Why a text can't be a store's key_prefix, or undefined when it can (the record schema's rule). */
export function keyPrefixProblem(prefix: string): string | undefined {
  if (byteLength(prefix) > MAX_PREFIX_BYTES) {
    return `must be at most ${MAX_PREFIX_BYTES} bytes (S3 keys are at most ${MAX_KEY_BYTES} bytes, prefix included)`;
  }
  if (prefix.startsWith('/')) {
    return 'must not start with "/" (S3 keys have no leading slash)';
  }
  if (hasControlChars(prefix)) {
    return 'must not contain control characters';
  }
  if (hasLoneSurrogate(prefix)) {
    return 'must be well-formed Unicode (it holds half of a character)';
  }
  if (hasDotSegment(prefix)) {
    return 'must not contain "." or ".." path segments';
  }
  return undefined;
}

function checkKeyShape(key: string): void {
  if (key === '') {
    throw new LogqsError('invalid-input', 'The object key is empty');
  }
  if (byteLength(key) > MAX_KEY_BYTES) {
    throw new LogqsError('invalid-input', `The object key is longer than ${MAX_KEY_BYTES} bytes`);
  }
  if (hasDotSegment(key)) {
    throw new LogqsError('outside-prefix', `The object key "${key}" contains "." or ".." segments, which are refused`);
  }
}

/** A prefix that came without the record schema's check (a LogQS API's record) is held to its Unicode rule here, before it scopes anything. */
function assertWellFormedPrefix(keyPrefix: string | null): void {
  if (keyPrefix && hasLoneSurrogate(keyPrefix)) {
    throw new LogqsError('invalid-input', 'This object store\'s key_prefix is not well-formed Unicode (it holds half of a character); nothing can be scoped by it');
  }
}

/** Throws unless fullKey (a key or a listing prefix) lies under the store's prefix. */
export function assertInScope(keyPrefix: string | null, fullKey: string): void {
  assertWellFormedPrefix(keyPrefix);
  if (hasDotSegment(fullKey)) {
    throw new LogqsError('outside-prefix', `"${fullKey}" contains "." or ".." segments, which are refused`);
  }
  if (keyPrefix && !fullKey.startsWith(keyPrefix)) {
    throw new LogqsError('outside-prefix', `"${fullKey}" is outside this object store's key prefix "${keyPrefix}"`);
  }
}

export function isInScope(keyPrefix: string | null, fullKey: string): boolean {
  return !hasDotSegment(fullKey) && (!keyPrefix || (!hasLoneSurrogate(keyPrefix) && fullKey.startsWith(keyPrefix)));
}

/** The full S3 key for a key a person gave: the prefix is prepended unless already present. */
export function scopeKey(keyPrefix: string | null, key: string): string {
  assertWellFormedPrefix(keyPrefix);
  checkKeyShape(key);
  const fullKey = keyPrefix && !key.startsWith(keyPrefix) ? keyPrefix + key : key;
  checkKeyShape(fullKey);
  return fullKey;
}

/** The S3 prefix to list: the store's own prefix for its root, or a folder under it. */
export function listingPrefix(keyPrefix: string | null, folderPrefix?: string): string {
  if (folderPrefix === undefined || folderPrefix === '') {
    return keyPrefix ?? '';
  }
  assertInScope(keyPrefix, folderPrefix);
  return folderPrefix;
}

/**
 * The S3 prefix that lists what, under a folder (the store's root when
 * undefined), starts with `startsWith`: Find Object's typed text or a
 * folder's filter. The text is literal: only segments it completes ("../")
 * are refused, so ".hid" still finds ".hidden"; nothing above the folder,
 * so nothing outside the key prefix, can be named.
 */
export function narrowedPrefix(keyPrefix: string | null, folderPrefix: string | undefined, startsWith = ''): string {
  const base = listingPrefix(keyPrefix, folderPrefix);
  // At the store's root a pasted full key already holds the key prefix: prepended unless present, as in scopeKey.
  const atRoot = folderPrefix === undefined || folderPrefix === '';
  const text = atRoot && keyPrefix && startsWith.startsWith(keyPrefix) ? startsWith.slice(keyPrefix.length) : startsWith;
  const completed = text.slice(0, text.lastIndexOf('/') + 1);
  if (hasDotSegment(completed.slice(0, -1))) {
    throw new LogqsError('outside-prefix', `"${startsWith}" contains "." or ".." segments, which are refused`);
  }
  const prefix = base + text;
  if (byteLength(prefix) > MAX_KEY_BYTES) {
    throw new LogqsError('invalid-input', `The prefix is longer than ${MAX_KEY_BYTES} bytes`);
  }
  return prefix;
}

/** What every name listed under a listing prefix starts with, as shown: "2024." of "reports/2024.", "" of "logs/". */
export function nameStartIn(base: string): string {
  return base.slice(base.lastIndexOf('/') + 1);
}

/**
 * A folder's filter, the start of its children's names as shown (whole last
 * segments), as the text to list after its listing prefix `base`: the same
 * text, unless the prefix ends inside a name (a key_prefix "reports/2024."
 * shows "2024.01/", so "2024.0" lists after it "0"). Undefined when no name
 * under `base` can start with it ("2025" there).
 */
export function filterAfterPrefix(base: string, filter: string): string | undefined {
  const nameStart = nameStartIn(base);
  if (filter.startsWith(nameStart)) {
    return filter.slice(nameStart.length);
  }
  // Shorter than what every name there starts with: it holds them all.
  return nameStart.startsWith(filter) ? '' : undefined;
}

/** Why a text can't filter a folder's children, or undefined when it can: it is the start of one name. */
export function folderFilterProblem(text: string): string | undefined {
  if (text.includes('/')) {
    return 'A filter is the start of a name in this folder; it can\'t hold "/" (use Find Object… to search deeper)';
  }
  if (hasControlChars(text)) {
    return 'A filter can\'t hold control characters';
  }
  return undefined;
}

/** A key or folder prefix as shown under the folder it was found from ("run-1/robot.bag" under "logs/"). */
export function relativeName(basePrefix: string, fullKey: string): string {
  return fullKey.startsWith(basePrefix) && fullKey !== basePrefix ? fullKey.slice(basePrefix.length) : displayName(fullKey);
}

/**
 * What to show for a key or folder prefix in a listing: its last path segment
 * ("run-001/" for "logs/run-001/", "robot.bag" for "logs/run-001/robot.bag").
 */
export function displayName(fullKey: string): string {
  const isFolder = fullKey.endsWith('/');
  const trimmed = isFolder ? fullKey.slice(0, -1) : fullKey;
  const segment = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  if (segment === '') {
    return fullKey;
  }
  return isFolder ? `${segment}/` : segment;
}
