/**
 * Scrubs what must never reach a log or a notification: presigned URL
 * signatures and credentials, session tokens, secret keys and API key secrets,
 * in the forms they travel in: query strings (plain or percent-encoded),
 * JSON, XML, key=value, ini files, URLs with a password, HTTP header dumps
 * and the shell snippets that session credentials are copied as (bash, fish,
 * PowerShell).
 */
const SECRET_NAMES = ['secret_access_key', 'secretAccessKey', 'session_token', 'sessionToken', 'x-amz-security-token', 'api_key_secret', 'apiKeySecret'].join('|');

const SECRET_FIELD = new RegExp(`(?:${SECRET_NAMES})$`, 'i');

/** Whether a field of that name holds a secret (with a prefix such as aws_ too, as redact reads it). */
export const isSecretField = (name: string): boolean => SECRET_FIELD.test(name);

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
// A presigned URL's signature and credential: S3's SigV4 (X-Amz-), Google Cloud Storage's V4 (X-Goog-), and the
// "Signature" of S3's SigV2 and CloudFront and the "sig" of Azure's SAS, which a LogQS DataStore may hand out too.
const QUERY_SECRET_NAMES = String.raw`X-(?:Amz|Goog)-(?:Signature|Credential|Security-Token)`;
const BARE_QUERY_SECRET_NAMES = String.raw`Signature|sig`;
const QUERY_SECRET = new RegExp(String.raw`((?:${QUERY_SECRET_NAMES}|(?<=[?&])(?:${BARE_QUERY_SECRET_NAMES}))=)[^&\s"'<>]+`, 'gi');
// The same, in a URL that is itself percent-encoded inside another (up to the encoded "&").
const ENCODED_QUERY_SECRET = new RegExp(String.raw`((?:${QUERY_SECRET_NAMES}|(?<=%3F|%26)(?:${BARE_QUERY_SECRET_NAMES}))%3D)(?:(?!%26)[^&\s"'<>])+`, 'gi');
// STS answers in XML.
const XML_SECRET = /(<(?:SecretAccessKey|SessionToken)>)[^<]*/gi;
// A password in a URL (https://user:password@host).
const URL_PASSWORD = /(\b[a-z][\w+.-]*:\/\/[^\s/:@]+:)[^\s/@]+@/gi;
const AUTHORIZATION = /(Authorization["']?\s*[:=]\s*["']?)[^"'\n]+/gi;
// A bearer token however it is labelled (a server's message quoting it).
const BEARER = /(\bBearer\s+)[\w+/=.~-]+/gi;

export function redact(text: string): string {
  return text
    .replace(QUERY_SECRET, '$1<redacted>')
    .replace(ENCODED_QUERY_SECRET, '$1<redacted>')
    .replace(XML_SECRET, '$1<redacted>')
    .replace(URL_PASSWORD, '$1<redacted>@')
    .replace(KEY_VALUE_SECRET, '$1<redacted>')
    .replace(FISH_SECRET, '$1<redacted>')
    .replace(AUTHORIZATION, '$1<redacted>')
    .replace(BEARER, '$1<redacted>');
}

/** The shortest run of a known secret's characters that is scrubbed wherever it appears. */
const SECRET_FRAGMENT = 6;

/**
 * Scrubs known secret values from a text that may echo them in any form (a
 * server's error message quoting the request it refused, its own way): every
 * run of SECRET_FRAGMENT or more characters that also occurs in one of them,
 * so not even a fragment of a truncated or reworded echo stays.
 */
export function redactValues(text: string, secrets: readonly string[]): string {
  const hidden = new Array<boolean>(text.length).fill(false);
  for (const secret of secrets) {
    for (let at = 0; at + SECRET_FRAGMENT <= text.length; at++) {
      let longest = 0;
      for (let from = 0; from + SECRET_FRAGMENT <= secret.length && longest < text.length - at; from++) {
        let run = 0;
        while (at + run < text.length && from + run < secret.length && text[at + run] === secret[from + run]) {
          run++;
        }
        longest = Math.max(longest, run);
      }
      if (longest >= SECRET_FRAGMENT) {
        hidden.fill(true, at, at + longest);
      }
    }
  }
  let scrubbed = '';
  for (let index = 0; index < text.length; index++) {
    if (!hidden[index]) {
      scrubbed += text[index];
    } else if (index === 0 || !hidden[index - 1]) {
      scrubbed += '<redacted>';
    }
  }
  return scrubbed;
}
