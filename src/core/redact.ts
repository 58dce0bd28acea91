/**
 * Scrubs what must never reach a log or a notification: presigned URL
 * signatures and credentials, session tokens, secret keys and API key secrets,
 * in the forms they travel in: query strings (plain or percent-encoded),
 * JSON, XML, key=value, ini files, URLs with a password, HTTP header dumps
 * and the shell snippets that session credentials are copied as (bash, fish,
 * PowerShell).
 */
const SECRET_NAMES = [
  'secret_access_key',
  'secretAccessKey',
  'session_token',
  'sessionToken',
  'x-amz-security-token',
  'api_key_secret',
  'apiKeySecret',
].join('|');

/**
 * A value: double-quoted (with backslash escapes), single-quoted (with the
 * quote escapes of bash '\'', fish \' and PowerShell ''), or bare up to a
 * separator (quotes inside it included, as in an ini file). Quoted values go
 * whole, spaces and escaped quotes included.
 */
const VALUE = String.raw`(?:"(?:\\.|[^"\\\n])*"?|'(?:\\'|'\\''|''|[^'\n])*'?|[^\s"',;}&][^\s,;}&]*)`;

// `[\w-]*` lets aws_/AWS_/LQS_ prefixes and `$env:` names match too.
const KEY_VALUE_SECRET = new RegExp(`((?:[\\w-]*?)(?:${SECRET_NAMES})["']?\\s*[:=]\\s*)${VALUE}`, 'gi');
const FISH_SECRET = new RegExp(`(set\\s+(?:-\\w+\\s+)*[\\w-]*(?:${SECRET_NAMES})\\s+)${VALUE}`, 'gi');
const AMZ_QUERY_SECRET = /(X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s"'<>]+/gi;
// The same, in a URL that is itself percent-encoded inside another (up to the encoded "&").
const AMZ_ENCODED_QUERY_SECRET = /(X-Amz-(?:Signature|Credential|Security-Token)%3D)(?:(?!%26)[^&\s"'<>])+/gi;
// STS answers in XML.
const XML_SECRET = /(<(?:SecretAccessKey|SessionToken)>)[^<]*/gi;
// A password in a URL (https://user:password@host).
const URL_PASSWORD = /(\b[a-z][\w+.-]*:\/\/[^\s/:@]+:)[^\s/@]+@/gi;
const AUTHORIZATION = /(Authorization["']?\s*[:=]\s*["']?)[^"'\n]+/gi;

export function redact(text: string): string {
  return text
    .replace(AMZ_QUERY_SECRET, '$1<redacted>')
    .replace(AMZ_ENCODED_QUERY_SECRET, '$1<redacted>')
    .replace(XML_SECRET, '$1<redacted>')
    .replace(URL_PASSWORD, '$1<redacted>@')
    .replace(KEY_VALUE_SECRET, '$1<redacted>')
    .replace(FISH_SECRET, '$1<redacted>')
    .replace(AUTHORIZATION, '$1<redacted>');
}
