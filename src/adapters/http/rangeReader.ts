import * as http from 'node:http';
import * as https from 'node:https';
import { LogqsError } from '../../core/errors';
import type { RangeReader } from '../../core/transfer';

/** Ranged GETs of presigned URLs on node:http(s). (Placeholder until the transfer engine's reader lands.) */
export function createRangeReader(): RangeReader {
  return {
    get(url, range, signal) {
      return new Promise((resolve, reject) => {
        const client = url.startsWith('https:') ? https : http;
        const headers = { Range: `bytes=${range.start}-${range.end ?? ''}` };
        const request = client.get(url, { headers, signal }, (response) => {
          const status = response.statusCode ?? 0;
          if (status !== 200 && status !== 206) {
            response.resume();
            reject(new LogqsError(status === 404 ? 'not-found' : 'remote', `The object store answered HTTP ${status}`));
            return;
          }
          const total = /\/(\d+)$/.exec(response.headers['content-range'] ?? '')?.[1] ?? response.headers['content-length'];
          resolve({ status, etag: response.headers.etag, totalSize: total === undefined ? undefined : Number(total), body: response });
        });
        request.on('error', (error) => reject(new LogqsError('unreachable', `Can't download: ${error.message}`, { cause: error })));
      });
    },
  };
}
