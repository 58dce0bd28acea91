import * as z from 'zod';
import { hasControlChars } from '../../core/keyPrefix';
import { type ObjectStore, objectStoreSchema } from '../../core/objectStore';
import type { ObjectSummary, SessionCredentials } from '../../core/ports';

/**
 * The LogQS API's resources (../shared/reference/logqs-api.md), one schema
 * each. The object store is the embedded record's schema, extended with what
 * LogQS adds and loosened where LogQS may send what the extension would not
 * accept as input (a managed store without an access key, a region unset):
 * the shape is checked strictly, the content is LogQS's to decide.
 */

/** Python-style timestamps, with or without an offset, any precision. */
const timestamp = z.iso.datetime({ offset: true, local: true });
const uuidOrNull = z.string().nullable().optional();

/** Loosened, but never a line break or other control character: these reach copied AWS CLI profiles and shell snippets. */
const text = () => z.string().refine((value) => !hasControlChars(value), 'must not contain control characters');

export const apiObjectStoreSchema = objectStoreSchema.extend({
  bucket_name: text().min(1),
  region_name: text().nullable(),
  access_key_id: text().nullable(),
  endpoint_url: text().nullable(),
  key_prefix: text().nullable(),
  note: z.string().nullable(),
  created_at: timestamp,
  updated_at: timestamp.nullable(),
  timestamp: timestamp.nullable().optional(),
  deleted_at: timestamp.nullable().optional(),
  created_by: uuidOrNull,
  updated_by: uuidOrNull,
  deleted_by: uuidOrNull,
});
export type ApiObjectStore = z.infer<typeof apiObjectStoreSchema>;

/** `{"data": …}`: a fetched resource. */
export const dataEnvelope = <T extends z.ZodType>(item: T) => z.object({ data: item });

/** A list: `{offset, limit, order, sort, count, data: […]}`. */
export const listEnvelope = <T extends z.ZodType>(item: T) =>
  z.object({ offset: z.number().int(), limit: z.number().int(), count: z.number().int(), data: z.array(item) });

export const sessionCredentialsSchema = z.object({
  access_key_id: z.string().min(1),
  secret_access_key: z.string().min(1),
  session_token: z.string().min(1),
  expiration: timestamp,
});

export const apiObjectSchema = z.object({
  key: z.string(),
  etag: z.string().nullable().optional(),
  size: z.number().int().nonnegative(),
  last_modified: timestamp.nullable().optional(),
  presigned_url: z.string().nullable().optional(),
  upload_state: z.string().nullable().optional(),
});

/** S3's ListObjectsV2 in snake case. */
export const objectListSchema = z
  .object({
    data: z.array(apiObjectSchema),
    is_truncated: z.boolean(),
    next_continuation_token: z.string().nullable().optional(),
    common_prefixes: z.array(z.string()).nullable().optional(),
  })
  .superRefine((answer, ctx) => {
    // A listing goes on while there is a token: a truncated page without one would end a folder's download or delete
    // silently part way.
    if (answer.is_truncated && !answer.next_continuation_token) {
      ctx.addIssue({ code: 'custom', path: ['next_continuation_token'], message: 'missing, though is_truncated is true' });
    }
  });

/** A datetime as LogQS writes it (no offset means UTC). */
export function apiDate(value: string): Date {
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
}

/**
 * The record the tree and commands use. A region LogQS leaves unset is AWS's
 * default (S3 requests must be signed for one); an access key it doesn't
 * show is shown as empty.
 */
export function toObjectStore(record: ApiObjectStore): ObjectStore {
  return {
    id: record.id,
    name: record.name,
    bucket_name: record.bucket_name,
    region_name: record.region_name ?? 'us-east-1',
    access_key_id: record.access_key_id ?? '',
    endpoint_url: record.endpoint_url,
    key_prefix: record.key_prefix,
    default: record.default,
    managed: record.managed,
    disabled: record.disabled,
    read_only: record.read_only,
    note: record.note,
    context: record.context,
    created_at: apiDate(record.created_at).toISOString(),
    updated_at: apiDate(record.updated_at ?? record.created_at).toISOString(),
  };
}

export function toSessionCredentials(data: z.infer<typeof sessionCredentialsSchema>): SessionCredentials {
  return { accessKeyId: data.access_key_id, secretAccessKey: data.secret_access_key, sessionToken: data.session_token, expiration: apiDate(data.expiration) };
}

export function toObjectSummary(object: z.infer<typeof apiObjectSchema>): ObjectSummary {
  return {
    key: object.key,
    size: object.size,
    etag: object.etag ?? undefined,
    lastModified: object.last_modified ? apiDate(object.last_modified) : undefined,
  };
}
