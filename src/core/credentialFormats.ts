import { createHash } from 'node:crypto';
import { LogqsError } from './errors';
import { hasControlChars } from './keyPrefix';
import type { ObjectStore } from './objectStore';
import type { SessionCredentials } from './ports';
import { onAws, s3ServiceLabel } from './sessionPolicy';

/**
 * Session credentials in the forms people paste them: environment variables
 * for bash, fish and PowerShell, an AWS CLI profile, a boto3 snippet like the
 * seed's. All hold secrets: they go to the clipboard or a terminal's
 * environment, never to a log.
 */

type Store = Pick<ObjectStore, 'name' | 'bucket_name' | 'region_name' | 'endpoint_url' | 'key_prefix' | 'read_only'>;

export type Shell = 'bash' | 'fish' | 'powershell';

/**
 * The comment each form starts with: whose credentials, and until when. In
 * the bash form the store's name is single-quoted: zsh, unless told
 * otherwise (interactive_comments), runs a pasted "#" line as a command, and
 * would expand a "$(…)" in a name between double quotes.
 */
const header = (store: Store, credentials: SessionCredentials, shell?: Shell) =>
  `# Session credentials for the LogQS object store ${shell === 'bash' ? quote(store.name, 'bash') : `"${store.name}"`}, valid until ${credentials.expiration.toISOString()}`;

/**
 * Credentials to be pasted (into a shell, a profile file) are refused if
 * they hold a control character, from a server that misbehaves: a line
 * break would end the value and start a command or a profile of its own,
 * and a terminal acts on others (Ctrl-C, the end of a bracketed paste)
 * even between quotes. Refused without quoting them: they are secret.
 */
function assertPasteable(credentials: SessionCredentials, form: string): void {
  if ([credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken].some(hasControlChars)) {
    throw new LogqsError('remote', `The session credentials hold a line break or another control character, which would break out of ${form}; copy them in another form`);
  }
}

/**
 * The environment a terminal gets: what the AWS CLI and SDKs read. Null is
 * a variable removed: a profile, an older session's token (botocore reads
 * AWS_SECURITY_TOKEN before AWS_SESSION_TOKEN), or an endpoint set for other
 * work (a LocalStack's AWS_ENDPOINT_URL, say) would send these credentials,
 * and their requests, elsewhere than the store. On AWS the endpoints
 * configured anywhere (a profile's endpoint_url too) are ignored, and a FIPS
 * or dual-stack endpoint written out is asked for by its switches, which
 * apply then; elsewhere the store's is AWS_ENDPOINT_URL, which wins over a
 * profile's.
 */
export function credentialEnvironment(store: Store, credentials: SessionCredentials): Record<string, string | null> {
  const aws = onAws(store);
  const labels = aws && store.endpoint_url ? s3HostLabels(store.endpoint_url) : [];
  return {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
    AWS_SECURITY_TOKEN: null,
    AWS_CREDENTIAL_EXPIRATION: credentials.expiration.toISOString(),
    AWS_REGION: store.region_name,
    AWS_DEFAULT_REGION: store.region_name,
    AWS_ENDPOINT_URL: aws ? null : (store.endpoint_url ?? null),
    AWS_ENDPOINT_URL_S3: null,
    AWS_ENDPOINT_URL_STS: null,
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: aws ? 'true' : null,
    // s3-fips.us-east-1.amazonaws.com, s3-fips.dualstack.…, s3.dualstack.…: otherwise the terminal would reach plain S3.
    // Another server's endpoint can't be combined with either (the SDKs refuse it): one set in the shell or the
    // default profile is turned off. On AWS otherwise the person's own choice stands.
    ...(!aws ? { AWS_USE_FIPS_ENDPOINT: 'false' } : /^s3((-accesspoint|-object-lambda|-outposts)?-fips|express-fips-)/.test(labels[0] ?? '') ? { AWS_USE_FIPS_ENDPOINT: 'true' } : {}),
    ...(!aws ? { AWS_USE_DUALSTACK_ENDPOINT: 'false' } : labels.includes('dualstack') ? { AWS_USE_DUALSTACK_ENDPOINT: 'true' } : {}),
    AWS_PROFILE: null,
    AWS_DEFAULT_PROFILE: null,
  };
}

/**
 * An AWS endpoint's host from its service label on ("s3-fips", "dualstack", region…; GovCloud's older
 * "s3-fips-us-gov-west-1"): a bucket's name before it is not read.
 */
function s3HostLabels(endpointUrl: string): string[] {
  try {
    const labels = new URL(endpointUrl).hostname.toLowerCase().split('.');
    const service = s3ServiceLabel(labels);
    return service < 0 ? [] : labels.slice(service);
  } catch {
    return [];
  }
}

/** Single-quoted for bash, fish and PowerShell alike (each doubles or escapes a quote its own way). */
function quote(value: string, shell: Shell): string {
  switch (shell) {
    case 'bash':
      return `'${value.replace(/'/g, `'\\''`)}'`;
    case 'fish':
      return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    case 'powershell':
      // PowerShell reads the typographic single quotes ‘ ’ ‚ ‛ as quotes too: each is doubled like '.
      return `'${value.replace(/['\u2018-\u201b]/g, '$&$&')}'`;
  }
}

export function environmentSnippet(store: Store, credentials: SessionCredentials, shell: Shell): string {
  assertPasteable(credentials, 'a shell snippet');
  const lines = Object.entries(credentialEnvironment(store, credentials)).map(([name, value]) => {
    switch (shell) {
      case 'bash':
        return value === null ? `unset ${name}` : `export ${name}=${quote(value, shell)}`;
      case 'fish':
        return value === null ? `set -e ${name}` : `set -gx ${name} ${quote(value, shell)}`;
      case 'powershell':
        return value === null ? `Remove-Item Env:${name} -ErrorAction SilentlyContinue` : `$env:${name} = ${quote(value, shell)}`;
    }
  });
  return [header(store, credentials, shell), ...lines].join('\n') + '\n';
}

/**
 * A profile name the AWS CLI accepts, from the store's name. A name that
 * had to change to become one ("Robot Logs", "ロボット") gets a short hash
 * of itself, so that two stores never share a profile ("Robot Logs" and
 * "robot-logs", "Logs" and "logs"): pasting one would replace the other's.
 */
export function profileName(store: Pick<ObjectStore, 'name'>): string {
  const plain = store.name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return plain === store.name ? `logqs-${plain}` : `logqs-${plain || 'store'}-${createHash('sha256').update(store.name).digest('hex').slice(0, 6)}`;
}

/**
 * The two blocks of an AWS CLI profile: one for ~/.aws/config, one for
 * ~/.aws/credentials. Its values are not quoted (the format has no quotes):
 * a credential holding a line break, from a server that misbehaves, would
 * write other profiles ("[default]") into the file it is pasted into, and
 * is refused (without quoting it: it is secret).
 */
export function awsCliProfile(store: Store, credentials: SessionCredentials): { config: string; credentials: string; text: string } {
  assertPasteable(credentials, 'an AWS CLI profile');
  const name = profileName(store);
  const config = [
    `[profile ${name}]`,
    `region = ${store.region_name}`,
    ...(store.endpoint_url ? [`endpoint_url = ${store.endpoint_url}`] : []),
  ].join('\n') + '\n';
  const credentialsBlock = [
    `[${name}]`,
    `aws_access_key_id = ${credentials.accessKeyId}`,
    `aws_secret_access_key = ${credentials.secretAccessKey}`,
    `aws_session_token = ${credentials.sessionToken}`,
  ].join('\n') + '\n';
  // A command to copy: the store's values in it quoted for a POSIX shell.
  const listing = quote(`s3://${store.bucket_name}/${store.key_prefix ?? ''}`, 'bash');
  const usage = store.endpoint_url
    ? `# Use: aws --profile ${name} --endpoint-url ${quote(store.endpoint_url, 'bash')} s3 ls ${listing}\n# (AWS CLI 2.13 and later read endpoint_url from the profile and need no --endpoint-url.)`
    : `# Use: aws --profile ${name} s3 ls ${listing}`;
  const text = [
    header(store, credentials),
    usage,
    '',
    '# ~/.aws/config',
    config,
    '# ~/.aws/credentials',
    credentialsBlock,
  ].join('\n');
  return { config, credentials: credentialsBlock, text };
}

/** A Python string literal. */
const py = (value: string) => JSON.stringify(value);

/**
 * The seed's boto3 example with the store filled in: list under its
 * key_prefix, upload (unless the store is read-only) and download.
 */
export function boto3Snippet(store: Store, credentials: SessionCredentials): string {
  const prefix = store.key_prefix ?? '';
  const bucket = py(store.bucket_name);
  const listArguments = prefix ? `Bucket=${bucket}, Prefix=${py(prefix)}` : `Bucket=${bucket}`;
  // A read-only store gets no upload; what it downloads is its first object, if it has one.
  const upload = store.read_only
    ? ['# This object store is read-only: nothing is uploaded to it.', 'contents = response.get("Contents", [])', 'key = contents[0]["Key"] if contents else None']
    : ['# Upload an object to the bucket', `key = ${py(`${prefix}new_log.bag`)}`, `s3_client.put_object(Bucket=${bucket}, Key=key, Body=b"Log file content")`];
  return [
    header(store, credentials),
    'import boto3',
    '',
    's3_client = boto3.client(',
    '    "s3",',
    `    aws_access_key_id=${py(credentials.accessKeyId)},`,
    `    aws_secret_access_key=${py(credentials.secretAccessKey)},`,
    `    aws_session_token=${py(credentials.sessionToken)},`,
    `    region_name=${py(store.region_name)},`,
    ...(store.endpoint_url ? [`    endpoint_url=${py(store.endpoint_url)},`] : []),
    ')',
    '',
    '# List objects in the bucket',
    `response = s3_client.list_objects_v2(${listArguments})`,
    '',
    'for obj in response.get("Contents", []):',
    `    print(f"Object Key: {obj['Key']} (Size: {obj['Size']} bytes)")`,
    '',
    ...upload,
    '',
    // download_file streams to disk in parts: a log of gigabytes is never read into memory whole.
    '# Download an object from the bucket (to disk as it comes, whatever its size)',
    ...(store.read_only ? ['if key is not None:', `    s3_client.download_file(${bucket}, key, "downloaded_log.bag")`] : [`s3_client.download_file(${bucket}, key, "downloaded_log.bag")`]),
    '',
  ].join('\n');
}
