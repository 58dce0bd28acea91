import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { LogqsError, cancelledError } from '../../core/errors';
import { lazy } from '../../core/lazy';
import type { RangeReader, RangeResponse } from '../../core/transfer';
import { networkCode } from '../remoteErrors';
import { loadNodeHttp } from '../vendor/loaders';

export interface RangeReaderOptions {
  /** How long a connection may stay silent before it counts as broken (and is retried). */
  timeoutMs: () => number;
}

/** What a status means to a transfer: retried (5xx, 429), renewed (403), or final. */
function statusError(status: number, url: URL, body: string): LogqsError {
  const where = url.host;
  // S3 error bodies name the error (<Code>SlowDown</Code>); never the URL's query, which holds the signature.
  const code = /<Code>([^<]{1,64})<\/Code>/.exec(body)?.[1];
  const what = code ? `${code} (HTTP ${status})` : `HTTP ${status}`;
  switch (true) {
    case status === 403:
      return new LogqsError('forbidden', `${where} refused the presigned URL: ${what}`, { status });
    case status === 404:
      return new LogqsError('not-found', `The object is no longer at ${where} (${what}); refresh the list`, { status });
    case status === 412:
      return new LogqsError('changed', `The object changed on ${where} during the download`, { status });
    default:
      return new LogqsError('remote', `${where} answered ${what}`, { status });
  }
}

/**
 * Ranged GETs of presigned URLs on node:http(s), one keep-alive agent per
 * protocol so parts and files reuse connections. The body is the response
 * stream itself: no copy, no buffering beyond the socket's. node:http(s)
 * and the agents are made at the first GET.
 */
export function createRangeReader(options: RangeReaderOptions): RangeReader & { dispose(): void } {
  let agents: { 'http:': HttpAgent; 'https:': HttpsAgent } | undefined;
  const connect = lazy(async () => {
    const { http, https } = await loadNodeHttp();
    agents = {
      'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
      'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
    };
    return { http, https, agents };
  });
  return {
    async get(url, range, signal) {
      const { http, https, agents } = await connect();
      return new Promise<RangeResponse>((resolve, reject) => {
        if (signal.aborted) {
          reject(cancelledError());
          return;
        }
        const target = new URL(url);
        const protocol = target.protocol === 'https:' ? https : http;
        const agent = target.protocol === 'https:' ? agents['https:'] : agents['http:'];
        const headers = { Range: `bytes=${range.start}-${range.end ?? ''}` };
        const request = protocol.get(target, { agent, headers, signal, timeout: options.timeoutMs() }, (response) => {
          const status = response.statusCode ?? 0;
          if (status !== 200 && status !== 206) {
            let body = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => {
              body = (body + chunk).slice(0, 4096);
            });
            response.on('end', () => reject(statusError(status, target, body)));
            response.on('error', () => reject(statusError(status, target, body)));
            return;
          }
          const total = status === 206 ? /\/(\d+)\s*$/.exec(response.headers['content-range'] ?? '')?.[1] : response.headers['content-length'];
          resolve({ status, etag: response.headers.etag, totalSize: total === undefined ? undefined : Number(total), body: response });
        });
        request.on('timeout', () => request.destroy(Object.assign(new Error('no answer in time'), { code: 'ETIMEDOUT' })));
        request.on('error', (error) => {
          if (signal.aborted) {
            reject(cancelledError());
            return;
          }
          reject(new LogqsError('unreachable', `Can't reach ${target.host} (${networkCode(error) ?? (error as NodeJS.ErrnoException).code ?? error.message})`, { cause: error }));
        });
      });
    },
    dispose() {
      agents?.['http:'].destroy();
      agents?.['https:'].destroy();
    },
  };
}
