import * as z from 'zod';
import { parseJsonOrThrow } from './jsonText';
import { endpointUrlSchema } from './objectStore';

/**
 * A connection to a LogQS DataStore: where its API is and which API key
 * speaks to it. The key's secret is not part of it (it lives in secret
 * storage). Settings can come, as the LogQS client takes them, from the
 * LQS_* environment variables or a logqs-config.json file.
 */
export const DEFAULT_API_URL = 'https://api.logqs.com';
export const DEFAULT_API_ENDPOINT_PREFIX = '/apps';

export const datastoreIdSchema = z.string().trim().min(1, 'is required').max(128, 'must be at most 128 characters').regex(/^[\w-]+$/, 'may only hold letters, digits, "-" and "_"');
export const apiKeyIdSchema = z.string().trim().min(1, 'is required').max(256, 'must be at most 256 characters').regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');
export const apiKeySecretSchema = z.string().min(1, 'is required').max(1024, 'must be at most 1024 characters').regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');
export const apiEndpointPrefixSchema = z.string().trim().regex(/^(\/[\w.~-]+)*\/?$/, 'must be a path such as /apps, or empty');

export const connectionSchema = z.object({
  id: z.uuid(),
  name: z.string().trim().min(1, 'is required').max(128, 'must be at most 128 characters'),
  apiUrl: endpointUrlSchema,
  apiEndpointPrefix: apiEndpointPrefixSchema,
  datastoreId: datastoreIdSchema,
  apiKeyId: apiKeyIdSchema,
});
export type Connection = z.infer<typeof connectionSchema>;

/** What a person (or the environment, or a config file) gives to connect; any of it may be missing. */
export interface ConnectionSettings {
  apiUrl?: string;
  apiEndpointPrefix?: string;
  datastoreId?: string;
  apiKeyId?: string;
  apiKeySecret?: string;
}

const nonEmpty = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/** The LogQS client's environment variables, when any is set. */
export function settingsFromEnvironment(env: Record<string, string | undefined>): ConnectionSettings | undefined {
  const settings: ConnectionSettings = {
    apiUrl: nonEmpty(env.LQS_API_URL),
    apiEndpointPrefix: nonEmpty(env.LQS_API_ENDPOINT_PREFIX),
    datastoreId: nonEmpty(env.LQS_DATASTORE_ID),
    apiKeyId: nonEmpty(env.LQS_API_KEY_ID),
    apiKeySecret: nonEmpty(env.LQS_API_KEY_SECRET),
  };
  return Object.values(settings).some((value) => value !== undefined) ? settings : undefined;
}

/** A logqs-config.json (the LogQS client's file: api_url, api_key_id, api_key_secret, datastore_id, api_endpoint_prefix). */
export function settingsFromConfigFile(text: string): ConnectionSettings {
  const json = parseJsonOrThrow(text, 'logqs-config.json');
  const record = (json !== null && typeof json === 'object' ? json : {}) as Record<string, unknown>;
  return {
    apiUrl: nonEmpty(record.api_url),
    apiEndpointPrefix: typeof record.api_endpoint_prefix === 'string' ? record.api_endpoint_prefix.trim() : undefined,
    datastoreId: nonEmpty(record.datastore_id),
    apiKeyId: nonEmpty(record.api_key_id),
    apiKeySecret: nonEmpty(record.api_key_secret),
  };
}

/** The name a DataStore gets in the tree when none is given. */
export function defaultConnectionName(datastoreId: string): string {
  return `LogQS ${datastoreId.slice(0, 8)}`;
}
