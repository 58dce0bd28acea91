import type { ObjectStore } from './objectStore';
import type { ObjectDetails } from './ports';
import type { TransferProgress } from './transfer';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** Sizes as people read them: 1000-based like the S3 consoles, one decimal above bytes. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) {
    return '?';
  }
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** Where a store's objects live, as shown beside its name: bucket/key_prefix. */
export function storeLocation(store: Pick<ObjectStore, 'bucket_name' | 'key_prefix'>): string {
  return `${store.bucket_name}/${store.key_prefix ?? ''}`;
}

/** A duration as people read it: "45 s", "3 min 20 s", "2 h 5 min". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) {
    return '?';
  }
  const whole = Math.ceil(seconds);
  if (whole < 60) {
    return `${whole} s`;
  }
  if (whole < 3600) {
    return `${Math.floor(whole / 60)} min ${whole % 60} s`;
  }
  return `${Math.floor(whole / 3600)} h ${Math.floor((whole % 3600) / 60)} min`;
}

/** One line about a running transfer: files done of total, bytes, rate, time left (what is known of them). */
export function describeProgress(progress: TransferProgress): string {
  const parts: string[] = [];
  if (progress.filesTotal !== 1) {
    parts.push(progress.filesTotal === undefined ? `${progress.filesDone} files` : `${progress.filesDone} of ${progress.filesTotal} files`);
  }
  // No bytes and no total of them (a delete counts objects only): nothing to say of bytes.
  if (progress.bytesTotal !== undefined || progress.bytesDone > 0) {
    parts.push(progress.bytesTotal === undefined ? formatBytes(progress.bytesDone) : `${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)}`);
  }
  const rate = progress.bytesPerSecond;
  if (rate !== undefined && rate > 0) {
    parts.push(`${formatBytes(rate)}/s`);
    if (progress.bytesTotal !== undefined && progress.bytesTotal > progress.bytesDone) {
      parts.push(`${formatDuration((progress.bytesTotal - progress.bytesDone) / rate)} left`);
    }
  }
  return parts.join(' · ');
}

/** The s3:// URI of a key (or prefix) as the AWS CLI takes it. */
export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

const UNSAID = '(not given by the LogQS API)';

/** What Show Details lists for one object. */
export function objectDetailRows(store: Pick<ObjectStore, 'name' | 'bucket_name'>, details: ObjectDetails): [string, string][] {
  const rows: [string, string][] = [
    ['Key', details.key],
    ['Object store', store.name],
    ['S3 URI', s3Uri(store.bucket_name, details.key)],
    ['Size', `${formatBytes(details.size)} (${details.size.toLocaleString('en-US')} bytes)`],
    ['ETag', details.etag ?? '(none)'],
    ['Last modified', details.lastModified?.toISOString() ?? '(unknown)'],
  ];
  if (details.metadata === undefined) {
    // Not "(none)": the object may well have both; its source just doesn't say.
    rows.push(['Content type', details.contentType ?? UNSAID], ['User metadata', UNSAID]);
    return rows;
  }
  rows.push(['Content type', details.contentType ?? '(none)']);
  const metadata = Object.entries(details.metadata).sort(([a], [b]) => a.localeCompare(b));
  for (const [name, value] of metadata) {
    rows.push([`Metadata ${name}`, value]);
  }
  if (metadata.length === 0) {
    rows.push(['User metadata', '(none)']);
  }
  return rows;
}
