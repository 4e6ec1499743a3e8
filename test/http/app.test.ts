import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, MAX_WHAT_IF_BODY_BYTES } from '../../server/http/index.ts';
import { JSON_HEADERS, makeApp, WHAT_IF_BODY } from './app-fixture.ts';

async function errorOf(response: Response): Promise<string> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return ((await response.json()) as { error: string }).error;
}

describe('query parameters', () => {
  it.each([
    ['/api/snapshot?at=yesterday', /at must be an RFC 3339 instant/],
    ['/api/snapshot?at=2026-11-11T20:00:00', /at must be an RFC 3339 instant with offset/],
    ['/api/snapshot?at=2026-02-30T20:00:00Z', /at must be an RFC 3339 instant/],
    ['/api/snapshot?at=99999-01-01T00:00:00Z', /at must be an RFC 3339 instant/],
    ['/api/snapshot?shop=../../etc', /shop must match/],
    [`/api/snapshot?shop=${'x'.repeat(65)}`, /shop must match/],
    ['/api/snapshot?shop=%E5%A4%A9%E7%8C%AB', /shop must match/],
    ['/api/snapshot?shops=tmall', /unknown query parameter "shops"; this route takes shop, at/],
    ['/api/snapshot?shop=a&shop=b', /query parameter shop given more than once/],
    ['/api/unanswered?kind=order', /kind must be chat or refund/],
    ['/api/unanswered?limit=0', /limit must be a whole number from 1 to 1000/],
    ['/api/unanswered?limit=1001', /limit must be a whole number from 1 to 1000/],
    ['/api/unanswered?limit=-5', /limit must be a whole number/],
    ['/api/unanswered?limit=1e3', /limit must be a whole number/],
    ['/api/unanswered?limit=abc', /limit must be a whole number/],
    ['/api/unanswered?at=2026-11-11T20:00:00Z', /unknown query parameter "at"/],
    ['/api/history?from=2026-11-11T00:00:00Z&to=2026-11-11T01:00:00Z', /metric must be a dotted path/],
    [
      '/api/history?metric=a;drop&from=2026-11-11T00:00:00Z&to=2026-11-11T01:00:00Z',
      /metric must be a dotted path/,
    ],
    ['/api/history?metric=refunds.awaitingResponse&to=2026-11-11T01:00:00Z', /from and to are required/],
    ['/api/history?metric=refunds.awaitingResponse&from=2026-11-11T00:00:00Z', /from and to are required/],
    [
      '/api/history?metric=refunds.awaitingResponse&from=now&to=2026-11-11T01:00:00Z',
      /from must be an RFC 3339 instant/,
    ],
    [
      '/api/history?metric=refunds.awaitingResponse&from=2026-11-11T02:00:00Z&to=2026-11-11T01:00:00Z',
      /to must not be before from/,
    ],
    [
      '/api/history?metric=refunds.awaitingResponse&from=2026-11-11T00:00:00Z&to=2026-11-11T01:00:00Z&step=30s',
      /step must be at least 1m/,
    ],
    [
      '/api/history?metric=refunds.awaitingResponse&from=2026-11-11T00:00:00Z&to=2026-11-11T01:00:00Z&step=1w',
      /step must be at least 1m/,
    ],
    [
      '/api/history?metric=refunds.awaitingResponse&from=2026-01-01T00:00:00Z&to=2026-11-11T01:00:00Z&step=1m',
      /at most 2000 points/,
    ],
    ['/api/dead-letters?limit=100000', /limit must be a whole number from 1 to 1000/],
    ['/api/dead-letters?kind=chat', /unknown query parameter "kind"/],
    ['/metrics?format=json', /unknown query parameter "format"; this route takes none/],
  ])('GET %s -> 400 with a message', async (path, message) => {
    const { app, calls } = makeApp();
    const response = await app.request(path);
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatch(message);
    expect(calls).toEqual([]);
  });

  it('should pass valid parameters on, parsed', async () => {
    const { app, calls } = makeApp();
    const paths = [
      '/api/snapshot?shop=tmall&at=2026-11-11T20:00:00%2B08:00',
      '/api/snapshot?shop=&at=',
      '/api/unanswered?kind=refund&shop=jd_1&limit=5',
      '/api/unanswered',
      '/api/history?metric=chat.queues.aftersale.waiting&from=2026-11-11T00:00:00Z&to=2026-11-11T01:00:00Z&step=15m',
      '/api/dead-letters?limit=3',
    ];
    for (const path of paths) expect((await app.request(path)).status, path).toBe(200);
    expect(calls).toEqual([
      { dep: 'snapshot', args: { shop: 'tmall', atMs: Date.parse('2026-11-11T12:00:00Z') } },
      { dep: 'snapshot', args: { shop: null, atMs: undefined } },
      { dep: 'unanswered', args: { kind: 'refund', shop: 'jd_1', limit: 5 } },
      { dep: 'unanswered', args: { kind: 'chat', shop: null, limit: 20 } },
      {
        dep: 'history',
        args: {
          metric: 'chat.queues.aftersale.waiting',
          fromMs: Date.parse('2026-11-11T00:00:00Z'),
          toMs: Date.parse('2026-11-11T01:00:00Z'),
          stepMs: 15 * 60_000,
          shop: null,
        },
      },
      { dep: 'deadLetters', args: 3 },
    ]);
  });

  it('should let the page routes take the board flags (the SPA reads them)', async () => {
    const { app } = makeApp();
    const response = await app.request(
      '/board?shop=tmall&lang=zh-CN&rotate=20&boards=overview,refunds&dim=1',
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<div id="app">');
  });

  it('should survive malformed percent-encoding', async () => {
    const { app } = makeApp();
    const response = await app.request('/api/snapshot?shop=%E0%A4%A');
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatch(/shop must match/);
  });
});

describe('request bodies', () => {
  it(`should refuse a what-if body over ${MAX_WHAT_IF_BODY_BYTES} bytes with 413`, async () => {
    const { app, calls } = makeApp();
    const body = JSON.stringify({ queue: 'aftersale', pad: 'x'.repeat(MAX_WHAT_IF_BODY_BYTES) });
    const response = await app.request('/api/staffing/what-if', {
      method: 'POST',
      headers: JSON_HEADERS,
      body,
    });
    expect(response.status).toBe(413);
    expect(await errorOf(response)).toMatch(/body too large/);
    expect(calls).toEqual([]);
  });

  it(`should refuse any other body over ${MAX_BODY_BYTES} bytes, even streamed without a length`, async () => {
    const { app } = makeApp();
    const declared = await app.request('/api/anything', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: 'x'.repeat(MAX_BODY_BYTES + 1),
    });
    expect(declared.status).toBe(413);
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 8) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const streamed = await app.request('/api/anything', {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(sent).toBeLessThan(8);
  });

  it('should accept a small body under the caps', async () => {
    const { app } = makeApp();
    const response = await app.request('/api/staffing/what-if', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: WHAT_IF_BODY,
    });
    expect(response.status).toBe(200);
  });

  it('should refuse a what-if that is not JSON', async () => {
    const { app } = makeApp();
    const form = await app.request('/api/staffing/what-if', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: WHAT_IF_BODY,
    });
    expect(form.status).toBe(415);
    const broken = await app.request('/api/staffing/what-if', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: '{"queue":',
    });
    expect(broken.status).toBe(400);
    expect(await errorOf(broken)).toBe('body must be JSON');
  });
});

describe('errors', () => {
  it('should answer 500 with no stack or internal message when a dep throws', async () => {
    const secret = 'IO Error: could not open /var/lib/peakboard/peakboard.duckdb';
    const { app, errors } = makeApp(
      {},
      {
        snapshot: async () => {
          throw new Error(secret);
        },
        unanswered: () => Promise.reject(new TypeError('Cannot read properties of undefined')),
      },
    );
    for (const path of ['/api/snapshot', '/api/unanswered']) {
      const response = await app.request(path);
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({ error: 'internal error' });
      expect(text).not.toMatch(/duckdb|Cannot read|at .*\.ts|Error/);
    }
    expect(errors.map((e) => e.fields.path)).toEqual(['/api/snapshot', '/api/unanswered']);
    expect(String(errors[0]!.fields.error)).toContain(secret);
  });

  it('should answer 500 without details when a dep throws a non-Error', async () => {
    const { app } = makeApp({}, { health: () => Promise.reject('raw string failure') });
    const response = await app.request('/healthz');
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: 'internal error' });
  });

  it('should answer unknown routes and methods with 404 JSON', async () => {
    const { app } = makeApp();
    for (const [method, path] of [
      ['GET', '/nope'],
      ['GET', '/api/snapshot/extra'],
      ['GET', '/api/staffing/what-if'],
      ['DELETE', '/api/snapshot'],
      ['POST', '/board'],
    ] as const) {
      const response = await app.request(path, { method });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(await errorOf(response)).toBe(`no route ${method} ${path}`);
    }
  });
});

describe('response headers', () => {
  it('should send hardening headers and keep figures out of caches', async () => {
    const { app } = makeApp();
    const response = await app.request('/api/snapshot');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });

  it('should keep the query when redirecting / to /board', async () => {
    const { app } = makeApp();
    const response = await app.request('/?shop=tmall&lang=en');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/board?shop=tmall&lang=en');
  });
});
