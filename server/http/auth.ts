/**
 * Access control with two shared tokens (no accounts: a TV wall has no one to log in).
 *
 * - viewer token (VIEWER_TOKEN): read-only; for TVs. Accepted as `Authorization: Bearer`, as
 *   `?token=` on a GET (the kiosk URL), or from the `pb_viewer` cookie set when a page was opened
 *   with `?token=`.
 * - supervisor token (SUPERVISOR_TOKEN): what-if and any change; also grants everything a viewer
 *   may do. Accepted the same ways (cookie `pb_supervisor`), except that a change (POST) never takes
 *   it from the URL, and takes it from the cookie only when the request's Origin is this site's.
 *
 * Rules: no token configured = everything open (the config then only allows a loopback bind, and
 * the Host check below stops DNS-rebinding pages from reading it). VIEWER_TOKEN set = reads need
 * either token. Any token set = changes need the supervisor token (with VIEWER_TOKEN alone,
 * changes are disabled: the viewer token is read-only by definition).
 *
 * Tokens are compared as SHA-256 digests with timingSafeEqual: the comparison takes the same
 * time whatever the presented token's length or content. Tokens are never logged or echoed.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { isLoopbackHost } from '../config/index.ts';
import { isOriginAllowed } from '../push/origin.ts';

export type Role = 'viewer' | 'supervisor';

export const VIEWER_COOKIE = 'pb_viewer';
export const SUPERVISOR_COOKIE = 'pb_supervisor';
/**
 * Browsers cap cookie lifetimes at 400 days (RFC 6265bis; Chrome enforces it and Hono refuses
 * more), so "never expiring" is 400 days renewed on every page load.
 */
export const COOKIE_MAX_AGE_SEC = 400 * 24 * 3600;

export interface AuthOptions {
  viewerToken?: string | undefined;
  supervisorToken?: string | undefined;
  /** Extra origins allowed to send cookie-authenticated changes (besides the page's own host). */
  allowedOrigins?: readonly string[];
}

export interface Auth {
  /** Any token configured. */
  readonly tokensInUse: boolean;
  /** VIEWER_TOKEN configured: reads need a token. */
  readonly viewerRequired: boolean;
  /** SUPERVISOR_TOKEN configured: changes are possible at all. */
  readonly supervisorConfigured: boolean;
  readonly allowedOrigins: readonly string[];
  /** The role a presented token grants, or undefined. Constant time. */
  roleOf(token: string): Role | undefined;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export function createAuth(options: AuthOptions = {}): Auth {
  const viewer = options.viewerToken ? digest(options.viewerToken) : undefined;
  const supervisor = options.supervisorToken ? digest(options.supervisorToken) : undefined;
  // Unconfigured slots compare against a random digest, so every call does the same work.
  const nobody = randomBytes(32);
  const allowedOrigins = [...(options.allowedOrigins ?? [])];
  // Only digests are kept: the Auth object can be logged or inspected without leaking a token.
  return {
    tokensInUse: viewer !== undefined || supervisor !== undefined,
    viewerRequired: viewer !== undefined,
    supervisorConfigured: supervisor !== undefined,
    allowedOrigins,
    roleOf(token: string): Role | undefined {
      if (token === '') return undefined;
      const presented = digest(token);
      const isSupervisor = timingSafeEqual(presented, supervisor ?? nobody) && supervisor !== undefined;
      const isViewer = timingSafeEqual(presented, viewer ?? nobody) && viewer !== undefined;
      return isSupervisor ? 'supervisor' : isViewer ? 'viewer' : undefined;
    },
  };
}

/** Where credentials can come from, independent of Hono or node:http. */
export interface Credentials {
  authorization: string | undefined;
  /** Every `?token=` value on the URL. */
  queryTokens: readonly string[];
  cookieHeader: string | undefined;
}

export type AccessDecision =
  { allowed: true; role: Role | undefined } | { allowed: false; status: 401 | 403; error: string };

export interface DecideOptions {
  /** `?token=`: fine for GETs (a TV URL); never for changes, since URLs end up in proxy logs. */
  acceptQuery: boolean;
  /** Cookies: refused for a change whose Origin is not ours (cross-site request forgery). */
  acceptCookies: boolean;
}

/** All values of one cookie name; tolerant of junk, since the header is the client's. */
export function readCookies(header: string | undefined, name: string): string[] {
  if (header === undefined || header === '') return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      values.push(decodeURIComponent(value));
    } catch {
      values.push(value);
    }
  }
  return values;
}

/** The tokens a request presents, honouring which sources count for this decision. */
function presentedTokens(credentials: Credentials, options: DecideOptions): string[] {
  const tokens: string[] = [];
  if (credentials.authorization !== undefined) {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(credentials.authorization);
    // A malformed header still counts as presented (so it answers "invalid", not "required").
    tokens.push(match?.[1] ?? '');
  }
  if (options.acceptQuery) tokens.push(...credentials.queryTokens);
  if (options.acceptCookies) {
    tokens.push(...readCookies(credentials.cookieHeader, VIEWER_COOKIE));
    tokens.push(...readCookies(credentials.cookieHeader, SUPERVISOR_COOKIE));
  }
  return tokens;
}

/**
 * Whether a request holding `credentials` may do something needing `need`. Every presented token
 * is checked and the strongest valid one counts, so a stale cookie next to a good Bearer header
 * (or the reverse) does not lock a screen out.
 */
export function decideAccess(
  auth: Auth,
  need: Role,
  credentials: Credentials,
  options: DecideOptions,
): AccessDecision {
  const tokens = presentedTokens(credentials, options);
  let best: Role | undefined;
  for (const token of tokens) {
    const role = auth.roleOf(token);
    if (role === 'supervisor') best = 'supervisor';
    else if (role === 'viewer' && best === undefined) best = 'viewer';
  }
  if (need === 'viewer') {
    if (!auth.viewerRequired || best !== undefined) return { allowed: true, role: best };
    return {
      allowed: false,
      status: 401,
      error: tokens.length === 0 ? 'viewer token required' : 'invalid token',
    };
  }
  if (!auth.tokensInUse || best === 'supervisor') return { allowed: true, role: best };
  if (!auth.supervisorConfigured) {
    return { allowed: false, status: 403, error: 'changes are disabled: no SUPERVISOR_TOKEN is configured' };
  }
  if (best === 'viewer') {
    return { allowed: false, status: 403, error: 'supervisor token required; this token is read-only' };
  }
  return {
    allowed: false,
    status: 401,
    error: tokens.length === 0 ? 'supervisor token required' : 'invalid token',
  };
}

export function credentialsOf(c: Context): Credentials {
  return {
    authorization: c.req.header('authorization'),
    queryTokens: c.req.queries('token') ?? [],
    cookieHeader: c.req.header('cookie'),
  };
}

export function credentialsOfRequest(request: IncomingMessage): Credentials {
  let queryTokens: string[] = [];
  try {
    queryTokens = new URL(request.url ?? '/', 'http://localhost').searchParams.getAll('token');
  } catch {
    // An unparsable URL presents no query token.
  }
  const authorization = request.headers.authorization;
  const cookie = request.headers.cookie;
  return { authorization, queryTokens, cookieHeader: cookie };
}

function deny(c: Context, decision: { status: 401 | 403; error: string }): Response {
  c.header('cache-control', 'no-store');
  if (decision.status === 401) c.header('www-authenticate', 'Bearer realm="peakboard"');
  return c.json({ error: decision.error }, decision.status);
}

function requestHost(c: Context): string | undefined {
  return c.req.header('host') ?? new URL(c.req.url).host;
}

/** True for GET/HEAD/OPTIONS: requests a foreign page may trigger but whose answers it cannot read. */
function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

/**
 * Open mode only (no tokens): refuses requests whose Host is not a loopback name. Binding to
 * 127.0.0.1 keeps other machines out, but a page on any website can point its own DNS name at
 * 127.0.0.1 (DNS rebinding) and read the board through the visitor's browser; such requests
 * carry the attacker's host name, which is how they are told apart.
 */
export function loopbackHostOnly(auth: Auth): MiddlewareHandler {
  return async (c, next) => {
    if (!auth.tokensInUse && !isLoopbackHost(new URL(c.req.url).hostname)) {
      return c.json(
        {
          error:
            'no tokens configured: this server answers only to localhost, 127.0.0.1 or [::1]; set VIEWER_TOKEN to serve other names',
        },
        403,
      );
    }
    await next();
  };
}

/** Reads: the viewer or supervisor token when VIEWER_TOKEN is configured; open otherwise. */
export function requireViewer(auth: Auth): MiddlewareHandler {
  return async (c, next) => {
    const decision = decideAccess(auth, 'viewer', credentialsOf(c), {
      acceptQuery: isSafeMethod(c.req.method),
      acceptCookies: true,
    });
    if (!decision.allowed) return deny(c, decision);
    await next();
  };
}

/** True when the request may read (for answers that show details only to token holders). */
export function canRead(auth: Auth, c: Context): boolean {
  return decideAccess(auth, 'viewer', credentialsOf(c), { acceptQuery: true, acceptCookies: true }).allowed;
}

/**
 * What-if and changes: the supervisor token when any token is configured. A change takes the
 * token from the Authorization header, or from the cookie when the Origin header names this
 * site (browsers always send Origin on a POST, and a foreign page cannot fake it).
 */
export function requireSupervisor(auth: Auth): MiddlewareHandler {
  return async (c, next) => {
    const safe = isSafeMethod(c.req.method);
    const origin = c.req.header('origin');
    const sameSite = origin !== undefined && isOriginAllowed(origin, requestHost(c), auth.allowedOrigins);
    const credentials = credentialsOf(c);
    const decision = decideAccess(auth, 'supervisor', credentials, {
      acceptQuery: safe,
      acceptCookies: safe || sameSite,
    });
    if (!decision.allowed) {
      const hasCookie = readCookies(credentials.cookieHeader, SUPERVISOR_COOKIE).length > 0;
      if (!safe && !sameSite && hasCookie && decision.status === 401) {
        return deny(c, {
          status: 403,
          error: 'cross-origin request refused: send the token as Authorization: Bearer',
        });
      }
      return deny(c, decision);
    }
    await next();
  };
}

function isHttps(c: Context): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  // Behind a TLS-terminating proxy; only ever makes the cookie stricter, so trusting it is safe.
  return c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https';
}

/**
 * For the pages (/board, /supervisor): a valid `?token=` is remembered in an HttpOnly,
 * SameSite=Strict cookie (so the TV's plain URL keeps working and page scripts never see it),
 * and a valid cookie is renewed on every load (the 400-day browser cap). Cookies holding a token
 * that is no longer valid (rotated) are deleted so they stop being sent.
 */
export function rememberToken(auth: Auth): MiddlewareHandler {
  return async (c, next) => {
    const secure = isHttps(c);
    const options = {
      path: '/',
      httpOnly: true,
      sameSite: 'Strict',
      secure,
      maxAge: COOKIE_MAX_AGE_SEC,
    } as const;
    const chosen = new Map<string, string>();
    for (const token of c.req.queries('token') ?? []) {
      const role = auth.roleOf(token);
      if (role !== undefined) chosen.set(role === 'supervisor' ? SUPERVISOR_COOKIE : VIEWER_COOKIE, token);
    }
    const cookieHeader = c.req.header('cookie');
    for (const name of [VIEWER_COOKIE, SUPERVISOR_COOKIE]) {
      if (chosen.has(name)) continue;
      const values = readCookies(cookieHeader, name);
      if (values.length === 0) continue;
      const valid = values.find((value) => auth.roleOf(value) !== undefined);
      if (valid !== undefined) chosen.set(name, valid);
      else if (auth.tokensInUse) deleteCookie(c, name, { path: '/', secure });
    }
    for (const [name, token] of chosen) setCookie(c, name, token, options);
    if (chosen.size > 0) c.header('cache-control', 'no-store');
    await next();
  };
}

/**
 * The push hub's `authorize`: may this upgrade request open /ws? Same rules as the pages: the
 * viewer or supervisor token (header, `?token=` on the /ws URL, or cookie) when VIEWER_TOKEN is
 * set; in open mode, loopback Host names only (see loopbackHostOnly).
 */
export function authorizeUpgrade(auth: Auth): (request: IncomingMessage) => boolean {
  return (request) => {
    if (!auth.tokensInUse) {
      const host = request.headers.host;
      if (host === undefined || host === '') return true;
      try {
        return isLoopbackHost(new URL(`http://${host}`).hostname);
      } catch {
        return false;
      }
    }
    return decideAccess(auth, 'viewer', credentialsOfRequest(request), {
      acceptQuery: true,
      acceptCookies: true,
    }).allowed;
  };
}

/** A URL (or path with query) with every `token` parameter's value replaced, for logging. */
export function redactTokens(url: string): string {
  return url.replace(/([?&;]token=)[^&#;]*/gi, '$1[redacted]');
}
