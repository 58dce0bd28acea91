import { LogqsError } from '../../core/errors';
import type { RangeResponse } from '../../core/transfer';
import { etagHidesMd5 } from '../../core/transfer/etags';

/*
 * What a download makes of an HTTP answer, however it was read (node:http,
 * a socket read directly, or on the range thread): one reading of status,
 * headers and error bodies for all of them.
 */

/** What a status means to a transfer: retried (5xx, 429), renewed ('forbidden': expired), or final. */
export function statusError(status: number, url: URL, body: string): LogqsError {
  const where = url.host;
  // S3 error bodies name the error (<Code>SlowDown</Code>); never the URL's query, which holds the signature.
  const code = /<Code>([^<]{1,64})<\/Code>/.exec(body)?.[1];
  const what = code ? `${code} (HTTP ${status})` : `HTTP ${status}`;
  switch (true) {
    // S3 answers 400 ExpiredToken when the session credentials that signed the URL expired before it: a new URL cures both.
    case status === 403 || code === 'ExpiredToken':
      return new LogqsError('forbidden', `${where} refused the presigned URL: ${what}`, { status });
    case status === 404:
      return new LogqsError('not-found', `The object is no longer at ${where} (${what}); refresh the list`, { status });
    case status === 412:
      return new LogqsError('changed', `The object changed on ${where} during the download`, { status });
    default:
      return new LogqsError('remote', `${where} answered ${what}`, { status });
  }
}

/** 200 (the whole object) or 206 (the range): the answers that carry the object's bytes. */
export const carriesBytes = (status: number) => status === 200 || status === 206;

/** What a transfer needs of an answer that carries bytes, from its headers (by lower-case name), however the client gave them. */
export function rangeResponse<Body>(status: number, header: (name: string) => string | undefined, body: Body, discard?: () => void): RangeResponse<Body> {
  // A 206's Content-Range: "bytes START-END/TOTAL". TOTAL is the whole object's size (a 200's is its length).
  const contentRange = status === 206 ? /(\d+)-(\d+)\/(\d+)\s*$/.exec(header('content-range') ?? '') : undefined;
  const total = status === 206 ? contentRange?.[3] : header('content-length');
  return {
    status,
    etag: header('etag'),
    totalSize: total === undefined ? undefined : Number(total),
    start: contentRange ? Number(contentRange[1]) : undefined,
    end: contentRange ? Number(contentRange[2]) : undefined,
    md5Hidden: etagHidesMd5(header),
    body,
    discard,
  };
}

/** The start of an error answer's body (where S3 names the error), read to its end so the connection can be kept. */
export async function errorText(body: AsyncIterable<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  try {
    for await (const chunk of body) {
      text = (text + decoder.decode(chunk, { stream: true })).slice(0, 4096);
    }
  } catch {
    // The status says what went wrong; a body cut short adds nothing.
  }
  return text;
}
