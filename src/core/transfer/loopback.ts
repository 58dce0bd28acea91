/**
 * Whether a URL's server is on this machine: `localhost` (or a name under
 * it), 127.0.0.0/8 or ::1, as such a URL is written. Host names that merely
 * resolve to this machine are not looked up: the question is asked before
 * every large download and must cost nothing.
 */
export function isLoopbackUrl(url: string): boolean {
  let hostname: string;
  try {
    // A fully qualified name's final dot (localhost.) names the same host.
    hostname = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return false;
  }
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    return true;
  }
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)) {
    return true;
  }
  // WHATWG URLs write IPv6 in brackets and compressed: ::1, and an IPv4-mapped 127.x.y.z as ::ffff:7fxx:yyzz.
  return hostname === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(hostname);
}
