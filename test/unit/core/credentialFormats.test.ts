import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { awsCliProfile, boto3Snippet, credentialEnvironment, environmentSnippet, profileName } from '../../../src/core/credentialFormats';
import { redact } from '../../../src/core/redact';
import { code } from '../../support/assertions';

const credentials = { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: "se'cr/et+KEY", sessionToken: 'FwoGZXIvYXdzE+token/==', expiration: new Date('2026-11-25T13:00:00Z') };
const store = { name: 'Robot Logs', bucket_name: 'robot-logs', region_name: 'us-east-1', endpoint_url: 'http://127.0.0.1:7480', key_prefix: 'logs/', read_only: false };

describe('session credential formats', () => {
  it('gives a terminal the variables the AWS CLI and SDKs read', () => {
    assert.deepEqual(credentialEnvironment(store, credentials), {
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: "se'cr/et+KEY",
      AWS_SESSION_TOKEN: 'FwoGZXIvYXdzE+token/==',
      AWS_SECURITY_TOKEN: null,
      AWS_CREDENTIAL_EXPIRATION: '2026-11-25T13:00:00.000Z',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:7480',
      AWS_ENDPOINT_URL_S3: null,
      AWS_ENDPOINT_URL_STS: null,
      AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: null,
      AWS_USE_FIPS_ENDPOINT: 'false',
      AWS_USE_DUALSTACK_ENDPOINT: 'false',
      AWS_PROFILE: null,
      AWS_DEFAULT_PROFILE: null,
    });
    // Removed, not left out: an AWS store's requests must not follow an endpoint set for other work, in the environment
    // or a profile; nor does its own S3 endpoint, written out, become every service's.
    for (const endpoint_url of [null, 'https://s3.eu-west-1.amazonaws.com']) {
      const aws = credentialEnvironment({ ...store, endpoint_url }, credentials);
      assert.equal(aws.AWS_ENDPOINT_URL, null, String(endpoint_url));
      assert.equal(aws.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, 'true', String(endpoint_url));
    }
  });

  it('asks the CLI for the FIPS or dual-stack endpoint an AWS store names (configured endpoints being ignored there)', () => {
    const flags = (endpoint_url: string | null) => {
      const environment = credentialEnvironment({ ...store, endpoint_url }, credentials);
      return [environment.AWS_USE_FIPS_ENDPOINT, environment.AWS_USE_DUALSTACK_ENDPOINT];
    };
    assert.deepEqual(flags('https://s3-fips.us-east-1.amazonaws.com'), ['true', undefined]);
    assert.deepEqual(flags('https://s3-fips-us-gov-west-1.amazonaws.com'), ['true', undefined]);
    assert.deepEqual(flags('https://s3-fips.dualstack.us-gov-west-1.amazonaws.com'), ['true', 'true']);
    assert.deepEqual(flags('https://logs-123456789012.s3-accesspoint-fips.us-east-1.amazonaws.com'), ['true', undefined]);
    assert.deepEqual(flags('https://logs-123456789012.s3-accesspoint.us-east-1.amazonaws.com'), [undefined, undefined]);
    assert.deepEqual(flags('https://logs-123456789012.s3-object-lambda-fips.us-east-1.amazonaws.com'), ['true', undefined]);
    assert.deepEqual(flags('https://op-01ac5d28a6a232904.s3-outposts-fips.us-west-2.amazonaws.com'), ['true', undefined]);
    assert.deepEqual(flags('https://s3express-fips-usw2-az1.us-west-2.amazonaws.com'), ['true', undefined]);
    assert.deepEqual(flags('https://s3express-usw2-az1.us-west-2.amazonaws.com'), [undefined, undefined]);
    assert.deepEqual(flags('https://robot-logs.s3.dualstack.eu-west-1.amazonaws.com'), [undefined, 'true']);
    // A bucket's name is not the endpoint's kind; elsewhere on AWS the person's own setting stands.
    assert.deepEqual(flags('https://s3-fips.dualstack.s3.eu-west-1.amazonaws.com'), [undefined, undefined]);
    assert.deepEqual(flags('https://s3.eu-west-1.amazonaws.com'), [undefined, undefined]);
    assert.deepEqual(flags(null), [undefined, undefined]);
    // Another server's endpoint can't go with either (the SDKs refuse it), whatever its name: turned off.
    assert.deepEqual(flags('http://s3-fips.dualstack.minio.local:9000'), ['false', 'false']);
  });

  it('quotes values so bash reads them back exactly, and unsets what would send them elsewhere', () => {
    const script = `${environmentSnippet(store, credentials, 'bash')}\nprintf '%s\\n' "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN" "$AWS_ENDPOINT_URL" "\${AWS_PROFILE-unset}" "\${AWS_ENDPOINT_URL_S3-unset}"`;
    const environment = { ...process.env, AWS_PROFILE: 'localstack', AWS_ENDPOINT_URL_S3: 'http://localhost:4566' };
    assert.equal(execFileSync('bash', ['-c', script], { encoding: 'utf8', env: environment }), "se'cr/et+KEY\nFwoGZXIvYXdzE+token/==\nhttp://127.0.0.1:7480\nunset\nunset\n");
  });

  it('runs nothing of a store\'s name or prefix when a shell takes a "#" line for a command (zsh, pasted) or its usage line is copied', () => {
    const marker = path.join(os.tmpdir(), `logqs-pasted-${process.pid}`);
    fs.rmSync(marker, { force: true });
    const hostile = { ...store, name: `logs $(touch ${marker}) "x`, key_prefix: `logs/$(touch ${marker})/` };
    // zsh without interactive_comments runs "# …" as the command "#", its words expanded first: ":" does the same in bash.
    const asZsh = environmentSnippet(hostile, credentials, 'bash').replace(/^# /gm, ': ');
    assert.equal(execFileSync('bash', ['-c', `${asZsh}\nprintf '%s' "$AWS_SECRET_ACCESS_KEY"`], { encoding: 'utf8' }), "se'cr/et+KEY");
    // The AWS CLI usage line, its command copied: each word as written.
    const usage = /^# Use: aws (.*)$/m.exec(awsCliProfile(hostile, credentials).text)![1];
    const words = execFileSync('bash', ['-c', `printf '%s\\n' ${usage}`], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(words.slice(-1), [`s3://robot-logs/logs/$(touch ${marker})/`]);
    assert.ok(!fs.existsSync(marker), 'a command in the name or prefix ran');
  });

  it('refuses to write a shell snippet of credentials holding a control character, which a terminal acts on even between quotes', () => {
    for (const hostile of [{ ...credentials, sessionToken: 'FwoG\u0003rm -rf ~' }, { ...credentials, secretAccessKey: "se'cr\u001b[201~; touch x" }]) {
      for (const shell of ['bash', 'fish', 'powershell'] as const) {
        assert.throws(() => environmentSnippet(store, hostile, shell), (error: unknown) => code('remote')(error) && !(error as Error).message.includes('FwoG') && !(error as Error).message.includes("se'cr"));
      }
    }
  });

  it('writes fish and PowerShell forms', () => {
    // Their comments are comments however pasted: the name as it is.
    assert.match(environmentSnippet({ ...store, name: "Bob's logs" }, credentials, 'fish'), /^# Session credentials for the LogQS object store "Bob's logs", valid until /);
    assert.match(environmentSnippet(store, credentials, 'fish'), /^set -gx AWS_SECRET_ACCESS_KEY 'se\\'cr\/et\+KEY'$/m);
    assert.match(environmentSnippet(store, credentials, 'powershell'), /^\$env:AWS_SECRET_ACCESS_KEY = 'se''cr\/et\+KEY'$/m);
    assert.match(environmentSnippet(store, credentials, 'fish'), /^set -e AWS_PROFILE$/m);
    assert.match(environmentSnippet(store, credentials, 'powershell'), /^Remove-Item Env:AWS_PROFILE -ErrorAction SilentlyContinue$/m);
  });

  it('keeps PowerShell inside its quotes when a value holds a typographic single quote, which PowerShell also reads as a quote', () => {
    // PowerShell's tokenizer takes ' ‘ ’ ‚ ‛ alike as single quotes; a doubled one stands for itself.
    const endpoint = 'http://127.0.0.1:7480/’; Remove-Item -Recurse ~; ‘';
    const line = environmentSnippet({ ...store, endpoint_url: endpoint }, credentials, 'powershell').split('\n').find((text) => text.startsWith('$env:AWS_ENDPOINT_URL'));
    assert.equal(readPowerShellQuoted(line!.slice('$env:AWS_ENDPOINT_URL = '.length)), endpoint);
  });

  it('makes an AWS CLI profile for the config and the credentials files', () => {
    const profile = awsCliProfile(store, credentials);
    const name = profileName(store);
    assert.match(name, /^logqs-robot-logs-[0-9a-f]{6}$/);
    assert.equal(profile.config, `[profile ${name}]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:7480\n`);
    assert.equal(profile.credentials, `[${name}]\naws_access_key_id = ASIAEXAMPLE\naws_secret_access_key = se'cr/et+KEY\naws_session_token = FwoGZXIvYXdzE+token/==\n`);
    assert.match(profile.text, /--endpoint-url 'http:\/\/127\.0\.0\.1:7480' s3 ls 's3:\/\/robot-logs\/logs\/'/);
  });

  it('gives stores whose names differ a profile each, even where their names read alike as profile names', () => {
    const names = ['robot-logs', 'Robot Logs', 'robot logs', 'ROBOT-LOGS', 'ロボット', 'ログ', '日本', ''];
    const profiles = names.map((name) => profileName({ name }));
    assert.equal(new Set(profiles).size, names.length, profiles.join(', '));
    assert.equal(profileName({ name: 'Robot Logs' }), profileName({ name: 'Robot Logs' }), 'the same store, the same profile each time');
    assert.match(profileName({ name: 'Robot Logs' }), /^logqs-robot-logs-[0-9a-f]{6}$/);
    assert.match(profileName({ name: 'ロボット' }), /^logqs-store-[0-9a-f]{6}$/);
  });

  it('refuses to make a profile of credentials holding a line break, which would write other profiles, and quotes none of them', () => {
    const hostile = { ...credentials, sessionToken: 'FwoG\n[default]\naws_access_key_id = AKIAOTHER' };
    assert.throws(() => awsCliProfile(store, hostile), (error: unknown) => code('remote')(error) && !(error as Error).message.includes('FwoG') && !(error as Error).message.includes("se'cr"));
  });

  it('fills the seed\'s boto3 example with the store, its prefix, and no write for a read-only store', () => {
    const snippet = boto3Snippet(store, credentials);
    assert.match(snippet, /endpoint_url="http:\/\/127\.0\.0\.1:7480"/);
    assert.match(snippet, /list_objects_v2\(Bucket="robot-logs", Prefix="logs\/"\)/);
    assert.match(snippet, /key = "logs\/new_log\.bag"/);
    assert.match(snippet, /aws_secret_access_key="se'cr\/et\+KEY"/);
    const readOnly = boto3Snippet({ ...store, read_only: true }, credentials);
    assert.doesNotMatch(readOnly, /put_object/);
    // Streamed to disk, never read whole into memory: the first object listed may be a bag of gigabytes.
    assert.doesNotMatch(snippet + readOnly, /\.read\(\)/);
  });

  it('is scrubbed whole by redact(), whichever form reaches a log by mistake', () => {
    const forms = [
      environmentSnippet(store, credentials, 'bash'),
      environmentSnippet(store, credentials, 'fish'),
      environmentSnippet(store, credentials, 'powershell'),
      awsCliProfile(store, credentials).text,
      boto3Snippet(store, credentials),
    ];
    for (const form of forms) {
      const scrubbed = redact(form);
      for (const secret of ["se'cr/et+KEY", 'se', 'FwoGZXIvYXdzE+token/==']) {
        assert.ok(!scrubbed.includes(`${secret}`) || secret === 'se', `${secret} survived in:\n${scrubbed}`);
      }
      assert.ok(!scrubbed.includes('cr/et+KEY') && !scrubbed.includes('token/=='), scrubbed);
    }
  });
});

/** A PowerShell single-quoted string read as PowerShell reads it; throws unless it is the whole text. */
function readPowerShellQuoted(text: string): string {
  const isQuote = (char: string | undefined) => char !== undefined && "'‘’‚‛".includes(char);
  assert.ok(isQuote(text[0]), text);
  let value = '';
  let at = 1;
  for (;;) {
    assert.ok(at < text.length, `unterminated: ${text}`);
    if (isQuote(text[at])) {
      if (!isQuote(text[at + 1])) {
        break;
      }
      at++;
    }
    value += text[at++];
  }
  assert.equal(at, text.length - 1, `the string ends before the line does, leaving ${JSON.stringify(text.slice(at + 1))} to run`);
  return value;
}
