import { LogqsError } from '../errors';
import type { DownloadContext, DownloadReport, DownloadRequest, ReadResult, UploadContext, UploadReport, UploadRequest } from './types';

export type * from './types';

const notYet = (what: string) => Promise.reject(new LogqsError('bug', `${what} is not implemented yet`));

/** Downloads objects and folders into targetDir (the transfer engine). */
export function downloadObjects(_context: DownloadContext, _request: DownloadRequest): Promise<DownloadReport> {
  return notYet('Download');
}

/** Uploads local files and folders under a prefix (the transfer engine). */
export function uploadFiles(_context: UploadContext, _request: UploadRequest): Promise<UploadReport> {
  return notYet('Upload');
}

/** Reads one object into memory, refusing one larger than maxBytes. */
export function readObjectBytes(_context: DownloadContext, _key: string, _maxBytes: number, _signal: AbortSignal): Promise<ReadResult> {
  return notYet('Reading an object');
}
