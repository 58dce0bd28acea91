import * as assert from 'node:assert/strict';
import { describeProgress, formatBytes, formatDuration, objectDetailRows } from '../../../src/core/format';
import { redact, redactValues } from '../../../src/core/redact';

describe('formatBytes', () => {
  it('shows bytes, then one decimal in 1000-based units', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(999), '999 B');
    assert.equal(formatBytes(1000), '1.0 KB');
    assert.equal(formatBytes(1_048_576), '1.0 MB');
    assert.equal(formatBytes(5_500_000_000_000), '5.5 TB');
    assert.equal(formatBytes(-1), '?');
  });
});

describe('transfer progress in words', () => {
  it('says files of total, bytes of total, rate and time left when known', () => {
    assert.equal(describeProgress({ filesDone: 3, filesTotal: 120, bytesDone: 45_200_000, bytesTotal: 1_200_000_000, bytesPerSecond: 85_000_000 }),
      '3 of 120 files · 45.2 MB of 1.2 GB · 85.0 MB/s · 14 s left');
    assert.equal(describeProgress({ filesDone: 7, bytesDone: 2000 }), '7 files · 2.0 KB');
    assert.equal(describeProgress({ filesDone: 0, filesTotal: 1, bytesDone: 0, bytesTotal: 10 }), '0 B of 10 B');
    assert.equal(describeProgress({ filesDone: 40, filesTotal: 42, bytesDone: 0 }), '40 of 42 files', 'a delete: objects, no bytes');
  });

  it('says durations in seconds, minutes and hours', () => {
    assert.deepEqual([formatDuration(0.2), formatDuration(59), formatDuration(200), formatDuration(7500)], ['1 s', '59 s', '3 min 20 s', '2 h 5 min']);
  });

  it('lists an object\'s details with its S3 URI and user metadata', () => {
    const rows = objectDetailRows({ name: 'robots', bucket_name: 'b' }, { key: 'logs/a b.bag', size: 1500, etag: '"x"', metadata: { zeta: '1', alpha: '2' } });
    assert.deepEqual(rows.slice(-2), [['Metadata alpha', '2'], ['Metadata zeta', '1']]);
    assert.ok(rows.some(([name, value]) => name === 'S3 URI' && value === 's3://b/logs/a b.bag'), JSON.stringify(rows));
  });

  it('says the type and user metadata of an object from the LogQS API are not given, not that there are none', () => {
    const rows = objectDetailRows({ name: 'robots', bucket_name: 'b' }, { key: 'logs/a.bag', size: 1, etag: '"x"' });
    assert.deepEqual(rows.slice(-2), [['Content type', '(not given by the LogQS API)'], ['User metadata', '(not given by the LogQS API)']]);
    const described = objectDetailRows({ name: 'robots', bucket_name: 'b' }, { key: 'logs/a.bag', size: 1, etag: '"x"', metadata: {} });
    assert.deepEqual(described.slice(-2), [['Content type', '(none)'], ['User metadata', '(none)']]);
  });
});

describe('redact', () => {
  /** Asserts that none of the secrets survive in redact(text), and returns the redacted text. */
  function scrubbed(text: string, secrets: string[]): string {
    const out = redact(text);
    for (const secret of secrets) {
      assert.ok(!out.includes(secret), `${secret} leaked in ${out}`);
    }
    return out;
  }

  it('removes presigned URL signatures, credentials and tokens', () => {
    const url = 'http://127.0.0.1:7480/b/logs/a.bag?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F2026&X-Amz-Signature=abc123&X-Amz-Security-Token=TOKENVALUE&X-Amz-Expires=60';
    const out = scrubbed(`GET ${url} failed`, ['abc123', 'AKIA%2F2026', 'TOKENVALUE']);
    assert.match(out, /X-Amz-Algorithm=AWS4-HMAC-SHA256/);
    assert.match(out, /X-Amz-Expires=60 failed$/);
  });

  it('removes the signatures of the other presigned URLs a DataStore may hand out (SigV2, Google Cloud Storage, CloudFront, Azure SAS)', () => {
    assert.match(scrubbed('GET http://h/b/k?AWSAccessKeyId=AKIA1&Expires=1700000000&Signature=v2SiGnAtUrE%3D failed', ['v2SiGnAtUrE']), /Expires=1700000000&Signature=<redacted> failed$/);
    scrubbed('https://storage.googleapis.com/b/k?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=svc%40proj%2F20261202&X-Goog-Signature=9f8e7d6c5b4a', ['svc%40proj', '9f8e7d6c5b4a']);
    scrubbed('https://d111.cloudfront.net/k?Expires=1700000000&Signature=cfSig~abc__&Key-Pair-Id=K2JCJMDEHXQW5F', ['cfSig~abc__']);
    scrubbed('https://acct.blob.core.windows.net/c/k?sv=2022-11-02&se=2026-12-03&sp=r&sig=azSaS%2Bsig%3D', ['azSaS%2Bsig']);
    scrubbed('next=https%3A%2F%2Fh%2Fk%3FExpires%3D1%26Signature%3Dencv2sig%26x%3D1', ['encv2sig']);
    // A name that merely ends so is not a signature: nothing to hide, nothing hidden.
    assert.equal(redact('GET /k?designature=plain&mysig=plain'), 'GET /k?designature=plain&mysig=plain');
  });

  it('removes secrets written as key=value or JSON', () => {
    const out = scrubbed('{"secret_access_key":"s3cr3t","name":"n"} aws_secret_access_key=abc sessionToken: "zzz" Authorization: AWS4 xyz', ['s3cr3t', 'abc', 'zzz', 'xyz']);
    assert.match(out, /"name":"n"/);
  });

  it('removes a quoted secret whole, spaces included', () => {
    scrubbed('{"secret_access_key": "first half second-half"}', ['first', 'half', 'second-half']);
  });

  it('removes the x-amz-security-token header as sent and as dumped', () => {
    scrubbed('PUT /b/k HTTP/1.1\r\nx-amz-security-token: FQoGZXIvYXdzEJr1\r\nhost: x', ['FQoGZXIvYXdzEJr1']);
    scrubbed("headers: { 'X-Amz-Security-Token': 'IQoJb3JpZ2luX2VjEJr2', host: 'x' }", ['IQoJb3JpZ2luX2VjEJr2']);
    scrubbed('{"X-Amz-Security-Token":"AgoJb3JpZ2luX2VjEJr3"}', ['AgoJb3JpZ2luX2VjEJr3']);
  });

  it('removes session tokens and secret keys in the forms credentials are copied as', () => {
    scrubbed('[profile s]\naws_access_key_id = ASIAKEY\naws_secret_access_key = INIsecret1\naws_session_token = INItoken1\n', ['INIsecret1', 'INItoken1']);
    scrubbed('export AWS_SECRET_ACCESS_KEY=BASHsecret2\nexport AWS_SESSION_TOKEN=BASHtoken2', ['BASHsecret2', 'BASHtoken2']);
    scrubbed("set -gx AWS_SECRET_ACCESS_KEY 'FISHsecret3'; set -gx AWS_SESSION_TOKEN FISHtoken3", ['FISHsecret3', 'FISHtoken3']);
    scrubbed('$env:AWS_SECRET_ACCESS_KEY = "PSsecret4"; $env:AWS_SESSION_TOKEN="PStoken4"', ['PSsecret4', 'PStoken4']);
    scrubbed('aws_session_token=a s3_client(aws_session_token="PYtoken5")', ['PYtoken5']);
  });

  it('removes an API key secret and a Bearer header', () => {
    scrubbed('LQS_API_KEY_SECRET=lqsSecret6 Authorization: Bearer YWJjOmRlZg==', ['lqsSecret6', 'YWJjOmRlZg==']);
  });

  it('removes single-quoted secrets whole, shell quote escapes included', () => {
    scrubbed("export AWS_SECRET_ACCESS_KEY='se'\\''cr/et1'", ['cr/et1']);
    scrubbed("set -gx AWS_SESSION_TOKEN 'to\\'ken2'", ['ken2']);
    scrubbed("$env:AWS_SECRET_ACCESS_KEY = 'se''cr3'", ['cr3']);
    scrubbed('{"secret_access_key": "a\\"quoted\\" secret4", "name": "n"}', ['quoted', 'secret4']);
  });

  it('removes a signature in a percent-encoded URL, STS secrets in XML, and a password in a URL', () => {
    const encoded = 'next=http%3A%2F%2Fh%2Fb%2Fk%3FX-Amz-Credential%3DAKIAENC%252F2026%26X-Amz-Signature%3Dencsig9%26X-Amz-Expires%3D60';
    assert.match(scrubbed(encoded, ['AKIAENC', 'encsig9']), /%26X-Amz-Expires%3D60$/);
    scrubbed('<Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>xmlSecret7</SecretAccessKey><SessionToken>xmlToken7</SessionToken></Credentials>', ['xmlSecret7', 'xmlToken7']);
    assert.equal(scrubbed('proxy https://me:pa55word@proxy.example:3128/ refused', ['pa55word']), 'proxy https://me:<redacted>@proxy.example:3128/ refused');
  });

  it('leaves prose about the fields alone', () => {
    const text = 'secret_access_key is write-only and can\'t be changed after creation';
    assert.equal(redact(text), text);
  });
});

describe('redactValues', () => {
  const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  /** Every run of 6 characters of the secret: none may be left in a scrubbed text. */
  const fragments = Array.from({ length: SECRET.length - 5 }, (_, at) => SECRET.slice(at, at + 6));

  it('scrubs a secret echoed whole, truncated, cut in two or wrapped in other words, and keeps the rest', () => {
    const echoes = [
      `secret_access_key: invalid value '${SECRET}'`,
      `input_value='${SECRET.slice(0, 17)}...${SECRET.slice(-9)}', input_type=str`,
      `bad key ${SECRET.slice(3, 25)} given`,
      `${SECRET}`,
    ];
    for (const echo of echoes) {
      const scrubbed = redactValues(echo, [SECRET]);
      assert.ok(!fragments.some((fragment) => scrubbed.includes(fragment)), scrubbed);
      assert.ok(scrubbed.includes('<redacted>'), scrubbed);
    }
    assert.equal(redactValues(`secret_access_key: invalid value '${SECRET}'`, [SECRET]), "secret_access_key: invalid value '<redacted>'");
    assert.equal(redactValues(`input_value='${SECRET.slice(0, 17)}...${SECRET.slice(-9)}'`, [SECRET]), "input_value='<redacted>...<redacted>'");
  });

  it('leaves a text that shares fewer than 6 characters in a row with every secret as it is', () => {
    assert.equal(redactValues('The name "robots" is already taken', [SECRET, 'api-key-secret-1']), 'The name "robots" is already taken');
    assert.equal(redactValues('EXAMP is five of its characters; EXAMPL six', [SECRET]), 'EXAMP is five of its characters; <redacted> six');
    assert.equal(redactValues('nothing', []), 'nothing');
  });
});
