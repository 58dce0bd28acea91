import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { S3ClientCache } from '../../src/adapters/s3/s3Client';
import { s3Gateways } from '../../src/adapters/s3/s3Gateway';
import { stsSessions } from '../../src/adapters/sts/stsSessions';
import { awsCliProfile, boto3Snippet, credentialEnvironment, profileName } from '../../src/core/credentialFormats';
import type { SessionCredentials } from '../../src/core/ports';
import { code } from '../support/assertions';
import { memorySource } from '../support/memoryPorts';
import { adminClient, createBucketWith, deleteBucket, S3_ACCESS_KEY, S3_ENDPOINT, testStoreFields } from '../support/s3Server';
import { temporaryFolder } from '../support/transfers';

/** The role scripts/s3-server.sh creates, which the test user may assume. */
const ROLE_ARN = 'arn:aws:iam:::role/logqs';
/** Debian's own clients, not a pyenv shim that may come first on PATH. */
const PYTHON = '/usr/bin/python3';
const AWS_CLI = '/usr/bin/aws';

/**
 * Session credentials from the real RGW's STS (AssumeRole with the session
 * policy), used with the SDK and with clients nobody here wrote: Debian's
 * boto3 and AWS CLI.
 */
describe('session credentials against a real S3 server with STS', function () {
  this.timeout(120_000);
  let bucket: string;
  const clients = new S3ClientCache(() => ({ timeoutMs: 10_000 }));
  const { source } = memorySource({ gateways: s3Gateways(clients), sessions: stsSessions({ timeoutMs: () => 10_000 }) });
  const admin = adminClient();

  before(async () => {
    bucket = await createBucketWith('sts', {
      'logs/run-1/robot.bag': 'bag bytes',
      'logs/readme.txt': 'hello',
      'other/secret.bag': 'outside the prefix',
    });
  });

  after(async () => {
    admin.destroy();
    clients.dispose();
    if (bucket) await deleteBucket(bucket);
  });

  const addStore = (overrides: Record<string, unknown> = {}) =>
    source.create(testStoreFields(bucket, { key_prefix: 'logs/', context: { role_arn: ROLE_ARN }, ...overrides }));

  const clientWith = (credentials: SessionCredentials) =>
    new S3Client({ region: 'us-east-1', endpoint: S3_ENDPOINT, forcePathStyle: true, credentials, requestChecksumCalculation: 'WHEN_REQUIRED' });

  const refused = async (request: Promise<unknown>) =>
    assert.rejects(request, (error: { name?: string; $metadata?: { httpStatusCode?: number } }) => error.$metadata?.httpStatusCode === 403 || error.name === 'AccessDenied');

  it('lists and reads under the prefix, and nothing outside it', async () => {
    const store = await addStore({ read_only: true });
    const { credentials } = await source.sessionCredentials(store.id, { durationSeconds: 900 });
    assert.match(credentials.accessKeyId, /\S/);
    assert.notEqual(credentials.accessKeyId, S3_ACCESS_KEY);
    const s3 = clientWith(credentials);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'logs/' }));
    assert.deepEqual((listed.Contents ?? []).map((object) => object.Key).sort(), ['logs/readme.txt', 'logs/run-1/robot.bag']);
    const read = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'logs/readme.txt' }));
    assert.equal(await read.Body!.transformToString(), 'hello');
    await refused(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'other/secret.bag' })));
    await refused(s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'other/' })));
    await refused(s3.send(new ListObjectsV2Command({ Bucket: bucket })));
    s3.destroy();
  });

  it('reach a prefix outside Latin-1 (sent to STS escaped), and nothing outside it', async () => {
    const store = await addStore({ key_prefix: 'データ/', read_only: true });
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'データ/a.txt', Body: 'unicode' }));
    const s3 = clientWith((await source.sessionCredentials(store.id, { durationSeconds: 900 })).credentials);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'データ/' }));
    assert.deepEqual((listed.Contents ?? []).map((object) => object.Key), ['データ/a.txt']);
    const read = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'データ/a.txt' }));
    assert.equal(await read.Body!.transformToString(), 'unicode');
    await refused(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'logs/readme.txt' })));
    await refused(s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'logs/' })));
    s3.destroy();
  });

  it('are refused, before any request, for a prefix holding "*", "?" or "$", which RGW\'s policies can\'t take literally', async () => {
    // What the server can't be told exactly must not be granted loosely: run*/ would grant run-1/ as well.
    for (const prefix of ['run*/', 'run?/', 'run$']) {
      const store = await addStore({ key_prefix: prefix, read_only: true });
      await assert.rejects(source.sessionCredentials(store.id, { durationSeconds: 900 }), (error: unknown) => code('invalid-input')(error) && /key_prefix/.test((error as Error).message), prefix);
    }
  });

  it('are refused, saying why, for a prefix holding ":" (a time in a run\'s name), which RGW\'s policies refuse', async () => {
    const store = await addStore({ key_prefix: 'runs/2024-05-01T12:00:00Z/', read_only: true });
    await assert.rejects(source.sessionCredentials(store.id, { durationSeconds: 900 }), (error: unknown) => code('invalid-input')(error) && /":" Ceph RGW's policies refuse/.test((error as Error).message));
  });

  it('refuses writes for a read-only store, and allows them under the prefix only for a writable one', async () => {
    const readOnly = await addStore({ read_only: true });
    const reader = clientWith((await source.sessionCredentials(readOnly.id, { durationSeconds: 900 })).credentials);
    await refused(reader.send(new PutObjectCommand({ Bucket: bucket, Key: 'logs/by-reader.txt', Body: 'x' })));
    reader.destroy();

    const writable = await addStore();
    const writer = clientWith((await source.sessionCredentials(writable.id, { durationSeconds: 900 })).credentials);
    await writer.send(new PutObjectCommand({ Bucket: bucket, Key: 'logs/by-writer.txt', Body: 'written' }));
    const written = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: 'logs/by-writer.txt' }));
    assert.equal(await written.Body!.transformToString(), 'written');
    await refused(writer.send(new PutObjectCommand({ Bucket: bucket, Key: 'other/by-writer.txt', Body: 'x' })));
    writer.destroy();
  });

  it('last the duration asked, and are refused once expired', async () => {
    const store = await addStore({ read_only: true });
    const before = Date.now();
    const { credentials: lasting } = await source.sessionCredentials(store.id, { durationSeconds: 900 });
    const lifetime = lasting.expiration.getTime() - before;
    assert.ok(lifetime > 880_000 && lifetime <= 905_000, `lifetime ${lifetime} ms`);
    // RGW issues shorter ones than AWS's 15-minute minimum: the shortest that can be waited out here.
    const { credentials: brief } = await source.sessionCredentials(store.id, { durationSeconds: 2 });
    const s3 = clientWith(brief);
    await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'logs/' }));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, brief.expiration.getTime() - Date.now()) + 1500));
    await assert.rejects(s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'logs/' })), (error: { $metadata?: { httpStatusCode?: number } }) =>
      error.$metadata?.httpStatusCode === 400 || error.$metadata?.httpStatusCode === 403);
    s3.destroy();
  });

  it('says which call failed and what to configure', async () => {
    const noRole = await addStore({ context: null });
    await assert.rejects(source.sessionCredentials(noRole.id, { durationSeconds: 900 }), (error: unknown) =>
      code('invalid-input')(error) && /needs? a role/.test((error as Error).message) && /role_arn/.test((error as Error).message));
    const wrongKey = await addStore({ secret_access_key: 'not-the-secret' });
    // Said for what it is (RGW answers in S3's form, which the SDK can't name), not as a server without STS.
    await assert.rejects(source.sessionCredentials(wrongKey.id, { durationSeconds: 900 }), (error: unknown) =>
      code('forbidden')(error) && /AssumeRole/.test((error as Error).message) && /secret access key .* is wrong/.test((error as Error).message) && !/no STS/.test((error as Error).message) && !(error as Error).message.includes('not-the-secret'));
    const noSuchRole = await addStore({ context: { role_arn: 'arn:aws:iam:::role/not-there' } });
    await assert.rejects(source.sessionCredentials(noSuchRole.id, { durationSeconds: 900 }), (error: unknown) =>
      code('not-found')(error) && /the role arn:aws:iam:::role\/not-there was not found/.test((error as Error).message));
    const disabled = await addStore({ disabled: true });
    await assert.rejects(source.sessionCredentials(disabled.id, { durationSeconds: 900 }), code('disabled'));
  });

  it('work unchanged in the seed\'s boto3 example (Debian\'s python3-boto3)', async () => {
    const store = await addStore();
    const { credentials } = await source.sessionCredentials(store.id, { durationSeconds: 900 });
    const folder = await temporaryFolder();
    try {
      const script = path.join(folder.dir, 'example.py');
      await fs.writeFile(script, boto3Snippet(store, credentials));
      const output = execFileSync(PYTHON, [script], { cwd: folder.dir, encoding: 'utf8', env: cleanEnvironment() });
      assert.match(output, /Object Key: logs\/readme\.txt \(Size: 5 bytes\)/);
      assert.equal(await fs.readFile(path.join(folder.dir, 'downloaded_log.bag'), 'utf8'), 'Log file content');
      const uploaded = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: 'logs/new_log.bag' }));
      assert.equal(await uploaded.Body!.transformToString(), 'Log file content');
    } finally {
      await folder.remove();
    }
  });

  it('work in the read-only store\'s boto3 example, which uploads nothing and copes with a prefix holding no object', async () => {
    const folder = await temporaryFolder();
    try {
      const run = async (store: Awaited<ReturnType<typeof addStore>>) => {
        const { credentials } = await source.sessionCredentials(store.id, { durationSeconds: 900 });
        const script = path.join(folder.dir, 'example.py');
        await fs.writeFile(script, boto3Snippet(store, credentials));
        return execFileSync(PYTHON, [script], { cwd: folder.dir, encoding: 'utf8', env: cleanEnvironment() });
      };
      await run(await addStore({ read_only: true, key_prefix: 'logs/run-1/' }));
      assert.equal(await fs.readFile(path.join(folder.dir, 'downloaded_log.bag'), 'utf8'), 'bag bytes', 'the first object listed, logs/run-1/robot.bag');
      await fs.rm(path.join(folder.dir, 'downloaded_log.bag'));
      assert.equal(await run(await addStore({ read_only: true, key_prefix: 'nothing-here/' })), '');
      await assert.rejects(fs.stat(path.join(folder.dir, 'downloaded_log.bag')), { code: 'ENOENT' });
    } finally {
      await folder.remove();
    }
  });

  it('work in a terminal opened from a shell that held another session\'s token and expiry (awsume, aws-vault)', async () => {
    const store = await addStore();
    const { credentials } = await source.sessionCredentials(store.id, { durationSeconds: 900 });
    // What the terminal's environment becomes: the editor's, with these set and those removed.
    const inherited = { ...cleanEnvironment(), AWS_SECURITY_TOKEN: 'an-older-sessions-token', AWS_CREDENTIAL_EXPIRATION: '2020-01-01T00:00:00Z', AWS_PROFILE: 'elsewhere' };
    const env: NodeJS.ProcessEnv = { ...inherited };
    for (const [name, value] of Object.entries(credentialEnvironment(store, credentials))) {
      if (value === null) {
        delete env[name];
      } else {
        env[name] = value;
      }
    }
    // The endpoint passed on: Debian's botocore predates AWS_ENDPOINT_URL. The credentials are the environment's.
    const python = ['import boto3, os', 's3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])', `for o in s3.list_objects_v2(Bucket=${JSON.stringify(bucket)}, Prefix="logs/")["Contents"]: print(o["Key"])`];
    const listing = execFileSync(PYTHON, ['-c', python.join('\n')], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
    assert.match(listing, /^logs\/readme\.txt$/m);
  });

  it('work unchanged as a copied profile in Debian\'s AWS CLI: list and copy', async () => {
    const store = await addStore();
    const { credentials } = await source.sessionCredentials(store.id, { durationSeconds: 900 });
    const profile = awsCliProfile(store, credentials);
    const folder = await temporaryFolder();
    try {
      const env = { ...cleanEnvironment(), AWS_CONFIG_FILE: path.join(folder.dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(folder.dir, 'credentials') };
      await fs.writeFile(env.AWS_CONFIG_FILE, profile.config);
      await fs.writeFile(env.AWS_SHARED_CREDENTIALS_FILE, profile.credentials);
      const aws = (...args: string[]) => execFileSync(AWS_CLI, ['--profile', profileName(store), '--endpoint-url', S3_ENDPOINT, ...args], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
      assert.match(aws('s3', 'ls', `s3://${bucket}/logs/`), /readme\.txt/);
      assert.equal(aws('s3', 'cp', `s3://${bucket}/logs/readme.txt`, '-'), 'hello');
      await fs.writeFile(path.join(folder.dir, 'local.txt'), 'from the aws cli');
      aws('s3', 'cp', path.join(folder.dir, 'local.txt'), `s3://${bucket}/logs/from-cli.txt`);
      const copied = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: 'logs/from-cli.txt' }));
      assert.equal(await copied.Body!.transformToString(), 'from the aws cli');
      assert.throws(() => aws('s3', 'cp', `s3://${bucket}/other/secret.bag`, '-'), /AccessDenied|Forbidden|403/);
    } finally {
      await folder.remove();
    }
  });
});

/** The environment without the test runner's own AWS settings, so only the credentials under test are used. */
function cleanEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name.startsWith('AWS_')) {
      delete env[name];
    }
  }
  return env;
}
