/**
 * Origin checks shared by the WebSocket hub and the HTTP layer. Browsers attach `Origin` to every
 * WebSocket handshake and to every cross-origin or non-GET fetch, and a page cannot forge it: a
 * foreign page that tries to ride a TV's or supervisor's cookies is recognised here.
 * Non-browser clients can send anything, but they have no victim's cookies to ride, so the token
 * check is what stops them.
 */

/**
 * True when a page at `origin` may talk to this server reached as `host` (the request's Host
 * header): the page's own host (whatever the scheme, so a TLS-terminating proxy in front works),
 * or one of `allowedOrigins` (normalised `scheme://host[:port]`). `null` origins (sandboxed frames,
 * file://) and unparsable ones are refused.
 */
export function isOriginAllowed(
  origin: string,
  host: string | undefined,
  allowedOrigins: readonly string[],
): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (allowedOrigins.includes(url.origin)) return true;
  if (host === undefined || host === '') return false;
  let requestHost: string;
  try {
    // Parsed with the origin's scheme, so `board:443` and `https://board` compare equal.
    requestHost = new URL(`${url.protocol}//${host}`).host;
  } catch {
    return false;
  }
  return requestHost === url.host;
}
