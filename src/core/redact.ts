/**
 * Scrubs what must never reach a log: presigned URL signatures and
 * credentials, session tokens, secret keys in key=value or JSON form.
 */
const AMZ_QUERY_SECRET = /(X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s"']+/gi;
const KEY_VALUE_SECRET = /((?:secret_access_key|secretAccessKey|aws_secret_access_key|session_token|sessionToken|SecretAccessKey|SessionToken)["']?\s*[:=]\s*["']?)[^"',\s}]+/g;
const AUTHORIZATION = /(Authorization["']?\s*[:=]\s*["']?)[^"'\n]+/gi;

export function redact(text: string): string {
  return text
    .replace(AMZ_QUERY_SECRET, '$1<redacted>')
    .replace(KEY_VALUE_SECRET, '$1<redacted>')
    .replace(AUTHORIZATION, '$1<redacted>');
}
