import { causeChain } from '../core/errors';

/*
 * What a failed request says, read from the error's own fields: no SDK or
 * HTTP-client class is needed to classify an error, so the modules that do
 * it load at start-up without loading a client library (those load at the
 * first request).
 */

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_SOCKET']);

/** The network failure behind an error (a code such as ECONNREFUSED, or TimeoutError), if there is one. */
export function networkCode(error: unknown): string | undefined {
  for (const cause of causeChain(error)) {
    const candidate = cause as { code?: unknown; name?: unknown };
    if (typeof candidate.code === 'string' && NETWORK_CODES.has(candidate.code)) {
      return candidate.code;
    }
    if (candidate.name === 'TimeoutError' || candidate.code === 'TimeoutError') {
      return 'TimeoutError';
    }
  }
  return undefined;
}

/**
 * An AWS service error's name (its error code: NoSuchBucket, AccessDenied…),
 * the HTTP status it came with, and how many tries the SDK client made (its
 * own retries), as the SDK's errors carry them (`name`, `$metadata`).
 */
export function awsServiceError(error: unknown): { name?: string; status?: number; attempts?: number } {
  const candidate = error as { name?: unknown; $metadata?: { httpStatusCode?: unknown; attempts?: unknown } } | null;
  const name = typeof candidate?.name === 'string' ? candidate.name : undefined;
  const status = candidate?.$metadata?.httpStatusCode;
  const attempts = candidate?.$metadata?.attempts;
  return { name, status: typeof status === 'number' ? status : undefined, attempts: typeof attempts === 'number' ? attempts : undefined };
}

/** The start of the hint the SDK adds to an answer it couldn't read. */
const UNREADABLE_HINT = 'Deserialization error: to see the raw response';

/**
 * An answer read without the SDK that isn't the service's, as the SDK's
 * error for an answer it couldn't read: worded as one (serviceErrorText).
 */
export function unreadableAnswer(status: number, contentType: string): Error {
  return Object.assign(new Error(`${UNREADABLE_HINT}, see the answer's content type: ${contentType}`), {
    $response: { headers: { 'content-type': contentType } },
    $metadata: { httpStatusCode: status },
  });
}

/**
 * A failed request's own words, for a message: what the service said, or,
 * for an answer the SDK couldn't read, that, and not the XML parser's words
 * and the SDK's hint about a hidden field. A web page there is a proxy's or
 * a captive portal's, or another server's at that address. Known by the
 * hint's text, which the SDK adds to every answer it couldn't read.
 */
export function serviceErrorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!message.includes(UNREADABLE_HINT)) {
    return message;
  }
  const type = (error as { $response?: { headers?: Record<string, string | undefined> } }).$response?.headers?.['content-type'] ?? '';
  return /html/i.test(type)
    ? 'its answer is a web page, not the service\'s (is a proxy, or another server, answering at that address?)'
    : 'its answer could not be read as the service\'s';
}
