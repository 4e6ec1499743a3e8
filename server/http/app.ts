/**
 * The Hono app, as a factory of its dependencies: tests call `app.request()` with no port and
 * no servers. Every query parameter is validated (unknown ones too); errors are JSON with a
 * message, never a stack; bodies are capped; access follows ./auth.ts.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { serveStatic } from '@hono/node-server/serve-static';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseTimestampMs, SHOP_PATTERN } from '../events/index.ts';
import {
  canRead,
  loopbackHostOnly,
  rememberToken,
  requireSupervisor,
  requireViewer,
  type Auth,
} from './auth.ts';

export interface SnapshotQuery {
  shop: string | null;
  /** Time-travel instant; undefined = now (the live clock). */
  atMs: number | undefined;
}

export interface HealthReport {
  /** Every part healthy (NATS connected, DuckDB writable). */
  ok: boolean;
  /** Ready to serve fresh figures: ok, consumer active and ingest lag under the STALE bound. */
  ready: boolean;
  [part: string]: unknown;
}

export interface AppDeps {
  snapshot(query: SnapshotQuery): Promise<unknown>;
  unanswered?(query: { kind: 'chat' | 'refund'; shop: string | null; limit: number }): Promise<unknown>;
  history?(query: {
    metric: string;
    fromMs: number;
    toMs: number;
    stepMs: number;
    shop: string | null;
  }): Promise<unknown>;
  whatIf?(body: unknown): Promise<unknown>;
  deadLetters?(limit: number): Promise<unknown>;
  health(): Promise<HealthReport>;
  metrics?(): Promise<string>;
  /** Directory of the built board (web/dist); the board routes answer 503 with a hint when it is missing. */
  webRoot: string;
  /** Who may read and who may change (createAuth from the configured tokens). */
  auth: Auth;
  /** Where a failed request is reported (never to the client). Default: one JSON line on stderr. */
  logError?: (message: string, fields: Record<string, unknown>) => void;
}

/** Any request body (other than what-if's own 16 KiB) is refused above this size. */
export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_WHAT_IF_BODY_BYTES = 16 * 1024;

export class BadRequestError extends Error {
  override name = 'BadRequestError';
}

function parseShop(value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  if (!SHOP_PATTERN.test(value)) throw new BadRequestError('shop must match [A-Za-z0-9_-]{1,64}');
  return value;
}

function parseInstant(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = parseTimestampMs(value);
  if (ms === undefined)
    throw new BadRequestError(
      `${name} must be an RFC 3339 instant with offset, e.g. 2026-11-11T20:00:00+08:00`,
    );
  return ms;
}

function parseLimit(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new BadRequestError(`limit must be a whole number from 1 to ${max}`);
  const n = Number(value);
  if (n < 1 || n > max) throw new BadRequestError(`limit must be a whole number from 1 to ${max}`);
  return n;
}

const STEP_UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a step such as `15m`, `1h` or `300` (seconds). */
export function parseStepMs(value: string): number | undefined {
  const m = /^(\d+)([smhd]?)$/.exec(value);
  if (m === null) return undefined;
  return Number(m[1]) * (STEP_UNITS[m[2] || 's'] ?? 1_000);
}

/**
 * The route's query parameters, one value each. Unknown names are refused rather than ignored:
 * a misspelt `?shops=` or `?time=` would otherwise quietly answer for all shops or for now, and
 * a wallboard must not show a plausible wrong number. `token` belongs to the auth layer.
 */
function readQuery(c: Context, allowed: readonly string[]): Partial<Record<string, string>> {
  const result: Partial<Record<string, string>> = {};
  for (const [name, values] of Object.entries(c.req.queries())) {
    if (name === 'token') continue;
    if (!allowed.includes(name)) {
      const shown = JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}...` : name);
      throw new BadRequestError(
        `unknown query parameter ${shown}; this route takes ${allowed.length > 0 ? allowed.join(', ') : 'none'}`,
      );
    }
    if (values.length > 1) throw new BadRequestError(`query parameter ${name} given more than once`);
    result[name] = values[0];
  }
  return result;
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const { auth } = deps;
  const logError =
    deps.logError ??
    ((message: string, fields: Record<string, unknown>) =>
      console.error(JSON.stringify({ level: 'error', msg: message, ...fields })));

  app.onError((error, c) => {
    if (error instanceof BadRequestError) return c.json({ error: error.message }, 400);
    if (error instanceof HTTPException && error.status < 500) {
      return c.json({ error: error.message || 'bad request' }, error.status);
    }
    // The path only: the query may hold a token. The client learns nothing about the cause.
    logError('request failed', { method: c.req.method, path: c.req.path, error: String(error) });
    return c.json({ error: 'internal error' }, 500);
  });

  // Hono hands only Error instances to onError; anything else thrown (a string, a rejected
  // non-Error) would escape to the Node adapter. Wrapped here so it gets the same 500 JSON.
  app.use('*', async (_c, next) => {
    try {
      await next();
    } catch (thrown) {
      if (thrown instanceof Error) throw thrown;
      throw new Error(`non-Error thrown: ${String(thrown)}`);
    }
  });

  // Standard hardening headers; no HSTS (TLS is the reverse proxy's business) and no framing
  // (the supervisor page's buttons must not be clickjacked). no-referrer keeps ?token= URLs
  // from leaking through the Referer header.
  app.use(
    '*',
    secureHeaders({
      strictTransportSecurity: false,
      xFrameOptions: 'DENY',
      referrerPolicy: 'no-referrer',
      contentSecurityPolicy: { frameAncestors: ["'none'"] },
    }),
  );
  app.use('*', loopbackHostOnly(auth));
  for (const path of ['/api/*', '/board', '/supervisor', '/metrics']) app.use(path, requireViewer(auth));
  app.use('/api/*', async (c, next) => {
    await next();
    // Live figures must not sit in a shared cache.
    c.header('cache-control', 'no-store');
  });
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.json({ error: `body too large (at most ${MAX_BODY_BYTES} bytes)` }, 413),
    }),
  );

  // Liveness: the process answers (200) and says honestly how its parts are; a liveness probe must
  // not restart Peakboard because NATS is down — the board is what shows that.
  app.get('/healthz', async (c) => {
    const report = await deps.health();
    // Probes only need the status; paths and error texts are for token holders.
    const body = canRead(auth, c) ? report : { ok: report.ok };
    return c.json(body, 200);
  });

  // Readiness: NATS connected, consumer active, DuckDB writable, caught up (503 otherwise).
  app.get('/readyz', async (c) => {
    const report = await deps.health();
    const ready = report.ready === true;
    const body = canRead(auth, c) ? report : { ready };
    return c.json(body, ready ? 200 : 503);
  });

  app.get('/metrics', async (c) => {
    readQuery(c, []);
    if (deps.metrics === undefined) return c.text('', 404);
    return c.text(await deps.metrics(), 200, { 'content-type': 'text/plain; version=0.0.4' });
  });

  app.get('/api/snapshot', async (c) => {
    const query = readQuery(c, ['shop', 'at']);
    const shop = parseShop(query.shop);
    const atMs = parseInstant('at', query.at);
    return c.json(await deps.snapshot({ shop, atMs }));
  });

  app.get('/api/unanswered', async (c) => {
    const query = readQuery(c, ['kind', 'shop', 'limit']);
    if (deps.unanswered === undefined) return c.json({ error: 'not available yet' }, 501);
    const kind = query.kind === undefined || query.kind === '' ? 'chat' : query.kind;
    if (kind !== 'chat' && kind !== 'refund') throw new BadRequestError('kind must be chat or refund');
    const shop = parseShop(query.shop);
    const limit = parseLimit(query.limit, 20, 1000);
    return c.json(await deps.unanswered({ kind, shop, limit }));
  });

  app.get('/api/history', async (c) => {
    const query = readQuery(c, ['metric', 'from', 'to', 'step', 'shop']);
    if (deps.history === undefined) return c.json({ error: 'not available yet' }, 501);
    const metric = query.metric ?? '';
    if (!/^[A-Za-z0-9_.]{1,200}$/.test(metric))
      throw new BadRequestError('metric must be a dotted path such as chat.queues.aftersale.waiting');
    const fromMs = parseInstant('from', query.from);
    const toMs = parseInstant('to', query.to);
    if (fromMs === undefined || toMs === undefined)
      throw new BadRequestError('from and to are required RFC 3339 instants');
    if (toMs < fromMs) throw new BadRequestError('to must not be before from');
    const stepMs = parseStepMs(query.step === undefined || query.step === '' ? '1m' : query.step);
    if (stepMs === undefined || stepMs < 60_000)
      throw new BadRequestError('step must be at least 1m (e.g. 1m, 15m, 1h)');
    if ((toMs - fromMs) / stepMs > 2_000)
      throw new BadRequestError('at most 2000 points per request; use a larger step');
    const shop = parseShop(query.shop);
    return c.json(await deps.history({ metric, fromMs, toMs, stepMs, shop }));
  });

  app.get('/api/dead-letters', async (c) => {
    const query = readQuery(c, ['limit']);
    if (deps.deadLetters === undefined) return c.json({ error: 'not available' }, 501);
    return c.json(await deps.deadLetters(parseLimit(query.limit, 50, 1000)));
  });

  app.post(
    '/api/staffing/what-if',
    requireSupervisor(auth),
    bodyLimit({
      maxSize: MAX_WHAT_IF_BODY_BYTES,
      onError: (c) => c.json({ error: `body too large (at most ${MAX_WHAT_IF_BODY_BYTES} bytes)` }, 413),
    }),
    async (c) => {
      readQuery(c, []);
      if (deps.whatIf === undefined) return c.json({ error: 'not available yet' }, 501);
      // JSON only: an HTML form (text/plain, urlencoded) cannot send it without a CORS preflight,
      // which this server never grants; one more wall against cross-site requests.
      const type = c.req.header('content-type') ?? '';
      if (!/^application\/json\s*(;|$)/i.test(type)) {
        return c.json({ error: 'content-type must be application/json' }, 415);
      }
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        throw new BadRequestError('body must be JSON');
      }
      return c.json(await deps.whatIf(body));
    },
  );

  // The board: one built page for both views; the app picks the view from the path.
  const indexFile = join(deps.webRoot, 'index.html');
  const webRootRelative = relative(process.cwd(), deps.webRoot) || '.';
  const servePage = async (c: Context): Promise<Response> => {
    if (!existsSync(indexFile)) return c.text('The board is not built yet: run `npm run build`.', 503);
    const html = await readFile(indexFile, 'utf8');
    return c.html(html, 200, { 'cache-control': 'no-store' });
  };
  // The query goes along, so `/?token=...&shop=...` opens the same board.
  app.get('/', (c) => c.redirect(`/board${new URL(c.req.url).search}`));
  app.get('/board', rememberToken(auth), servePage);
  app.get('/supervisor', rememberToken(auth), servePage);
  // The bundle holds code, no figures: open, so the page can load before it has a cookie.
  app.use('/assets/*', serveStatic({ root: webRootRelative }));

  app.notFound((c) => {
    const path = c.req.path.length > 200 ? `${c.req.path.slice(0, 200)}...` : c.req.path;
    return c.json({ error: `no route ${c.req.method} ${path}` }, 404);
  });
  return app;
}
