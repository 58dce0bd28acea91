import { LogqsError, cancelledError, isAbort } from '../../core/errors';
import type { ObjectStore } from '../../core/objectStore';
import type { SessionCredentials, SessionIssuer } from '../../core/ports';
import { onAws } from '../../core/sessionPolicy';
import { awsServiceError, networkCode, serviceErrorText } from '../remoteErrors';
import { loadAwsSdk } from '../vendor/loaders';

export interface StsOptions {
  timeoutMs: () => number;
}

/** A string the store's context gives for `name`, if it gives one. */
function contextString(store: ObjectStore, name: string): string | undefined {
  const value = store.context?.[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Names STS accepts for a session (2–64 of [\w+=,.@-]) and a federated user (2–32). */
function stsName(store: ObjectStore, maxLength: number): string {
  const name = `logqs-${store.name.replace(/[^\w+=,.@-]+/g, '-')}`.slice(0, maxLength);
  return name.length >= 2 ? name : 'logqs';
}

/**
 * Session credentials from STS, with the store's own keys and the core's
 * session policy: AssumeRole when the store's context names a role
 * (context.role_arn, optionally context.external_id), else
 * GetFederationToken on AWS. STS is asked at the store's endpoint for
 * S3-compatible servers (Ceph RGW, MinIO), at AWS STS for AWS stores (an
 * endpoint_url that is AWS's own S3 too: STS is not there). The SDK is
 * loaded at the first request.
 */
export function stsSessions(options: StsOptions): SessionIssuer {
  return async (store, credentials, { policy, durationSeconds, signal }) => {
    const roleArn = contextString(store, 'role_arn');
    // STS at an S3-compatible server's endpoint; AWS's at none (its regional one).
    const endpoint = onAws(store) ? undefined : (store.endpoint_url ?? undefined);
    const where = endpoint ?? `AWS STS (${store.region_name})`;
    if (!roleArn && endpoint) {
      throw new LogqsError(
        'invalid-input',
        `"${store.name}" names no role to assume: session credentials from ${endpoint} need a role. Edit the object store's context to {"role_arn": "arn:aws:iam::…:role/…"} (and "external_id" if the role asks for one)`,
        { field: 'context' },
      );
    }
    const { AssumeRoleCommand, GetFederationTokenCommand, STSClient } = await loadAwsSdk();
    const timeout = options.timeoutMs();
    const client = new STSClient({
      region: store.region_name,
      credentials,
      ...(endpoint ? { endpoint } : {}),
      // Nor an endpoint set outside the record (see createS3Client): the key would be sent to it.
      ignoreConfiguredEndpointUrls: true,
      maxAttempts: 2,
      requestHandler: { connectionTimeout: timeout, requestTimeout: timeout },
    });
    const call = roleArn ? 'AssumeRole' : 'GetFederationToken';
    try {
      const response = roleArn
        ? await client.send(
            new AssumeRoleCommand({
              RoleArn: roleArn,
              RoleSessionName: stsName(store, 64),
              ExternalId: contextString(store, 'external_id'),
              Policy: policy,
              DurationSeconds: durationSeconds,
            }),
            { abortSignal: signal },
          )
        : await client.send(new GetFederationTokenCommand({ Name: stsName(store, 32), Policy: policy, DurationSeconds: durationSeconds }), { abortSignal: signal });
      const issued = response.Credentials;
      if (!issued?.AccessKeyId || !issued.SecretAccessKey || !issued.SessionToken || !issued.Expiration) {
        throw new LogqsError('remote', `${call} at ${where} answered without complete credentials`);
      }
      const session: SessionCredentials = {
        accessKeyId: issued.AccessKeyId,
        secretAccessKey: issued.SecretAccessKey,
        sessionToken: issued.SessionToken,
        expiration: issued.Expiration,
      };
      return session;
    } catch (error) {
      throw describeStsError(error, store, call, where, roleArn);
    } finally {
      client.destroy();
    }
  };
}

/** What an STS failure means, and what to configure, in words; never the server's raw dump. */
export function describeStsError(error: unknown, store: ObjectStore, call: string, where: string, roleArn?: string): LogqsError {
  if (error instanceof LogqsError) {
    return error;
  }
  if (isAbort(error)) {
    return cancelledError(error);
  }
  const network = networkCode(error);
  if (network) {
    return new LogqsError('unreachable', `Can't reach the STS endpoint ${where} for ${call} (${network})`, { cause: error });
  }
  const { name, status } = awsServiceError(error);
  const detail = `${name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}: ${serviceErrorText(error)}`;
  const options = { cause: error, detail, status };
  // Ceph RGW answers STS errors in S3's form, which the SDK can't read ("Unknown", or "NotFound" for a 404): by status, then.
  if (name === 'Unknown' || name === 'NotFound' || name === undefined) {
    const byStatus = stsErrorByStatus(status, call, where, store, roleArn, options);
    if (byStatus) {
      return byStatus;
    }
  }
  switch (name) {
    case 'AccessDenied':
    case 'AccessDeniedException':
      return new LogqsError(
        'forbidden',
        roleArn
          ? `${call} was refused by ${where}: the access key of "${store.name}" must be allowed sts:AssumeRole on ${roleArn}, and the role's trust policy must trust it`
          : `${call} was refused by ${where}: the IAM user of "${store.name}" must be allowed sts:GetFederationToken, or name a role in the store's context (role_arn)`,
        options,
      );
    case 'InvalidClientTokenId':
    case 'InvalidAccessKeyId':
    case 'SignatureDoesNotMatch':
      return new LogqsError('auth', `${call} at ${where} refused the access key or secret access key of "${store.name}"`, options);
    case 'ValidationError':
    case 'ValidationException': {
      // AWS quotes the value it refused (the whole policy, say): its name is enough.
      const message = (error instanceof Error ? error.message : detail).replace(/Value '[^]*?' at '/g, "The value at '");
      const hint = /duration/i.test(message) ? " (check logqs.sessionCredentials.durationSeconds against the role's maximum session duration)" : '';
      return new LogqsError('invalid-input', `${call} at ${where} refused the request: ${message}${hint}`, options);
    }
    case 'PackedPolicyTooLarge':
      return new LogqsError('too-large', `${call} at ${where}: the session policy that limits the credentials to the key_prefix of "${store.name}" is too large (a shorter key_prefix fits)`, options);
    case 'MalformedPolicyDocument':
      return new LogqsError('invalid-input', `${call} at ${where} refused the session policy for "${store.name}" (its bucket_name and key_prefix${colonHint(store)}): ${error instanceof Error ? error.message : detail}`, options);
    case 'RegionDisabledException':
      return new LogqsError('forbidden', `${call}: STS is not activated in ${store.region_name} for the account of "${store.name}" (an administrator activates it in IAM's account settings)`, options);
    case 'NoSuchEntity':
      return new LogqsError('not-found', `${call} at ${where}: the role ${roleArn ?? ''} does not exist; check context.role_arn of "${store.name}"`, options);
    default:
      return new LogqsError(
        'remote',
        `${call} failed at ${where}, which may have no STS (Cloudflare R2 has none): session credentials need STS at the store's endpoint (AWS, Ceph RGW, MinIO) and a role in the store's context (role_arn). ${detail}`,
        options,
      );
  }
}

/** An STS refusal the SDK couldn't name, said by its status (undefined: no status says enough). */
function stsErrorByStatus(
  status: number | undefined,
  call: string,
  where: string,
  store: ObjectStore,
  roleArn: string | undefined,
  options: { cause: unknown; detail: string; status?: number },
): LogqsError | undefined {
  // The same answer may come from a server with no STS at all (Cloudflare R2 has none).
  const orNoSts = `; or ${where} has no STS (Cloudflare R2 has none)`;
  switch (status) {
    case 403:
      return new LogqsError(
        'forbidden',
        `${call} was refused by ${where}: the access key ID or secret access key of "${store.name}" is wrong, or the key may not assume ${roleArn ?? 'a role'} (its policy, and the role's trust policy) (${options.detail})`,
        options,
      );
    case 404:
      return roleArn ? new LogqsError('not-found', `${call} at ${where}: the role ${roleArn} was not found (check context.role_arn of "${store.name}")${orNoSts}`, options) : undefined;
    case 400:
      return new LogqsError(
        'invalid-input',
        `${call} at ${where} refused the request: check logqs.sessionCredentials.durationSeconds against the role's maximum session duration, and the key_prefix of "${store.name}"${colonHint(store)}${orNoSts} (${options.detail})`,
        options,
      );
    default:
      return undefined;
  }
}

/** Ceph RGW's policies refuse a ":" in an object's key (a time in a run's name): said where a prefix holds one. */
function colonHint(store: ObjectStore): string {
  return (store.key_prefix ?? '').includes(':') ? ', whose ":" Ceph RGW\'s policies refuse: use a key_prefix without it' : '';
}
