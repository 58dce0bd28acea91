import { LogqsError, cancelledError, isAbort } from '../../core/errors';
import type { ObjectStore } from '../../core/objectStore';
import { awsServiceError, networkCode, serviceErrorText } from '../remoteErrors';

/** Where a store's requests go, as named in messages. */
export function endpointName(store: ObjectStore): string {
  return store.endpoint_url ?? `AWS S3 (${store.region_name})`;
}

/** Turns what the SDK throws into a LogqsError a person can act on. */
export function describeS3Error(error: unknown, store: ObjectStore): LogqsError {
  if (error instanceof LogqsError) {
    return error;
  }
  if (isAbort(error)) {
    return cancelledError(error);
  }
  const where = endpointName(store);
  const network = networkCode(error);
  if (network) {
    return new LogqsError('unreachable', `Can't reach the object store endpoint ${where} (${network})`, { cause: error });
  }
  const { name, status } = awsServiceError(error);
  const detail = `${name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}: ${serviceErrorText(error)}`;
  // RequestTimeout (HTTP 400): the server gave up on a body that stalled (a congested uplink), which the SDK's own retries count as transient too.
  const transient = name === 'SlowDown' || name === 'ServiceUnavailable' || name === 'InternalError' || name === 'RequestTimeout' || name === 'RequestTimeoutException';
  if (transient || (status !== undefined && status >= 500)) {
    // Marked with a server's failing status so a transfer retries it.
    const said = name?.startsWith('RequestTimeout')
      ? `The object store ${where} stopped waiting for data that didn't come (${name}): the connection to it is slow or stalled; try again`
      : `The object store ${where} is busy or failing (${name !== undefined && name !== 'Error' ? name : `HTTP ${status}`}); try again`;
    return new LogqsError('remote', said, {
      cause: error,
      detail,
      status: status !== undefined && status >= 500 ? status : 503,
    });
  }
  // A HEAD's answer has no body, so the SDK can't name its error ("Unknown", "NotFound"): its status says what it was.
  switch (name === 'Unknown' || name === undefined ? statusName(status) : name) {
    case 'InvalidAccessKeyId':
      return new LogqsError('auth', `The access key ID of "${store.name}" was not recognised by ${where}`, { cause: error, detail });
    case 'SignatureDoesNotMatch':
      return new LogqsError('auth', `The secret access key of "${store.name}" was refused by ${where}`, { cause: error, detail });
    case 'ExpiredToken':
    case 'InvalidToken':
      return new LogqsError('auth', `The session credentials for "${store.name}" have expired or are invalid`, { cause: error, detail });
    case 'AccessDenied':
    case 'Forbidden':
      // Ceph and MinIO also answer a wrong key or secret this way, so say all three causes.
      return new LogqsError(
        'forbidden',
        `Access denied to bucket "${store.bucket_name}" for "${store.name}": the access key ID or secret access key is wrong, or the key's policy doesn't allow this`,
        { cause: error, detail },
      );
    case 'NoSuchBucket':
      return new LogqsError('no-such-bucket', `The bucket "${store.bucket_name}" does not exist at ${where}`, { cause: error, detail });
    case 'NoSuchUpload':
      // Completed by a try whose answer was lost (see the upload's completion), or aborted by another client or a lifecycle rule.
      return new LogqsError('not-found', `The multipart upload on ${where} no longer exists (completed, or aborted elsewhere)`, { cause: error, detail, status });
    case 'NoSuchKey':
    case 'NotFound':
      return new LogqsError('not-found', `The object no longer exists in "${store.name}"; refresh the list`, { cause: error, detail });
    case 'PermanentRedirect':
    case 'AuthorizationHeaderMalformed':
      return new LogqsError('remote', `The bucket "${store.bucket_name}" is not in region "${store.region_name}": check region_name`, { cause: error, detail });
    default:
      return new LogqsError('remote', `The object store ${where} answered with an error: ${detail}`, { cause: error, detail, status });
  }
}

/** The error a bodiless answer stands for, by its status: how S3 answers a HEAD it refuses. */
function statusName(status: number | undefined): string | undefined {
  switch (status) {
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 301:
      return 'PermanentRedirect';
    default:
      return undefined;
  }
}
