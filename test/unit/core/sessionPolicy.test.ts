import * as assert from 'node:assert/strict';
import { policyLiteral, sessionPolicyDocument } from '../../../src/core/sessionPolicy';

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

  it('is valid JSON with quotes and backslashes in a prefix', () => {
    const document = sessionPolicyDocument({ bucket_name: 'b', key_prefix: 'say "hi"\\/', read_only: false });
    assert.deepEqual(JSON.parse(JSON.stringify(document)), document);
    assert.deepEqual(document.Statement[0].Resource, ['arn:aws:s3:::b/say "hi"\\/*']);
  });
});
