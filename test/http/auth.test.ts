import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  COOKIE_MAX_AGE_SEC,
  createAuth,
  decideAccess,
  redactTokens,
  type Credentials,
} from '../../server/http/index.ts';
import { bearer, JSON_HEADERS, makeApp, SUPERVISOR, VIEWER, WHAT_IF_BODY } from './app-fixture.ts';

const BOTH = { viewerToken: VIEWER, supervisorToken: SUPERVISOR };

function credentials(partial: Partial<Credentials>): Credentials {
  return { authorization: undefined, queryTokens: [], cookieHeader: undefined, ...partial };
}

describe('createAuth', () => {
  it('should tell the roles apart, and refuse prefixes, extensions and other lengths', () => {
    const auth = createAuth(BOTH);
    expect(auth.roleOf(VIEWER)).toBe('viewer');
    expect(auth.roleOf(SUPERVISOR)).toBe('supervisor');
    for (const wrong of ['', VIEWER.slice(0, -1), `${VIEWER}x`, VIEWER.toUpperCase(), 'x'.repeat(10_000)]) {
      expect(auth.roleOf(wrong)).toBeUndefined();
    }
  });

  it('should keep no token in the object (safe to log or inspect)', () => {
    const auth = createAuth(BOTH);
    const shown = `${JSON.stringify(auth)} ${inspect(auth, { depth: 10, showHidden: true })}`;
    expect(shown).not.toContain(VIEWER);
    expect(shown).not.toContain(SUPERVISOR);
  });

  it('should grant nothing when no token is configured, yet leave access open', () => {
    const auth = createAuth({});
    expect(auth.roleOf('anything-at-all-1234')).toBeUndefined();
    expect(
      decideAccess(auth, 'supervisor', credentials({}), { acceptQuery: false, acceptCookies: false }),
    ).toEqual({
      allowed: true,
      role: undefined,
    });
  });
});

describe('decideAccess', () => {
  const auth = createAuth(BOTH);
  const all = { acceptQuery: true, acceptCookies: true };

  it('should take the strongest valid credential from header, query and cookies', () => {
    const decision = decideAccess(
      auth,
      'supervisor',
      credentials({
        authorization: 'Bearer stale-token-from-last-year',
        queryTokens: [VIEWER],
        cookieHeader: `other=1; pb_supervisor=${SUPERVISOR}`,
      }),
      all,
    );
    expect(decision).toEqual({ allowed: true, role: 'supervisor' });
  });

  it('should ignore the query and cookies when told to', () => {
    const cookieOnly = credentials({ cookieHeader: `pb_supervisor=${SUPERVISOR}` });
    const queryOnly = credentials({ queryTokens: [SUPERVISOR] });
    const none = { acceptQuery: false, acceptCookies: false };
    expect(decideAccess(auth, 'supervisor', cookieOnly, none)).toMatchObject({ allowed: false, status: 401 });
    expect(decideAccess(auth, 'supervisor', queryOnly, none)).toMatchObject({ allowed: false, status: 401 });
  });

  it('should answer 401 "invalid token" for a malformed Authorization header', () => {
    expect(decideAccess(auth, 'viewer', credentials({ authorization: `Basic ${VIEWER}` }), all)).toEqual({
      allowed: false,
      status: 401,
      error: 'invalid token',
    });
  });

  it('should disable changes when only the viewer token is configured', () => {
    const viewerOnly = createAuth({ viewerToken: VIEWER });
    expect(
      decideAccess(viewerOnly, 'supervisor', credentials({ authorization: `Bearer ${VIEWER}` }), all),
    ).toMatchObject({ allowed: false, status: 403, error: expect.stringMatching(/no SUPERVISOR_TOKEN/) });
  });
});

describe('access rules through createApp', () => {
  describe('no token configured (loopback only)', () => {
    it('should serve reads and what-if without a token', async () => {
      const { app } = makeApp();
      expect((await app.request('/api/snapshot')).status).toBe(200);
      const whatIf = await app.request('/api/staffing/what-if', {
        method: 'POST',
        headers: JSON_HEADERS,
        body: WHAT_IF_BODY,
      });
      expect(whatIf.status).toBe(200);
    });

    it('should refuse non-loopback Host names (DNS rebinding) but answer loopback ones', async () => {
      const { app } = makeApp();
      const rebound = await app.request('http://attacker.example:8080/api/snapshot');
      expect(rebound.status).toBe(403);
      expect(((await rebound.json()) as { error: string }).error).toMatch(/no tokens configured/);
      for (const host of ['127.0.0.1:8080', 'localhost', '[::1]:8080']) {
        expect((await app.request(`http://${host}/api/snapshot`)).status).toBe(200);
      }
    });
  });

  describe('viewer and supervisor tokens configured', () => {
    it('should refuse reads without a token (401 with WWW-Authenticate) and with a wrong one', async () => {
      const { app, calls } = makeApp(BOTH);
      for (const path of ['/api/snapshot', '/api/unanswered', '/board', '/supervisor', '/metrics']) {
        const response = await app.request(path);
        expect(response.status, path).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer realm="peakboard"');
        expect(await response.json()).toEqual({ error: 'viewer token required' });
      }
      const wrong = await app.request('/api/snapshot', { headers: bearer('not-the-token-0123456') });
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toEqual({ error: 'invalid token' });
      expect(calls).toEqual([]);
    });

    it('should accept either token for reads, as Bearer, ?token= or cookie', async () => {
      const { app } = makeApp(BOTH);
      const ways: [string, RequestInit][] = [
        ['/api/snapshot', { headers: bearer(VIEWER) }],
        ['/api/snapshot', { headers: bearer(SUPERVISOR) }],
        [`/api/snapshot?token=${VIEWER}`, {}],
        ['/api/snapshot', { headers: { cookie: `pb_viewer=${VIEWER}` } }],
        ['/api/snapshot', { headers: { cookie: `pb_supervisor=${SUPERVISOR}` } }],
        ['/metrics', { headers: bearer(VIEWER) }],
      ];
      for (const [path, init] of ways) expect((await app.request(path, init)).status, path).toBe(200);
    });

    it('should answer any Host name once tokens are in use', async () => {
      const { app } = makeApp(BOTH);
      const response = await app.request('http://board.example.com/api/snapshot', {
        headers: bearer(VIEWER),
      });
      expect(response.status).toBe(200);
    });

    it('should keep health probes open but show details to token holders only', async () => {
      const { app } = makeApp(BOTH);
      const anonymous = await app.request('/healthz');
      expect(anonymous.status).toBe(200);
      expect(await anonymous.json()).toEqual({ ok: true });
      const holder = await app.request('/healthz', { headers: bearer(VIEWER) });
      expect(await holder.json()).toMatchObject({ ok: true, duckdb: { path: expect.any(String) } });
    });

    it('should keep the static bundle open (code, no figures)', async () => {
      const { app } = makeApp(BOTH);
      expect((await app.request('/assets/app.js')).status).toBe(200);
    });
  });

  describe('what-if', () => {
    const post = (
      headers: Record<string, string>,
      path = '/api/staffing/what-if',
    ): RequestInit & { path: string } => ({
      path,
      method: 'POST',
      headers: { ...JSON_HEADERS, ...headers },
      body: WHAT_IF_BODY,
    });
    const send = async (app: ReturnType<typeof makeApp>['app'], request: RequestInit & { path: string }) => {
      const { path, ...init } = request;
      const response = await app.request(path, init);
      return { status: response.status, body: (await response.json()) as { error?: string } };
    };

    it('should answer 401 without a token', async () => {
      const { app, calls } = makeApp(BOTH);
      const { status, body } = await send(app, post({}));
      expect(status).toBe(401);
      expect(body.error).toBe('viewer token required');
      expect(calls).toEqual([]);
    });

    it('should answer 401 without a token when only SUPERVISOR_TOKEN is set', async () => {
      const { app, calls } = makeApp({ supervisorToken: SUPERVISOR });
      const { status, body } = await send(app, post({}));
      expect(status).toBe(401);
      expect(body.error).toBe('supervisor token required');
      expect(calls).toEqual([]);
    });

    it('should answer 403 to the viewer token', async () => {
      const { app, calls } = makeApp(BOTH);
      const { status, body } = await send(app, post(bearer(VIEWER)));
      expect(status).toBe(403);
      expect(body.error).toMatch(/supervisor token required; this token is read-only/);
      expect(calls).toEqual([]);
    });

    it('should run for the supervisor token as Bearer', async () => {
      const { app, calls } = makeApp(BOTH);
      const { status } = await send(app, post(bearer(SUPERVISOR)));
      expect(status).toBe(200);
      expect(calls).toEqual([{ dep: 'whatIf', args: JSON.parse(WHAT_IF_BODY) }]);
    });

    it('should not take the supervisor token from the URL of a POST', async () => {
      const { app } = makeApp({ supervisorToken: SUPERVISOR });
      const { status } = await send(app, post({}, `/api/staffing/what-if?token=${SUPERVISOR}`));
      expect(status).toBe(401);
    });

    it('should take the supervisor cookie only from this site (Origin check)', async () => {
      const { app } = makeApp(BOTH);
      const cookie = `pb_viewer=${VIEWER}; pb_supervisor=${SUPERVISOR}`;
      expect((await send(app, post({ cookie, origin: 'http://localhost' }))).status).toBe(200);
      const foreign = await send(app, post({ cookie, origin: 'https://evil.example' }));
      expect(foreign.status).toBe(403);
      expect(foreign.body.error).toMatch(/cross-origin request refused/);
      expect((await send(app, post({ cookie }))).status).toBe(403);
    });

    it('should accept listed origins for cookie-authenticated changes', async () => {
      const { app } = makeApp({ ...BOTH, allowedOrigins: ['https://board.example.com'] });
      const cookie = `pb_supervisor=${SUPERVISOR}`;
      expect((await send(app, post({ cookie, origin: 'https://board.example.com' }))).status).toBe(200);
    });

    it('should refuse changes to everyone when only the viewer token is configured', async () => {
      const { app } = makeApp({ viewerToken: VIEWER });
      const { status, body } = await send(app, post(bearer(VIEWER)));
      expect(status).toBe(403);
      expect(body.error).toMatch(/no SUPERVISOR_TOKEN/);
    });
  });

  describe('token cookies', () => {
    const cookiesOf = (response: Response): string[] => response.headers.getSetCookie();

    it('should remember a viewer ?token= in a long-lived HttpOnly SameSite=Strict cookie', async () => {
      const { app } = makeApp(BOTH);
      const response = await app.request(`/board?shop=tmall&token=${VIEWER}`);
      expect(response.status).toBe(200);
      const [cookie, ...rest] = cookiesOf(response);
      expect(rest).toEqual([]);
      expect(cookie).toContain(`pb_viewer=${VIEWER}`);
      expect(cookie).toContain(`Max-Age=${COOKIE_MAX_AGE_SEC}`);
      expect(cookie).toContain('Path=/');
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Strict');
      expect(cookie).not.toContain('Secure');
      expect(response.headers.get('cache-control')).toBe('no-store');
    });

    it('should mark the cookie Secure behind HTTPS', async () => {
      const { app } = makeApp(BOTH);
      const response = await app.request(`/board?token=${VIEWER}`, {
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(cookiesOf(response)[0]).toContain('Secure');
    });

    it('should serve the plain URL from the cookie afterwards and renew it', async () => {
      const { app } = makeApp(BOTH);
      const response = await app.request('/board', { headers: { cookie: `pb_viewer=${VIEWER}` } });
      expect(response.status).toBe(200);
      expect(cookiesOf(response)[0]).toMatch(
        new RegExp(`^pb_viewer=${VIEWER};.*Max-Age=${COOKIE_MAX_AGE_SEC}`),
      );
    });

    it('should remember a supervisor token from /supervisor as pb_supervisor', async () => {
      const { app } = makeApp({ supervisorToken: SUPERVISOR });
      const response = await app.request(`/supervisor?token=${SUPERVISOR}`);
      expect(response.status).toBe(200);
      expect(cookiesOf(response)[0]).toContain(`pb_supervisor=${SUPERVISOR}`);
    });

    it('should set no cookie for a wrong token and delete a cookie whose token was rotated', async () => {
      const { app } = makeApp({ supervisorToken: SUPERVISOR });
      const wrong = await app.request('/board?token=wrong-token-0123456789');
      expect(wrong.status).toBe(200);
      expect(cookiesOf(wrong)).toEqual([]);
      const rotated = await app.request('/board', {
        headers: { cookie: 'pb_supervisor=old-token-0123456789' },
      });
      expect(cookiesOf(rotated)[0]).toMatch(/^pb_supervisor=;.*Max-Age=0/);
    });
  });

  describe('tokens never leak', () => {
    it('should not echo a token in any answer', async () => {
      const { app } = makeApp(BOTH);
      const answers = await Promise.all([
        app.request(`/api/snapshot?token=${VIEWER}x`),
        app.request('/api/snapshot', { headers: bearer(`${SUPERVISOR}x`) }),
        app.request(`/api/nope?token=${VIEWER}`),
        app.request(`/api/snapshot?token=${VIEWER}&at=yesterday`),
      ]);
      for (const answer of answers) {
        const text = await answer.text();
        expect(text).not.toContain(VIEWER);
        expect(text).not.toContain(SUPERVISOR);
      }
    });

    it('should not log a token when a request fails', async () => {
      const { app, errors } = makeApp(BOTH, {
        snapshot: async () => {
          throw new Error('boom');
        },
      });
      const response = await app.request(`/api/snapshot?token=${VIEWER}`, { headers: bearer(SUPERVISOR) });
      expect(response.status).toBe(500);
      expect(errors).toHaveLength(1);
      const logged = JSON.stringify(errors);
      expect(logged).not.toContain(VIEWER);
      expect(logged).not.toContain(SUPERVISOR);
    });

    it('should redact token parameters for request logs', () => {
      expect(redactTokens(`/board?shop=a&token=${VIEWER}&lang=en`)).toBe(
        '/board?shop=a&token=[redacted]&lang=en',
      );
      expect(redactTokens(`/ws?TOKEN=${VIEWER}`)).toBe('/ws?TOKEN=[redacted]');
      expect(redactTokens('/api/snapshot?shop=a')).toBe('/api/snapshot?shop=a');
    });
  });
});
