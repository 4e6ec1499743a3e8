/**
 * The token a page was opened with (`/board?token=...`, `/supervisor?token=...`), carried on to
 * /ws and API calls. After the first load the server has stored it in an HttpOnly cookie, which
 * the browser sends on its own, so plain URLs keep working; passing it explicitly as well covers
 * browsers that refuse cookies (some kiosk modes).
 */

/** The page's `?token=`, or null. */
export function pageToken(search: string = location.search): string | null {
  const token = new URLSearchParams(search).get('token');
  return token === null || token === '' ? null : token;
}

/**
 * fetch for /api/*: adds `Authorization: Bearer <token>` when the page has a token (and the
 * caller set no Authorization header of its own); the cookie does the rest.
 */
export function apiFetch(
  input: string,
  init: RequestInit = {},
  token: string | null = pageToken(),
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token !== null && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers, credentials: 'same-origin' });
}
