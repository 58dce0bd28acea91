import * as z from 'zod';
import { LogqsError } from './errors';
import { parseJsonOrThrow } from './jsonText';
import { hasControlChars, keyPrefixProblem } from './keyPrefix';

/**
 * The object-store record and the inputs that create or change it, as the
 * LogQS documentation defines them. secret_access_key is write-only: it is in
 * the create input, never in the record (it lives in SecretStorage).
 */

const noControlChars = (value: string) => !hasControlChars(value);

const blankToNull = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? null : value;

/** An optional text field: blank input means "not set" (null). */
function optionalField<T extends z.ZodType>(schema: T) {
  return z.preprocess(blankToNull, schema.nullable().optional());
}

export const nameSchema = z
  .string({ error: 'is required' })
  .trim()
  .min(1, 'is required')
  .max(128, 'must be at most 128 characters')
  .refine(noControlChars, 'must not contain control characters');

/** S3 bucket naming rules (also what MinIO, Ceph and R2 accept). */
export const bucketNameSchema = z
  .string({ error: 'is required' })
  .trim()
  .min(3, 'must be 3 to 63 characters long')
  .max(63, 'must be 3 to 63 characters long')
  .regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, 'may only hold lowercase letters, digits, dots and hyphens, and must start and end with a letter or digit')
  .refine((v) => !v.includes('..'), 'must not contain two dots in a row')
  .refine((v) => !/^\d{1,3}(\.\d{1,3}){3}$/.test(v), 'must not look like an IP address');

/** AWS regions look like us-east-1; R2 uses "auto", Ceph and MinIO often "default". */
export const regionNameSchema = z
  .string({ error: 'is required' })
  .trim()
  .min(1, 'is required')
  .max(63, 'must be at most 63 characters')
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'may only hold lowercase letters, digits and hyphens (for example us-east-1)');

export const accessKeyIdSchema = z
  .string({ error: 'is required' })
  .trim()
  .min(1, 'is required')
  .max(128, 'must be at most 128 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

export const secretAccessKeySchema = z
  .string({ error: 'is required' })
  .min(1, 'is required')
  .max(256, 'must be at most 256 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

export const endpointUrlSchema = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    // The URL parser drops tabs and line breaks, but the record keeps the text as typed.
    if (hasControlChars(value)) {
      ctx.addIssue({ code: 'custom', message: 'must not contain control characters' });
      return;
    }
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a URL such as https://s3.example.com or http://127.0.0.1:9000' });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: 'must start with http:// or https://' });
    } else if (url.username || url.password) {
      ctx.addIssue({ code: 'custom', message: 'must not contain a user name or password: use the access key fields' });
    } else if (url.search || url.hash) {
      ctx.addIssue({ code: 'custom', message: 'must not contain a query string or fragment' });
    }
  })
  .transform((value) => value.replace(/\/+$/, ''));

/**
 * Why an endpoint_url that names the bucket itself is refused: every request
 * adds the bucket to the endpoint (path style), so the bucket would be in it
 * twice, and keys would be read and written under "<bucket>/" in the bucket.
 * Such URLs are what consoles show for a bucket: R2's "S3 API" URL ends with
 * it, AWS's virtual-hosted URL starts with it. Undefined when the URL is fine.
 */
export function endpointBucketProblem(endpointUrl: string | null | undefined, bucket: string | undefined): string | undefined {
  if (!endpointUrl || !bucket) {
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(endpointUrl.trim());
  } catch {
    return undefined;
  }
  const last = url.pathname.split('/').filter(Boolean).at(-1);
  // Bucket names need no escaping: the segment is compared as written.
  if (last === bucket) {
    return `endpoint_url ends with the bucket "${bucket}": give the service's address without it (the bucket is added to every request)`;
  }
  const host = url.hostname.toLowerCase();
  if (host.startsWith(`${bucket}.`) && /(^|\.)(amazonaws\.com(\.cn)?|r2\.cloudflarestorage\.com)$/.test(host)) {
    return `endpoint_url names the bucket "${bucket}" in its host: give the service's address without it, such as ${host.slice(bucket.length + 1)}`;
  }
  return undefined;
}

/** A key prefix is a raw S3 prefix ("logs/" or "robots/r1-"); its rules live with the other key rules. */
export const keyPrefixSchema = z.string().superRefine((value, ctx) => {
  const problem = keyPrefixProblem(value);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem });
  }
});

export const noteSchema = z.string().max(10_000, 'must be at most 10000 characters');

/** A context's most nesting and size as JSON: a record is checked at every listing, shown whole in Edit's list, and saved with JSON.stringify, which deep nesting overflows. */
const MAX_CONTEXT_DEPTH = 32;
const MAX_CONTEXT_CHARACTERS = 64 * 1024;

/** Why a context is too deep or too large, or undefined when it isn't (looked at without recursion). */
function contextSizeProblem(context: unknown): string | undefined {
  const pending: [unknown, number][] = [[context, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, depth] = next;
    if (value === null || typeof value !== 'object') {
      continue;
    }
    if (depth > MAX_CONTEXT_DEPTH) {
      return `must nest at most ${MAX_CONTEXT_DEPTH} levels`;
    }
    for (const child of Object.values(value)) {
      pending.push([child, depth + 1]);
    }
  }
  return JSON.stringify(context).length > MAX_CONTEXT_CHARACTERS ? `must be at most ${MAX_CONTEXT_CHARACTERS} characters as JSON` : undefined;
}

/** A context as records hold it: any JSON object (one saved by an earlier version, or by another LogQS client, included). */
const storedContextSchema = z.record(z.string(), z.unknown(), { error: 'must be a JSON object' });

/** A context a person or a command gives: held to the limits above. */
export const contextSchema = storedContextSchema.superRefine((context, ctx) => {
  const problem = contextSizeProblem(context);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem });
  }
});

const timestampSchema = z.iso.datetime({ offset: true });

export const objectStoreSchema = z.object({
  id: z.uuid(),
  name: nameSchema,
  bucket_name: bucketNameSchema,
  region_name: regionNameSchema,
  access_key_id: accessKeyIdSchema,
  endpoint_url: endpointUrlSchema.nullable(),
  key_prefix: keyPrefixSchema.nullable(),
  default: z.boolean(),
  managed: z.boolean(),
  disabled: z.boolean(),
  read_only: z.boolean(),
  note: noteSchema.nullable(),
  context: storedContextSchema.nullable(),
  created_at: timestampSchema,
  updated_at: timestampSchema,
});
export type ObjectStore = z.infer<typeof objectStoreSchema>;

export const objectStoreCreateSchema = z.strictObject({
  name: nameSchema,
  bucket_name: bucketNameSchema,
  region_name: regionNameSchema,
  access_key_id: accessKeyIdSchema,
  secret_access_key: secretAccessKeySchema,
  endpoint_url: optionalField(endpointUrlSchema),
  key_prefix: optionalField(keyPrefixSchema),
  default: z.boolean().optional(),
  disabled: z.boolean().optional(),
  read_only: z.boolean().optional(),
  note: optionalField(noteSchema),
  context: contextSchema.nullable().optional(),
});
export type ObjectStoreCreateInput = z.input<typeof objectStoreCreateSchema>;
export type ObjectStoreCreate = z.output<typeof objectStoreCreateSchema>;

/** Fields a person may change after creation (never the credentials, never managed), each with its creation rule. */
export const objectStoreUpdateSchema = objectStoreCreateSchema
  .pick({
    name: true,
    bucket_name: true,
    region_name: true,
    endpoint_url: true,
    key_prefix: true,
    disabled: true,
    read_only: true,
    note: true,
    context: true,
  })
  .partial();
export type ObjectStoreUpdateInput = z.input<typeof objectStoreUpdateSchema>;
export type ObjectStoreUpdate = z.output<typeof objectStoreUpdateSchema>;

/** The fields an edit may name, in the order the Edit command offers them. */
export const EDITABLE_FIELDS = objectStoreUpdateSchema.keyof().options;
export type EditableField = (typeof EDITABLE_FIELDS)[number];

/**
 * What the data plane of a store depends on: when any of it changes, its
 * listings and its clients are stale. (name, note, default are not in it.)
 */
export function dataPlaneKey(store: ObjectStore): string {
  return JSON.stringify([
    store.bucket_name,
    store.region_name,
    store.endpoint_url,
    store.key_prefix,
    store.access_key_id,
    store.disabled,
    store.read_only,
  ]);
}

const IMMUTABLE_FIELDS: Record<string, string> = {
  secret_access_key: 'secret_access_key is write-only and can\'t be changed after creation; create a new object store with the new key',
  access_key_id: 'access_key_id can\'t be changed after creation because its secret can\'t be; create a new object store with the new key',
  managed: 'managed is set by LogQS and can\'t be changed',
  id: 'id can\'t be changed',
  default: 'use "Set as Default" to change the default object store',
};

/** Text fields a person types, each with its creation rule, for live validation of input boxes. */
const { name, bucket_name, region_name, access_key_id, secret_access_key, endpoint_url, key_prefix, note } = objectStoreCreateSchema.shape;
export const typedFieldSchemas = { name, bucket_name, region_name, access_key_id, secret_access_key, endpoint_url, key_prefix, note } as const;
export type TextField = keyof typeof typedFieldSchemas;

/** Returns the message for a bad field value, or undefined when it is fine. */
export function validateField(field: TextField, value: string): string | undefined {
  const result = typedFieldSchemas[field].safeParse(value);
  return result.success ? undefined : `${field} ${result.error.issues[0]?.message ?? 'is invalid'}`;
}

/** Parses with a schema, turning the first problem into a LogqsError naming the field. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) {
    return result.data;
  }
  const issue = result.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    const keys = issue.keys.join(', ');
    throw new LogqsError('invalid-input', `Unknown object store field: ${keys}`, { field: issue.keys[0] });
  }
  const field = issue?.path.map(String).join('.') || undefined;
  const message = field ? `${field} ${issue.message}` : (issue?.message ?? 'Invalid input');
  throw new LogqsError('invalid-input', message, { field });
}

/** Parses a change to a record, explaining why credentials and flags set by LogQS can't change. */
export function parseObjectStoreUpdate(value: unknown): ObjectStoreUpdate {
  if (value !== null && typeof value === 'object') {
    // Own keys on both sides: an input such as {constructor: 'x'} must not match Object's prototype.
    const immutable = Object.keys(value).find((key) => Object.hasOwn(IMMUTABLE_FIELDS, key));
    if (immutable) {
      throw new LogqsError('invalid-input', IMMUTABLE_FIELDS[immutable], { field: immutable });
    }
  }
  return parseInput(objectStoreUpdateSchema, value);
}

/** Parses the context field from the JSON text a person typed. */
export function parseContextJson(text: string): Record<string, unknown> | null {
  if (text.trim() === '') {
    return null;
  }
  const parsed = parseJsonOrThrow(text, 'context', 'context');
  return parseInput(z.object({ context: contextSchema }), { context: parsed }).context;
}
