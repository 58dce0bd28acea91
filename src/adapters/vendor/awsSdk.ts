/*
 * The AWS SDK, as much of it as the adapters use. esbuild.mjs builds this
 * file into a bundle of its own (dist/vendor/aws-sdk.js) that the extension
 * requires at the first S3 or STS request (loaders.ts), never at start-up.
 * Only type imports of this module go anywhere else.
 */
export {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
export type { ServerSideEncryption, StorageClass } from '@aws-sdk/client-s3';
export { AssumeRoleCommand, GetFederationTokenCommand, STSClient } from '@aws-sdk/client-sts';
export { getSignedUrl } from '@aws-sdk/s3-request-presigner';
export { SignatureV4 } from '@smithy/signature-v4';
