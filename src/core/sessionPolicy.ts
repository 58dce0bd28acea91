import type { ObjectStore } from './objectStore';

/**
 * The session policy that narrows temporary credentials to one store, built
 * from the seed's two IAM policies: read actions always, write actions only
 * when the store is not read-only, object actions only on keys under its
 * key_prefix, and listing only under it. Whatever the role or user allows,
 * credentials issued with this policy can do no more than the store can.
 */

/** The seed's read policy, object part ("LogQSReadOnlyAccess"). */
const READ_OBJECT_ACTIONS = ['s3:GetObject', 's3:ListMultipartUploadParts'];
/** The seed's write policy, object part ("LogQSWriteOnlyAccess"). */
const WRITE_OBJECT_ACTIONS = ['s3:PutObject', 's3:AbortMultipartUpload'];

/**
 * A key prefix as text inside an ARN or a StringLike condition, where "*" and
 * "?" are wildcards: they (and "$", which starts a policy variable) become the
 * policy variables that stand for themselves.
 */
export function policyLiteral(text: string): string {
  return text.replace(/[*?$]/g, (char) => `\${${char}}`);
}

/**
 * Why no session policy can hold a store to its key_prefix, or undefined
 * when one can. Only AWS reads ${*}, ${?} and ${$} as the characters
 * themselves; S3-compatible servers (Ceph RGW, MinIO) have no such escapes,
 * so there a prefix with "*" or "?" would be a wildcard reaching keys outside
 * it (and "$" a text that matches nothing).
 */
export function sessionPolicyProblem(store: PolicyScope): string | undefined {
  if (!onAws(store) && /[*?$]/.test(store.key_prefix ?? '')) {
    return `session credentials can't be limited to the key_prefix "${store.key_prefix}" at ${store.endpoint_url}: its policies read "*" and "?" as wildcards, with no way to mean the characters themselves; only AWS can (use a key_prefix without "*", "?" or "$")`;
  }
  // AWS STS takes a session policy of at most 2048 characters (the prefix is in it twice, a character past U+00FF as six).
  const length = onAws(store) ? sessionPolicy(store).length : 0;
  if (length > MAX_AWS_POLICY_CHARACTERS) {
    return `session credentials can't be limited to the key_prefix: the session policy that does it would have ${length} characters, more than the ${MAX_AWS_POLICY_CHARACTERS} AWS STS takes (a shorter key_prefix, or one with fewer characters beyond Latin-1, fits)`;
  }
  return undefined;
}

const MAX_AWS_POLICY_CHARACTERS = 2048;

/** A store on AWS itself: no endpoint_url, or AWS's own S3 endpoint written out (regional, FIPS, China). */
export function onAws(store: { endpoint_url?: string | null }): boolean {
  return !store.endpoint_url || isAwsEndpoint(store.endpoint_url);
}

/** An endpoint_url that is AWS's own S3 (a regional or FIPS endpoint written out), where the escapes hold. */
function isAwsEndpoint(endpointUrl: string): boolean {
  try {
    const host = new URL(endpointUrl).hostname.toLowerCase();
    return /(^|\.)amazonaws\.com(\.cn)?$/.test(host) && s3ServiceLabel(host.split('.')) >= 0;
  } catch {
    return false;
  }
}

/**
 * An AWS S3 host's service label: "s3", "s3-fips", an access point's, an Object Lambda access point's, an
 * Outposts bucket's, a multi-region access point's ("s3-global"), a directory bucket's zone
 * ("s3express-usw2-az1"), or an older one holding the region ("s3-us-west-2", "s3-fips-us-gov-west-1").
 */
const S3_SERVICE_LABEL = /^s3(-fips|-(accesspoint|object-lambda|outposts)(-fips)?|-global|-external-1|-(fips-)?[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d|express(-fips)?-[a-z0-9-]+-az\d+)?$/;

/**
 * Where an AWS host's S3 service label is among its labels (the last such: a
 * bucket named "s3.x" comes before it); -1 for the host of another AWS
 * service, a load balancer's or an EC2 instance's, which may serve MinIO or
 * Ceph under amazonaws.com.
 */
export function s3ServiceLabel(labels: readonly string[]): number {
  let service = labels.length - 1;
  while (service >= 0 && !S3_SERVICE_LABEL.test(labels[service])) {
    service--;
  }
  return service;
}

/** The ARN partition of a store's bucket: AWS's China and GovCloud regions have their own; S3-compatible servers read "aws". */
function partition(store: PolicyScope): string {
  if (!onAws(store) || !store.region_name) {
    return 'aws';
  }
  return store.region_name.startsWith('cn-') ? 'aws-cn' : store.region_name.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}

/** What a session policy is built from: the store's scope, and where it is (AWS's partitions, its limits). */
export type PolicyScope = Pick<ObjectStore, 'bucket_name' | 'key_prefix' | 'read_only'> & { endpoint_url?: string | null; region_name?: string | null };

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: {
    Sid: string;
    Effect: 'Allow';
    Action: string[];
    Resource: string[];
    Condition?: { StringLike: { 's3:prefix': string[] } };
  }[];
}

export function sessionPolicyDocument(store: PolicyScope): PolicyDocument {
  const bucketArn = `arn:${partition(store)}:s3:::${store.bucket_name}`;
  const prefix = policyLiteral(store.key_prefix ?? '');
  const statements: PolicyDocument['Statement'] = [
    {
      Sid: store.read_only ? 'LogQSReadObjects' : 'LogQSReadWriteObjects',
      Effect: 'Allow',
      Action: store.read_only ? READ_OBJECT_ACTIONS : [...READ_OBJECT_ACTIONS, ...WRITE_OBJECT_ACTIONS],
      Resource: [`${bucketArn}/${prefix}*`],
    },
    {
      Sid: 'LogQSListKeys',
      Effect: 'Allow',
      Action: ['s3:ListBucket'],
      Resource: [bucketArn],
      ...(prefix ? { Condition: { StringLike: { 's3:prefix': [`${prefix}*`] } } } : {}),
    },
  ];
  // Listing a bucket's multipart uploads can't be limited to a prefix: granted only when the store is the whole bucket.
  if (!prefix) {
    statements.push({ Sid: 'LogQSListUploads', Effect: 'Allow', Action: ['s3:ListBucketMultipartUploads'], Resource: [bucketArn] });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * The policy as STS takes it (a JSON string). STS accepts only the characters
 * \u0009, \u000A, \u000D and \u0020 to \u00FF in a policy: any other character
 * of a prefix ("データ/", "😀/") is written as its JSON escape, which IAM reads
 * back as the same character.
 */
export function sessionPolicy(store: PolicyScope): string {
  return JSON.stringify(sessionPolicyDocument(store)).replace(/[^\t\n\r\u0020-\u00ff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
