import { LogqsError } from '../../core/errors';

/**
 * Where an object opened in an editor tab lives, as the parts of a `logqs:`
 * URI: `logqs://<store id>/<key>?source=<source id>`. The key is the path, so
 * the tab is titled with the object's name and its language comes from the
 * extension; the store id (a UUID) is the authority. Pure, so the encoding of
 * keys with spaces, "+", "%", "#", "?" and unicode is unit-tested.
 */
export const OBJECT_SCHEME = 'logqs';

export interface ObjectAddress {
  sourceId: string;
  storeId: string;
  /** The full key. */
  key: string;
}

export interface UriParts {
  scheme: string;
  authority: string;
  path: string;
  query: string;
}

export function toUriParts(address: ObjectAddress): UriParts {
  return {
    scheme: OBJECT_SCHEME,
    authority: address.storeId,
    // Uri.from encodes the path itself when printed; this is the decoded form.
    path: `/${address.key}`,
    query: new URLSearchParams({ source: address.sourceId }).toString(),
  };
}

export function fromUriParts(parts: UriParts): ObjectAddress {
  const sourceId = new URLSearchParams(parts.query).get('source');
  // "/" alone is the store's root folder (key ""), where the Save As dialog and the breadcrumbs go up to.
  if (parts.scheme !== OBJECT_SCHEME || !parts.authority || !sourceId || !parts.path.startsWith('/')) {
    throw new LogqsError('invalid-input', 'This is not the address of an object in a LogQS object store');
  }
  return { sourceId, storeId: parts.authority, key: parts.path.slice(1) };
}
