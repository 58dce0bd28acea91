import type { ObjectStore } from './objectStore';

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
