import * as assert from 'node:assert/strict';
import { LogqsError } from '../../../src/core/errors';
import { onAws, policyLiteral, sessionPolicy, sessionPolicyDocument, sessionPolicyProblem } from '../../../src/core/sessionPolicy';
import { memorySource, validInput } from '../../support/memoryPorts';

const READ = ['s3:GetObject', 's3:ListMultipartUploadParts'];
const READ_WRITE = [...READ, 's3:PutObject', 's3:AbortMultipartUpload'];

describe('session policy', () => {
  for (const keyPrefix of [null, 'logs/', 'a/b/']) {
    for (const readOnly of [true, false]) {
      it(`limits credentials to the bucket${keyPrefix ? ` and "${keyPrefix}"` : ''}, ${readOnly ? 'read actions only' : 'read and write'}`, () => {
        const document = sessionPolicyDocument({ bucket_name: 'robot-logs', key_prefix: keyPrefix, read_only: readOnly });
        assert.equal(document.Version, '2012-10-17');
        const [objects, list, ...rest] = document.Statement;
        assert.deepEqual(objects.Action, readOnly ? READ : READ_WRITE);
        assert.deepEqual(objects.Resource, [`arn:aws:s3:::robot-logs/${keyPrefix ?? ''}*`]);
        assert.equal(objects.Condition, undefined);
        assert.deepEqual(list.Action, ['s3:ListBucket']);
        assert.deepEqual(list.Resource, ['arn:aws:s3:::robot-logs']);
        if (keyPrefix) {
          assert.deepEqual(list.Condition, { StringLike: { 's3:prefix': [`${keyPrefix}*`] } });
          assert.deepEqual(rest, [], 'nothing bucket-wide when the store is a prefix');
        } else {
          assert.equal(list.Condition, undefined);
          assert.deepEqual(rest.map((statement) => statement.Action), [['s3:ListBucketMultipartUploads']]);
        }
        // Never an action the seed's policies don't grant, never a delete.
        const actions = document.Statement.flatMap((statement) => statement.Action);
        assert.ok(actions.every((action) => [...READ_WRITE, 's3:ListBucket', 's3:ListBucketMultipartUploads'].includes(action)), actions.join());
        assert.ok(document.Statement.every((statement) => statement.Effect === 'Allow'));
      });
    }
  }

  it('escapes the characters a policy reads as wildcards or variables', () => {
    assert.equal(policyLiteral('runs*/v?/$HOME/'), 'runs${*}/v${?}/${$}HOME/');
    const document = sessionPolicyDocument({ bucket_name: 'b', key_prefix: 'a*b?c$d/', read_only: true });
    assert.deepEqual(document.Statement[0].Resource, ['arn:aws:s3:::b/a${*}b${?}c${$}d/*']);
    assert.deepEqual(document.Statement[1].Condition, { StringLike: { 's3:prefix': ['a${*}b${?}c${$}d/*'] } });
  });

  it('holds only the characters STS accepts in a policy, whatever the prefix, and means the same prefix', () => {
    for (const keyPrefix of ['データ/', 'robots/😀-run/', 'café/', 'Ωmega/r1-']) {
      const store = { bucket_name: 'b', key_prefix: keyPrefix, read_only: false };
      const policy = sessionPolicy(store);
      // AssumeRole and GetFederationToken: Policy must match [\u0009\u000A\u000D\u0020-\u00FF]+.
      assert.match(policy, /^[\t\n\r\u0020-\u00ff]+$/, `${keyPrefix}: ${policy}`);
      assert.deepEqual(JSON.parse(policy), sessionPolicyDocument(store));
    }
  });

  it('issues nothing for a prefix with "*", "?" or "$" at an S3-compatible server, whose policies have no escapes for them', async () => {
    const scope = { bucket_name: 'b', read_only: false };
    assert.equal(sessionPolicyProblem({ ...scope, key_prefix: 'run*/', endpoint_url: null }), undefined, 'AWS reads ${*} literally');
    assert.equal(sessionPolicyProblem({ ...scope, key_prefix: 'logs/', endpoint_url: 'http://127.0.0.1:7480' }), undefined);
    assert.equal(sessionPolicyProblem({ ...scope, key_prefix: 'run*/', endpoint_url: 'https://s3.eu-west-1.amazonaws.com' }), undefined, 'AWS written out as an endpoint');
    assert.ok(sessionPolicyProblem({ ...scope, key_prefix: 'run*/', endpoint_url: 'https://amazonaws.com.example.org' }));
    // AWS's own S3 however written out; a MinIO or Ceph behind a load balancer or on an EC2 instance's name is not AWS.
    for (const endpoint_url of ['https://s3.amazonaws.com', 'https://s3-us-west-2.amazonaws.com', 'https://s3-fips.dualstack.us-east-1.amazonaws.com', 'https://s3-fips-us-gov-west-1.amazonaws.com', 'https://s3.cn-north-1.amazonaws.com.cn', 'https://s3-external-1.amazonaws.com',
      // An Object Lambda access point, an Outposts access point, a multi-region access point, a directory bucket's zone.
      'https://logs-123456789012.s3-object-lambda.us-east-1.amazonaws.com', 'https://op-01ac5d28a6a232904.s3-outposts.us-west-2.amazonaws.com',
      'https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com', 'https://s3express-usw2-az1.us-west-2.amazonaws.com']) {
      assert.equal(onAws({ endpoint_url }), true, endpoint_url);
    }
    for (const endpoint_url of ['https://minio-1234567890.us-east-1.elb.amazonaws.com', 'https://s3-proxy-1234.us-east-1.elb.amazonaws.com', 'http://ec2-203-0-113-25.compute-1.amazonaws.com:9000']) {
      assert.equal(onAws({ endpoint_url }), false, endpoint_url);
      assert.ok(sessionPolicyProblem({ ...scope, key_prefix: 'run*/', endpoint_url }), endpoint_url);
    }
    let asked = 0;
    const { source } = memorySource({ sessions: async () => { asked++; throw new Error('not reached'); } });
    for (const keyPrefix of ['run*/', 'run?/', 'cost$/']) {
      const store = await source.create(validInput({ name: keyPrefix, key_prefix: keyPrefix, endpoint_url: 'http://127.0.0.1:7480', context: { role_arn: 'arn:aws:iam:::role/logqs' } }));
      await assert.rejects(source.sessionCredentials(store.id, { durationSeconds: 900 }), (error: unknown) => LogqsError.is(error, 'invalid-input') && error.field === 'key_prefix');
    }
    assert.equal(asked, 0);
  });

  it('is valid JSON with quotes, backslashes and non-Latin text in a prefix, as sent to STS', () => {
    const scope = { bucket_name: 'b', key_prefix: 'say "hi"\\/', read_only: false };
    const document = sessionPolicyDocument(scope);
    // The text STS gets (non-Latin-1 characters escaped) reads back as the document.
    assert.deepEqual(JSON.parse(sessionPolicy(scope)), document);
    const unicode = { ...scope, key_prefix: 'ロボット/ç/' };
    assert.ok(!/[^\t\n\r\u0020-\u00ff]/.test(sessionPolicy(unicode)), 'only Latin-1 in the text sent');
    assert.deepEqual(JSON.parse(sessionPolicy(unicode)), sessionPolicyDocument(unicode));
    assert.deepEqual(document.Statement[0].Resource, ['arn:aws:s3:::b/say "hi"\\/*']);
  });
});

/**
 * What an IAM-style evaluation of the policy allows: "*" and "?" are
 * wildcards in resources and StringLike values, ${*} ${?} ${$} stand for
 * themselves. Enough to check which keys each store's credentials reach.
 */
function allows(document: ReturnType<typeof sessionPolicyDocument>, action: string, resource: string, prefix?: string): boolean {
  const matches = (pattern: string, value: string) => {
    const source = pattern
      .split(/(\$\{[*?$]\})/)
      .map((part) => (/^\$\{[*?$]\}$/.test(part) ? part[2].replace(/[*?$]/, (char) => `\\${char}`) : part.replace(/[.+^()|[\]{}\\$]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')))
      .join('');
    return new RegExp(`^${source}$`, 's').test(value);
  };
  return document.Statement.some(
    (statement) =>
      statement.Action.includes(action) &&
      statement.Resource.some((pattern) => matches(pattern, resource)) &&
      (!statement.Condition || (prefix !== undefined && statement.Condition.StringLike['s3:prefix'].some((pattern) => matches(pattern, prefix)))),
  );
}

describe('what session credentials reach', () => {
  const object = (key: string) => `arn:aws:s3:::robot-logs/${key}`;
  const bucket = 'arn:aws:s3:::robot-logs';

  it('reads and lists under the prefix only', () => {
    const policy = sessionPolicyDocument({ bucket_name: 'robot-logs', key_prefix: 'logs/', read_only: true });
    assert.equal(allows(policy, 's3:GetObject', object('logs/run-1/a.bag')), true);
    assert.equal(allows(policy, 's3:GetObject', object('logsx/a.bag')), false);
    assert.equal(allows(policy, 's3:GetObject', object('other/a.bag')), false);
    assert.equal(allows(policy, 's3:GetObject', 'arn:aws:s3:::other-bucket/logs/a.bag'), false);
    assert.equal(allows(policy, 's3:ListBucket', bucket, 'logs/run-1/'), true);
    assert.equal(allows(policy, 's3:ListBucket', bucket, ''), false);
    assert.equal(allows(policy, 's3:ListBucket', bucket, 'other/'), false);
    assert.equal(allows(policy, 's3:PutObject', object('logs/new.bag')), false, 'read-only');
    assert.equal(allows(policy, 's3:DeleteObject', object('logs/a.bag')), false);
  });

  it('writes under the prefix when the store is writable, and never deletes', () => {
    const policy = sessionPolicyDocument({ bucket_name: 'robot-logs', key_prefix: 'a/b/', read_only: false });
    assert.equal(allows(policy, 's3:PutObject', object('a/b/new.bag')), true);
    assert.equal(allows(policy, 's3:PutObject', object('a/new.bag')), false);
    assert.equal(allows(policy, 's3:AbortMultipartUpload', object('a/b/big.bin')), true);
    assert.equal(allows(policy, 's3:DeleteObject', object('a/b/new.bag')), false);
  });

  it('takes a prefix\'s "*", "?" and "$" literally', () => {
    const policy = sessionPolicyDocument({ bucket_name: 'robot-logs', key_prefix: 'run*/', read_only: true });
    assert.equal(allows(policy, 's3:GetObject', object('run*/a.bag')), true);
    assert.equal(allows(policy, 's3:GetObject', object('run-1/a.bag')), false, 'the "*" of the prefix is no wildcard');
    assert.equal(allows(policy, 's3:ListBucket', bucket, 'runX/'), false);
  });

  it('names the bucket in the ARN partition of its AWS region (China, GovCloud), and "aws" on S3-compatible servers', () => {
    const arn = (store: { region_name: string; endpoint_url: string | null }) => sessionPolicyDocument({ bucket_name: 'b', key_prefix: null, read_only: true, ...store }).Statement[1].Resource[0];
    assert.equal(arn({ region_name: 'cn-north-1', endpoint_url: null }), 'arn:aws-cn:s3:::b');
    assert.equal(arn({ region_name: 'cn-north-1', endpoint_url: 'https://s3.cn-north-1.amazonaws.com.cn' }), 'arn:aws-cn:s3:::b');
    assert.equal(arn({ region_name: 'us-gov-west-1', endpoint_url: null }), 'arn:aws-us-gov:s3:::b');
    assert.equal(arn({ region_name: 'eu-west-1', endpoint_url: null }), 'arn:aws:s3:::b');
    assert.equal(arn({ region_name: 'cn-ceph', endpoint_url: 'http://127.0.0.1:7480' }), 'arn:aws:s3:::b');
  });

  it('issues nothing whose policy AWS STS would refuse as longer than 2048 characters, saying the key_prefix is why', () => {
    const scope = { bucket_name: 'my-robot-logs-bucket', read_only: false, region_name: 'us-east-1', endpoint_url: null };
    assert.equal(sessionPolicyProblem({ ...scope, key_prefix: `${'a'.repeat(700)}/` }), undefined);
    assert.match(sessionPolicyProblem({ ...scope, key_prefix: `${'a'.repeat(900)}/` }) ?? '', /key_prefix: the session policy .* \d+ characters, more than the 2048/);
    // Beyond Latin-1 a character is six in the policy: 300 of them are too many, though 900 bytes make a valid prefix.
    assert.ok(sessionPolicyProblem({ ...scope, key_prefix: `${'デ'.repeat(300)}/` }));
    assert.equal(sessionPolicyProblem({ ...scope, key_prefix: `${'a'.repeat(900)}/`, endpoint_url: 'http://127.0.0.1:7480' }), undefined, 'not AWS: its own limits');
  });

  it('reaches the whole bucket, and only it, when the store has no prefix', () => {
    const policy = sessionPolicyDocument({ bucket_name: 'robot-logs', key_prefix: null, read_only: false });
    assert.equal(allows(policy, 's3:GetObject', object('anything/at/all')), true);
    assert.equal(allows(policy, 's3:ListBucket', bucket, ''), true);
    assert.equal(allows(policy, 's3:GetObject', 'arn:aws:s3:::robot-logs-2/x'), false);
  });
});
